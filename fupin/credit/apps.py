from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "fupin.credit"
    label = "credit"
    verbose_name = "扶贫小额信贷"

    def ready(self):
        from fupin.policy.validation import register

        from .policy_checks import CHECKS

        for key, check in CHECKS.items():
            register(key, check)
