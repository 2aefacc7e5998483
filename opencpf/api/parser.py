"""Request parsing: a parameter the OpenAPI document declares once must come once.

Ninja's parser keeps the last value of a repeated query (or form) parameter that is not a list:
`?max_price_cents=abc&max_price_cents=100` was read as 100 and the invalid first value silently dropped, so a
proxy or cache reading the first value and the API reading the last would disagree (HTTP parameter pollution).
Found by the HTTP fuzz (tests/hardening/test_api_contract.py); such a request is refused with the usual 422.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser


class SingleValueParser(Parser):
    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict[str, Any]:
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise ValidationError(
                [
                    {"loc": ("query", key), "msg": "Ce paramètre ne peut être donné qu'une fois.", "type": "repeated"}
                    for key in repeated
                ]
            )
        return super().parse_querydict(data, list_fields, request)
