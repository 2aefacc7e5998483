from django.apps import AppConfig
from django.conf import settings


class CatalogueConfig(AppConfig):
    name = "opencpf.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        # Daily compliance sweep (expired Qualiopi, withdrawn permissions, lapsed certifications).
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                "catalogue-enforce-compliance", {"task": "catalogue.enforce_compliance", "schedule": 6 * 60 * 60}
            )
