"""The per-process index: built once (in the gunicorn master with --preload, shared by forked workers), then
kept fresh incrementally.

Freshness: at most every `SEARCH_FRESHNESS_SECONDS` (default 1 s) a search first reads the change log rows above
this process's watermark (one indexed query); every `SEARCH_SWEEP_SECONDS` (default 5 s) it also looks for
offers whose `updated_at` moved, for changes that did not go through the hook. Changed offers are reloaded from
the database into the small delta segment; past `SEARCH_DELTA_MAX` changed offers the index is rebuilt.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Max

from opencpf.core import clock
from opencpf.search.analysis import fold
from opencpf.search.documents import day_number, load_documents
from opencpf.search.index import SearchIndex
from opencpf.search.models import OfferChange
from opencpf.search.places import Gazetteer

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    index: SearchIndex
    gazetteer: Gazetteer
    suggestions: list[tuple[str, str, frozenset[str]]]  # (folded, displayed, folded words)
    change_watermark: int
    updated_watermark: dt.datetime | None
    last_check: float = field(default_factory=time.monotonic)
    last_sweep: float = field(default_factory=time.monotonic)
    stale: bool = False
    rebuild_requested: bool = False


REBUILD_ALL = -1  # an OfferChange with this offer id asks every process to rebuild its index
_lock = threading.RLock()
_runtime: Runtime | None = None


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _suggestions() -> list[tuple[str, str, frozenset[str]]]:
    """Autocomplete entries: active certification titles, ROME trades (RomeJob) and their job titles (RomeTitle)."""
    Certification = apps.get_model("catalogue", "Certification")
    titles = {t for t in Certification.objects.filter(is_active=True).values_list("title", flat=True)}
    for model in apps.get_app_config("catalogue").get_models():  # RomeJob, RomeTitle
        if "rome" in model.__name__.lower():
            names = {f.name for f in model._meta.get_fields()}
            label = next((n for n in ("label", "title", "libelle", "name") if n in names), None)
            if label:
                titles.update(str(v) for v in model._default_manager.values_list(label, flat=True))
    out = []
    for t in titles:
        folded = fold(t)
        if folded:
            out.append((folded, t, frozenset(folded.replace("-", " ").replace("'", " ").split())))
    return sorted(out, key=lambda p: (len(p[0]), p[0]))


def build(progress: Callable[[str], None] | None = None) -> Runtime:
    """A complete index from the database."""
    Offer = apps.get_model("catalogue", "Offer")
    say = progress or (lambda _msg: None)
    change_wm = OfferChange.objects.aggregate(m=Max("id"))["m"] or 0
    updated_wm = Offer.objects.aggregate(m=Max("updated_at"))["m"]
    say("lecture des offres")
    docs = load_documents()
    say(f"indexation de {len(docs)} offres")
    index = SearchIndex(docs, built_day=day_number(clock.today()))
    index.cache_bytes = int(_setting("SEARCH_RESULT_CACHE_MB", 96) * (1 << 20))
    del docs
    say("communes et suggestions")
    runtime = Runtime(index, Gazetteer.from_catalogue(), _suggestions(), change_wm, updated_wm)
    gc.collect()
    with contextlib.suppress(OSError):  # give the transient build memory back to the system before workers fork
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return runtime


def warm() -> Runtime:
    """Build now (call in the gunicorn master before fork: see opencpf/search/gunicorn_hooks.py)."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = build()
        return _runtime


def reset(runtime: Runtime | None = None) -> None:
    global _runtime
    with _lock:
        _runtime = runtime


def mark_stale() -> None:
    if _runtime is not None:
        _runtime.stale = True


def refresh(rt: Runtime, *, sweep: bool) -> int:
    """Apply the offers changed since the watermarks; return how many were re-read."""
    Offer = apps.get_model("catalogue", "Offer")
    ids: set[int] = set()
    rows = list(OfferChange.objects.filter(id__gt=rt.change_watermark).values_list("id", "offer_id"))
    if rows:
        rt.change_watermark = max(r[0] for r in rows)
        ids.update(r[1] for r in rows)
    if sweep:
        qs = Offer.objects.all()
        if rt.updated_watermark is not None:
            qs = qs.filter(updated_at__gt=rt.updated_watermark)
        limit = int(_setting("SEARCH_DELTA_MAX", 50_000))
        moved = list(qs.values_list("id", "updated_at")[: limit + 1])
        if len(moved) > limit:  # a bulk change: rebuilding is cheaper than patching
            logger.warning("search: %s+ offers changed since the last sweep, rebuilding the index", limit)
            rt.rebuild_requested = True
            return 0
        if moved:
            rt.updated_watermark = max(r[1] for r in moved)
            ids.update(r[0] for r in moved)
        rt.last_sweep = time.monotonic()
    if REBUILD_ALL in ids:
        rt.rebuild_requested = True
        ids.discard(REBUILD_ALL)
    if ids:
        rt.index.apply(ids, load_documents(ids))
    return len(ids)


def current() -> Runtime:
    """The index, fresh within SEARCH_FRESHNESS_SECONDS of any committed change."""
    global _runtime
    rt = _runtime or warm()
    now = time.monotonic()
    if rt.stale or now - rt.last_check >= _setting("SEARCH_FRESHNESS_SECONDS", 1.0):
        with _lock:
            rt = _runtime or warm()
            sweep = rt.stale or now - rt.last_sweep >= _setting("SEARCH_SWEEP_SECONDS", 5.0)
            rt.stale = False
            refresh(rt, sweep=sweep)
            rt.last_check = time.monotonic()
            if rt.rebuild_requested or len(rt.index.delta_docs) > _setting("SEARCH_DELTA_MAX", 50_000):
                logger.info("search: rebuilding the index")
                _runtime = rt = build()
    return rt
