"""Base of every domain error: a stable machine code and a French message for people."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code: str = "domain_error"
    message: str = "L'opération n'a pas pu être effectuée."
    status: int = 400

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra: Any) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        self.extra = extra
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    message = "Cet élément est introuvable."
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    message = "Vous n'avez pas le droit d'effectuer cette action."
    status = 403


class Conflict(DomainError):
    code = "conflict"
    message = "Cette action entre en conflit avec l'état actuel."
    status = 409
