from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "fupin.assets"
    label = "assets"
    verbose_name = "资产收益扶贫"
