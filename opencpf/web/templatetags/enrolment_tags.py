"""Template filters of the enrolment pages."""

from __future__ import annotations

from django import template

from opencpf.core.money import format_eur

register = template.Library()


@register.filter
def eur(amount_cents: int | None) -> str:
    """Cents to '1 234,56 €'."""
    return format_eur(int(amount_cents or 0))
