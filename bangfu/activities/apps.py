from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "bangfu.activities"
    label = "activities"
    verbose_name = "帮扶活动"
