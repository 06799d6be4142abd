from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reference_triggers(sender, using, **kwargs):
    from bangfu.reference import install_triggers

    install_triggers(using)


class ProgrammesConfig(AppConfig):
    name = "bangfu.programmes"
    label = "programmes"
    verbose_name = "帮扶项目"

    def ready(self):
        # after every migrate (its tables and the regions' exist by then): bangfu/reference.py
        post_migrate.connect(_reference_triggers, sender=self, dispatch_uid="bangfu_reference_triggers")
