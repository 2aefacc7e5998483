"""Money is an integer number of euro cents. Conversion to euros happens only at the edges (forms, templates, schemas)."""

from __future__ import annotations

import re

from opencpf.core.exceptions import DomainError

NBSP = "\u00a0"
NNBSP = "\u202f"


class InvalidAmount(DomainError):
    code = "invalid_amount"
    message = "Le montant saisi n'est pas valide. Exemple : 1 234,56"


def format_eur(amount_cents: int, *, symbol: bool = True) -> str:
    """1234_56 -> '1 234,56 €' (narrow no-break space between thousands, no-break space before €)."""
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool):
        raise TypeError("amount_cents must be an int")
    sign = "-" if amount_cents < 0 else ""
    euros, cents = divmod(abs(amount_cents), 100)
    grouped = f"{euros:,}".replace(",", NNBSP)
    text = f"{sign}{grouped},{cents:02d}"
    return f"{text}{NBSP}€" if symbol else text


_AMOUNT_RE = re.compile(r"^(?P<sign>-)?(?P<int>\d{1,12})(?:[.,](?P<dec>\d{1,2}))?$")


def parse_eur(text: str, *, allow_negative: bool = False) -> int:
    """Parse what a person types ('1 234,56 €', '1234.5', '12') into cents; refuse anything ambiguous."""
    if text is None:
        raise InvalidAmount()
    cleaned = str(text).strip().replace("€", "").replace("EUR", "").replace("eur", "")
    for space in (" ", NBSP, NNBSP, "\t"):
        cleaned = cleaned.replace(space, "")
    # "1.234,56" (dot as thousands separator) is common in French input.
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "")
        else:
            raise InvalidAmount()
    match = _AMOUNT_RE.match(cleaned)
    if not match:
        raise InvalidAmount()
    if match["sign"] and not allow_negative:
        raise InvalidAmount("Le montant ne peut pas être négatif.")
    dec = (match["dec"] or "").ljust(2, "0")
    cents = int(match["int"]) * 100 + int(dec or 0)
    return -cents if match["sign"] else cents


def percent_of(amount_cents: int, basis_points: int) -> int:
    """Share of an amount in basis points (10 000 = 100 %), rounded half up to the cent."""
    return (amount_cents * basis_points + 5_000) // 10_000
