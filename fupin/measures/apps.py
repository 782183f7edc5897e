from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "fupin.measures"
    label = "measures"
    verbose_name = "贫困测度"

    def ready(self):
        from fupin.policy.validation import register

        from .policy_checks import CHECKS

        for key, check in CHECKS.items():
            register(key, check)
