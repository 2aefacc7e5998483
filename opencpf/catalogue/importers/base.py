"""Shared plumbing of referential imports: a summary and an idempotent upsert by natural key."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

Progress = Callable[[int], None]


def no_progress(_n: int) -> None:
    return None


@dataclass
class Summary:
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)

    def reject(self, where: str, reason: str) -> None:
        self.rejected.append((where, reason))

    def merge(self, other: Summary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected

    def as_text(self) -> str:
        return (
            f"{self.name} : {self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s), "
            f"{len(self.rejected)} rejeté(s)"
        )


def upsert(
    model: type[models.Model],
    key: str,
    rows: dict[str, dict[str, Any]],
    summary: Summary,
    *,
    progress: Progress = no_progress,
    batch_size: int = 2000,
) -> dict[str, int]:
    """Create missing rows and update changed ones (by natural key). Returns key -> pk."""
    fields = sorted({f for values in rows.values() for f in values})
    existing = {getattr(o, key): o for o in model._default_manager.all()}  # referentials are small
    to_create, to_update = [], []
    for k, values in rows.items():
        obj = existing.get(k)
        if obj is None:
            to_create.append(model(**{key: k, **values}))
        elif any(getattr(obj, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(obj, f, v)
            to_update.append(obj)
        else:
            summary.unchanged += 1
        progress(1)
    with transaction.atomic():
        model._default_manager.bulk_create(to_create, batch_size=batch_size)
        if to_update and fields:
            model._default_manager.bulk_update(to_update, fields, batch_size=batch_size)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    return {k: pk for k, pk in model._default_manager.values_list(key, "pk") if k in rows}


def count_lines(paths: Iterable[Any], encoding: str = "utf-8") -> int:
    total = 0
    for p in paths:
        with open(p, encoding=encoding, errors="replace") as fh:
            total += sum(1 for _ in fh)
    return total
