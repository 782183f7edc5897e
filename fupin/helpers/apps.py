from django.apps import AppConfig


class HelpersConfig(AppConfig):
    name = "fupin.helpers"
    label = "helpers"
    verbose_name = "结对帮扶"

    def ready(self):
        # The shape of the policy values this app reads is checked when a region saves its own.
        from fupin.policy.validation import register

        from .checks import KEEP_KEY, LOAD_KEY, validate_non_negative_int, validate_positive_int

        register(LOAD_KEY, validate_positive_int)
        register(KEEP_KEY, validate_non_negative_int)
