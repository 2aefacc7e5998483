from django.apps import AppConfig
from django.conf import settings


class TrustConfig(AppConfig):
    name = "opencpf.trust"
    label = "trust"
    verbose_name = "Confiance"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from opencpf.catalogue.signals import offer_change_listeners
        from opencpf.enrolment.models import DossierTransition
        from opencpf.identity.models import Holder
        from opencpf.trust import hooks

        if hooks.offer_changed not in offer_change_listeners:
            offer_change_listeners.append(hooks.offer_changed)
        post_save.connect(hooks.dossier_transition_saved, sender=DossierTransition, dispatch_uid="trust.dossier")
        post_save.connect(hooks.holder_saved, sender=Holder, dispatch_uid="trust.holder")
        user_logged_in.connect(hooks.user_logged_in, dispatch_uid="trust.login")
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("trust-nightly", {"task": "trust.nightly", "schedule": 24 * 60 * 60})
            # Control deadlines are by day: reminders before, "unanswered" after (idempotent, safe to rerun).
            schedule.setdefault(
                "trust.control_deadlines", {"task": "trust.control_deadlines", "schedule": 24 * 60 * 60}
            )
