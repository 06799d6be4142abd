from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "bangfu.measures"
    label = "measures"
    verbose_name = "帮扶措施与项目"
