"""The behaviour rules' parameters: one versioned set in the database (trust.RuleSet), seeded by migration.

`current()` returns the set in force today (cached per process for a minute); every alert records its version.
A change of thresholds is a new RuleSet row with a new version and a valid_from date, never an edit.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from opencpf.core import clock

# The first version, as seeded by trust/migrations/0004 (the migration holds its own copy of these numbers).
DEFAULT_VERSION = "2026.1"
DEFAULT_PARAMS: dict[str, Any] = {
    "alert_threshold": 0.6,
    "purchase_after_security_change": {"window_days": 10},
    "purchase_new_origin": {"min_history": 2},
    "first_purchase_after_activation": {"minutes": 30},
    "shared_origin": {"window_hours": 72, "min_accounts_ip": 4, "min_accounts_device": 3},
    "provider_same_ip": {"window_days": 14, "min_holders": 3},
    "dossier_spike": {"recent_days": 7, "baseline_weeks": 12, "min_recent": 12, "ratio": 4.0},
    "revenue_vs_size": {"window_days": 365, "max_cents_per_head": 15_000_000, "min_cents": 5_000_000},
    "short_hours": {"ratio": 0.4, "min_offers": 5, "min_providers": 3},
    "price_outlier": {"z": 3.5, "min_offers": 5, "min_ratio": 2.0},
    "outcome_rates": {
        "window_days": 365,
        "min_dossiers": 20,
        "max_cancel_rate": 0.4,
        "max_no_show_rate": 0.2,
        "max_partial_rate": 0.35,
    },
    "ratings": {"min_ratings": 10, "max_stdev": 0.12, "burst_hours": 48, "burst_share": 0.6},
    "holder_reports": {"window_days": 180, "min_reporters": 3},
    "new_provider_volume": {"referenced_within_days": 120, "window_days": 30, "min_dossiers": 40},
    "control_answer_business_days": 15,
}


@dataclass(frozen=True)
class Ruleset:
    version: str
    params: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params.get(key, DEFAULT_PARAMS.get(key))


_cache: dict[str, Any] = {}


def current(on: dt.date | None = None, *, fresh: bool = False) -> Ruleset:
    from opencpf.trust.models import RuleSet

    day = on or clock.today()
    key = day.isoformat()
    hit = _cache.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < 60:
        return hit[1]  # type: ignore[no-any-return]
    row = RuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()
    rs = Ruleset(row.version, {**DEFAULT_PARAMS, **row.params}) if row else Ruleset(DEFAULT_VERSION, DEFAULT_PARAMS)
    _cache.clear()
    _cache[key] = (time.monotonic(), rs)
    return rs


def clear_cache() -> None:
    _cache.clear()
