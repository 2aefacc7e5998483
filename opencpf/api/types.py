"""Input types the API shares.

`IsoDate`: a date sent as `AAAA-MM-JJ`, as the OpenAPI document says (`format: date`). Pydantic alone also takes
a number (or a numeric string) as a Unix time, so `?on=0` or `"start_date": 0` meant 1 January 1970: found by
the HTTP fuzz (tests/hardening/test_api_contract.py), refused now with the usual 422.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic checks it is a real day
    raise ValueError("Date attendue au format AAAA-MM-JJ.")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
