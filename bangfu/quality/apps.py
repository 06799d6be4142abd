from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "bangfu.quality"
    label = "quality"
    verbose_name = "三率一度与目标任务"
