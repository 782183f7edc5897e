from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "fupin.plans"
    label = "plans"
    verbose_name = "一户一策"

    def ready(self):
        from fupin.policy.validation import register

        from .detection import check_min_measures, check_threshold

        register("plans.copy_similarity", check_threshold)
        register("plans.copy_min_measures", check_min_measures)
