"""After-commit notifications of offer changes, without the catalogue importing its consumers.

Consumers (the search index) register a callable taking an offer id, from their AppConfig.ready():
    from opencpf.catalogue.signals import offer_change_listeners
    offer_change_listeners.append(my_function)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction

logger = logging.getLogger(__name__)

OfferListener = Callable[[int], None]
offer_change_listeners: list[OfferListener] = []


def _call(offer_ids: list[int]) -> None:
    for fn in list(offer_change_listeners):
        for offer_id in offer_ids:
            try:
                fn(offer_id)
            except Exception:  # a failing index never breaks a catalogue write
                logger.exception("offer change listener %r failed for offer %s", fn, offer_id)


def offers_changed(offer_ids: Iterable[int]) -> None:
    """Schedule the listeners for these offers after the current transaction commits."""
    ids = sorted(set(offer_ids))
    if ids:
        transaction.on_commit(lambda: _call(ids))
