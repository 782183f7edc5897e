from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fupin.stats"
    label = "stats"
    verbose_name = "统计监测"
    default_auto_field = "django.db.models.BigAutoField"
