"""Page pagination shared by every list endpoint: ?page=1&page_size=20 (100 at most)."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class PagePagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000, description="Numéro de page, à partir de 1")
        page_size: int = Field(20, ge=1, le=100, description="Éléments par page (100 au plus)")

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet | list, pagination: Input, **params: Any) -> dict[str, Any]:  # type: ignore[override]
        offset = (pagination.page - 1) * pagination.page_size
        count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "pages": max(1, math.ceil(count / pagination.page_size)),
        }
