from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "fupin.visits"
    label = "visits"
    verbose_name = "走访记录"

    def ready(self):
        from fupin.policy.validation import register

        from .policy_checks import CHECKS

        for key, check in CHECKS.items():
            register(key, check)
