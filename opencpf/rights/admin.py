"""Read-only admin views of the ledger (writes go through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from opencpf.rights.models import Account, Declaration, DifClaim, Funder, LedgerTransaction, Reservation


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ("id", "kind", "reference", "certification_code", "balance_cents")
    list_filter = ("kind",)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnly):
    list_display = ("id", "kind", "reference", "label", "posted_at")
    list_filter = ("kind",)
    search_fields = ("reference", "idempotency_key")


@admin.register(Reservation)
class ReservationAdmin(ReadOnly):
    list_display = ("order_ref", "status", "held_cents", "captured_cents", "created_at")
    list_filter = ("status",)
    search_fields = ("order_ref",)


@admin.register(Declaration)
class DeclarationAdmin(ReadOnly):
    list_display = ("declaration_id", "employer_siret", "year", "revision")
    list_filter = ("year",)


@admin.register(DifClaim)
class DifClaimAdmin(ReadOnly):
    list_display = ("id", "hours", "status", "submitted_at", "decided_at")
    list_filter = ("status",)


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "reference", "headcount")
    exclude = ("api_key_hash",)
