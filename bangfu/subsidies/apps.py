from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "bangfu.subsidies"
    label = "subsidies"
    verbose_name = "奖补"

    def ready(self):
        from bangfu.subsidies import procedure  # noqa: F401  registers the subsidy procedure
