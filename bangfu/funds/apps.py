from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "bangfu.funds"
    label = "funds"
    verbose_name = "扶贫资金"
