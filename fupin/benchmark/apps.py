from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    name = "fupin.benchmark"
    verbose_name = "性能基准"
