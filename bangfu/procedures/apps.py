from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "bangfu.procedures"
    label = "procedures"
    verbose_name = "办理流程"
