from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "bangfu.exports"
    label = "exports"
    verbose_name = "导出"
