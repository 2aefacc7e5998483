"""Trust listens to catalogue changes (registered in TrustConfig.ready): every committed offer change is screened,
on a worker (`trust.tasks.screen_offer`), so that saving an offer never waits for the screening."""

from __future__ import annotations

from opencpf.catalogue.models import Offer
from opencpf.trust.services import offer_text_screen
from opencpf.trust.tasks import screen_offer


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
