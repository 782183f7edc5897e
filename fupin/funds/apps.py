from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "fupin.funds"
    label = "funds"
    verbose_name = "项目资金"

    def ready(self):
        from fupin.policy.validation import register

        from .policy_checks import CHECKS

        for key, check in CHECKS.items():
            register(key, check)
