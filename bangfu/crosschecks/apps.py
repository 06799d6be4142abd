from django.apps import AppConfig


class CrosschecksConfig(AppConfig):
    name = "bangfu.crosschecks"
    label = "crosschecks"
    verbose_name = "数据比对"
