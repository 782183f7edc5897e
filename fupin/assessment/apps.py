from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "fupin.assessment"
    label = "assessment"
    verbose_name = "考核评估"
    default_auto_field = "django.db.models.BigAutoField"
