"""Template helpers of the rights pages: euros from cents, the holder's balance block."""

from __future__ import annotations

from typing import Any

from django import template

from opencpf.core.money import format_eur
from opencpf.rights.selectors import balances

register = template.Library()


@register.filter
def eur(amount_cents: Any) -> str:
    return format_eur(int(amount_cents or 0))


@register.inclusion_tag("holder/rights/_balance.html")
def rights_balance(holder: Any) -> dict[str, Any]:
    return {"balances": balances(nir_hash=holder.nir_hash)}
