"""After-commit notifications of offer changes, without the catalogue importing its consumers.

Consumers (the search index) register a callable taking an offer id:
    from opencpf.catalogue.signals import offer_change_listeners
    offer_change_listeners.append(my_function)
Besides registered listeners, `DEFAULT_LISTENERS` names functions called if their module exists
(`opencpf.search.hooks.offer_changed`), resolved lazily so that the catalogue never imports search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

OfferListener = Callable[[int], None]
offer_change_listeners: list[OfferListener] = []
DEFAULT_LISTENERS = ["opencpf.search.hooks.offer_changed"]
_resolved: dict[str, OfferListener | None] = {}


def _default_listeners() -> list[OfferListener]:
    found = []
    for path in DEFAULT_LISTENERS:
        if path not in _resolved:
            try:
                _resolved[path] = import_string(path)
            except ImportError:
                _resolved[path] = None
        fn = _resolved[path]
        if fn is not None:
            found.append(fn)
    return found


def listeners() -> list[OfferListener]:
    out: list[OfferListener] = []
    for fn in [*offer_change_listeners, *_default_listeners()]:
        if fn not in out:
            out.append(fn)
    return out


def _call(offer_ids: list[int]) -> None:
    for fn in listeners():
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
