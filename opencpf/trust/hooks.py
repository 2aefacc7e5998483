"""Trust listens to the other domains (registered in TrustConfig.ready), always after commit:

- catalogue: every committed offer change is screened (`trust.tasks.screen_offer`);
- enrolment: a dossier's request or acceptance (a DossierTransition row) records where it came from and is
  scored (`trust.tasks.score_purchase`); enrolment's own code is not touched;
- identity: logins and account activations record their origin (IP, device cookie).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from opencpf.catalogue.models import Offer
from opencpf.core import clock
from opencpf.trust.context import current_origin
from opencpf.trust.models import ActivityKind
from opencpf.trust.services import offer_text_screen
from opencpf.trust.tasks import score_purchase, screen_offer

logger = logging.getLogger(__name__)


def offer_changed(offer_id: int) -> None:
    screen_offer.delay(offer_id)


def screen_offer_now(offer_id: int) -> list:
    offer = Offer.objects.select_related("training__certification", "training__provider").filter(pk=offer_id).first()
    if offer is None:
        return []
    t = offer.training
    text = "\n".join(
        part
        for part in (t.title, t.objectives, t.content, t.expected_results, t.prerequisites, offer.disability_details)
        if part
    )
    return offer_text_screen(
        offer_id=offer.pk,
        label=f"{t.title} – {t.provider.name} ({offer.city or 'à distance'})",
        text=text,
        certification_title=t.certification.title,
    )


PURCHASE_EVENTS = {"request": ActivityKind.REQUEST, "accept": ActivityKind.ACCEPT}


def dossier_transition_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A request or an acceptance: remember its origin (in the same transaction) and score it after commit."""
    kind = PURCHASE_EVENTS.get(instance.event)
    if not created or kind is None:
        return
    from opencpf.enrolment.models import Dossier
    from opencpf.trust.scoring import record_activity

    row = Dossier.objects.filter(pk=instance.dossier_id).values("holder__user_id", "provider_id").first()
    if row is None:
        return
    origin = current_origin()
    at = instance.at or clock.now()
    record_activity(
        user_id=row["holder__user_id"],
        kind=kind,
        ip=origin.ip,
        device=origin.device,
        at=at,
        dossier_id=instance.dossier_id,
        provider_id=row["provider_id"],
    )
    args = (instance.dossier_id, instance.event, origin.ip, origin.device, at.isoformat())
    transaction.on_commit(lambda: _queue_scoring(args))


def _queue_scoring(args: tuple) -> None:
    try:
        score_purchase.delay(*args)
    except Exception:  # the purchase is committed: a scoring failure is logged, never shown to the holder
        logger.exception("Could not score dossier %s", args[0])


def user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if getattr(user, "kind", None) != "holder":
        return
    from opencpf.trust.scoring import record_activity

    origin = current_origin()
    record_activity(user_id=user.pk, kind=ActivityKind.LOGIN, ip=origin.ip, device=origin.device)


def holder_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    from opencpf.trust.scoring import record_activity

    origin = current_origin()
    record_activity(user_id=instance.user_id, kind=ActivityKind.ACTIVATION, ip=origin.ip, device=origin.device)
