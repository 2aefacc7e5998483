"""The payment gateway interface for the rest the holder pays by card, and the sandbox used in demo and tests.

A real gateway (a card acquirer) implements the same two calls; settings.ENROLMENT_PAYMENT_GATEWAY names it.
Each call carries an idempotency key: retrying never charges twice.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from opencpf.core import clock
from opencpf.enrolment.models import CardPayment, CardPaymentKind, Dossier


class PaymentGateway(Protocol):
    name: str

    def charge(self, *, dossier: Dossier, amount_cents: int, idempotency_key: str) -> CardPayment: ...

    def refund(self, *, dossier: Dossier, amount_cents: int, idempotency_key: str) -> CardPayment: ...


class SandboxGateway:
    """Accepts every payment and records it; no card network is contacted."""

    name = "sandbox"

    def _record(self, kind: str, dossier: Dossier, amount_cents: int, key: str) -> CardPayment:
        existing = CardPayment.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        ref = "SBX-" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()
        return CardPayment.objects.create(
            dossier=dossier,
            kind=kind,
            amount_cents=amount_cents,
            gateway=self.name,
            gateway_ref=ref,
            idempotency_key=key,
            created_at=clock.now(),
        )

    def charge(self, *, dossier: Dossier, amount_cents: int, idempotency_key: str) -> CardPayment:
        return self._record(CardPaymentKind.CHARGE, dossier, amount_cents, idempotency_key)

    def refund(self, *, dossier: Dossier, amount_cents: int, idempotency_key: str) -> CardPayment:
        return self._record(CardPaymentKind.REFUND, dossier, amount_cents, idempotency_key)


def get_gateway() -> PaymentGateway:
    path = getattr(settings, "ENROLMENT_PAYMENT_GATEWAY", "opencpf.enrolment.gateway.SandboxGateway")
    return import_string(path)()  # type: ignore[no-any-return]
