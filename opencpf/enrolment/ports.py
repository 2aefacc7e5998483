"""Every call from enrolment into other domains (rights, identity) goes through here.

Money ports never pretend: until the rights services exist they raise MoneyServiceUnavailable,
which rolls the whole transition back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from opencpf.enrolment.exceptions import MoneyServiceUnavailable
from opencpf.enrolment.models import Dossier
from opencpf.identity.models import Holder


@dataclass(frozen=True)
class PriceSplit:
    price_cents: int
    rights_cents: int
    topups_cents: int
    copayment_cents: int
    rest_cents: int  # paid by the holder by card (co-payment included)

    @property
    def holder_pays_cents(self) -> int:
        return self.rest_cents


@dataclass(frozen=True)
class Reservation:
    ref: str
    amount_cents: int


def _rights() -> Any:
    raise MoneyServiceUnavailable()


def quote_for(*, holder: Holder, training: Any, price_cents: int, on: dt.date | None = None) -> PriceSplit:
    _rights()
    raise AssertionError  # pragma: no cover


def reserve_for(dossier: Dossier) -> Reservation:
    _rights()
    raise AssertionError  # pragma: no cover


def capture_for(dossier: Dossier) -> int:
    _rights()
    raise AssertionError  # pragma: no cover


def release_for(dossier: Dossier) -> int:
    _rights()
    raise AssertionError  # pragma: no cover


def forfeit_for(dossier: Dossier, compensation_bp: int) -> tuple[int, int]:
    """The holder loses the reservation; returns (forfeited, compensation owed to the provider)."""
    _rights()
    raise AssertionError  # pragma: no cover


def is_strong_session(request: Any) -> bool:
    """Strong authentication of the current request (placeholder: an OTP-verified session)."""
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)
    return bool(callable(verified) and verified())


def holder_can_purchase(holder: Holder) -> bool:
    return bool(holder.user.is_active)
