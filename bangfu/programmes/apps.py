from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "bangfu.programmes"
    label = "programmes"
    verbose_name = "帮扶项目"
