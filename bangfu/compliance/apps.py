from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "bangfu.compliance"
    label = "compliance"
    verbose_name = "落实情况"
