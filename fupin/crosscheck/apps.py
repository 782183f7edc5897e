from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "fupin.crosscheck"
    label = "crosscheck"
    verbose_name = "大数据比对"
