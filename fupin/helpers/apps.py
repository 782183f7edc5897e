from django.apps import AppConfig


class HelpersConfig(AppConfig):
    name = "fupin.helpers"
    label = "helpers"
    verbose_name = "结对帮扶"
