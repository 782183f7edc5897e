from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "fupin.identification"
    label = "identification"
    verbose_name = "识别与退出程序"

    def ready(self):
        from functools import partial

        from fupin.policy.validation import register

        from .choices import STEPS_KEY
        from .engine import validate_steps

        for procedure, key in STEPS_KEY.items():
            register(key, partial(validate_steps, procedure=procedure))
