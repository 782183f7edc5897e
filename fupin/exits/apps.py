from django.apps import AppConfig


class ExitsConfig(AppConfig):
    name = "fupin.exits"
    label = "exits"
    verbose_name = "退出评估"
