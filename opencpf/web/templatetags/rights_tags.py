"""Template helpers of the rights pages: euros from cents, the holder's balance block."""

from __future__ import annotations

from typing import Any

from django import template

from opencpf.rights.selectors import balances
from opencpf.web.templatetags.oc import eur

register = template.Library()


register.filter("eur", eur)  # the one money filter, shared with pages that load this library


@register.inclusion_tag("holder/rights/_balance.html")
def rights_balance(holder: Any) -> dict[str, Any]:
    return {"balances": balances(nir_hash=holder.nir_hash)}
