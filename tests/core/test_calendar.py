import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencpf.core.calendar import add_business_days, business_days_between, is_business_day

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2022, 12, 23), 2, D(2022, 12, 27)),  # Friday 23 Dec 2022: Christmas fell on Sunday, Monday 26 is worked
        (D(2025, 4, 18), 1, D(2025, 4, 22)),  # Easter Monday 21 April 2025 is a holiday
        (D(2026, 4, 30), 1, D(2026, 5, 4)),  # 1 May 2026 is a Friday
        (D(2026, 5, 7), 1, D(2026, 5, 11)),  # 8 May 2026 is a Friday
        (D(2026, 5, 13), 1, D(2026, 5, 15)),  # Ascension Thursday 14 May 2026
        (D(2026, 3, 2), 11, D(2026, 3, 17)),
        (D(2026, 3, 2), 0, D(2026, 3, 2)),
        (D(2026, 3, 9), -5, D(2026, 3, 2)),
    ],
)
def test_add_business_days(start, n, expected):
    assert add_business_days(start, n) == expected


def test_alsace_moselle_extra_days():
    # Good Friday 3 April 2026 and 26 December are holidays in Moselle only.
    assert is_business_day(D(2026, 4, 3))
    assert not is_business_day(D(2026, 4, 3), subdiv="57")
    assert add_business_days(D(2026, 4, 2), 1, subdiv="57") == D(2026, 4, 7)
    assert not is_business_day(D(2025, 12, 26), subdiv="6AE")  # Alsace (Bas-Rhin, Haut-Rhin)


def test_holidays_and_weekends():
    assert not is_business_day(D(2026, 7, 14))
    assert not is_business_day(D(2026, 3, 7))  # Saturday
    assert is_business_day(D(2026, 3, 6))


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)), st.integers(min_value=0, max_value=60))
def test_count_inverts_add(start, n):
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    assert is_business_day(end) or n == 0
    assert business_days_between(end, start) == -n
