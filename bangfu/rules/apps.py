from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "bangfu.rules"
    label = "rules"
    verbose_name = "识别、退出与监测规则"

    def ready(self):
        from bangfu.registry.hooks import households_changed_register
        from bangfu.rules import procedures  # noqa: F401  register identification, exit and monitoring
        from bangfu.rules.workflow import monitoring_on_registry_change

        households_changed_register(monitoring_on_registry_change)
