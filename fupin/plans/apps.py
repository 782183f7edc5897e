from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "fupin.plans"
    label = "plans"
    verbose_name = "一户一策"
