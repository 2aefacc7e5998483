"""Properties of the plausibility rules (pure: no database beyond the bounds passed in)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opencpf.catalogue.rules import price_and_hours_problems

BOUNDS = {
    "offer_max_hours": 3_000,
    "offer_min_hourly_price_cents": 100,
    "offer_max_hourly_price_cents": 50_000,
    "offer_max_price_cents": 5_000_000,
    "offer_max_vat_rate_bp": 2_000,
}


@st.composite
def plausible(draw):  # type: ignore[no-untyped-def]
    hours = draw(st.integers(1, 3_000))
    hourly = draw(st.integers(100, 50_000))
    price = min(hours * hourly, 5_000_000)
    if price // hours < 100:
        price = hours * 100
    excl = draw(st.integers(price * 10_000 // 12_000 + 1, price))
    centre = draw(st.integers(0, hours))
    company = draw(st.integers(0, hours - centre))
    return hours, centre, company, price, excl


@given(plausible())
def test_plausible_offers_have_no_problem(values):  # type: ignore[no-untyped-def]
    hours, centre, company, price, excl = values
    if price > BOUNDS["offer_max_price_cents"]:
        return
    assert (
        price_and_hours_problems(
            hours_total=hours,
            hours_centre=centre,
            hours_company=company,
            price_incl_tax_cents=price,
            price_excl_tax_cents=excl,
            bounds=BOUNDS,
        )
        == []
    )


@given(
    st.integers(-10, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(-10, 10**8),
    st.integers(0, 10**8),
)
def test_problems_are_french_sentences_and_excess_is_always_caught(hours, centre, company, price, excl):  # type: ignore[no-untyped-def]
    problems = price_and_hours_problems(
        hours_total=hours,
        hours_centre=centre,
        hours_company=company,
        price_incl_tax_cents=price,
        price_excl_tax_cents=excl,
        bounds=BOUNDS,
    )
    assert all(isinstance(p, str) and p and p[0].islower() for p in problems)
    if hours > 3_000 or hours <= 0 or price <= 0 or price > 5_000_000 or excl > price or centre + company > hours:
        assert problems
