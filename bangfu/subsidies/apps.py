from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "bangfu.subsidies"
    label = "subsidies"
    verbose_name = "奖补"

    def ready(self):
        from bangfu.subsidies import listings, procedure  # noqa: F401  register the procedure and the exports
