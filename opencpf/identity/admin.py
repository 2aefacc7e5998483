"""Django admin for identity. Holders are deliberately absent: agents read a holder's personal data only through
the back office, where every read is audited (opencpf.identity.services.holder_read_audited)."""

from __future__ import annotations

from django.contrib import admin

from opencpf.identity.models import ApiToken, ProviderApiKey, ProviderMembership, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "email", "kind", "is_active", "last_login")
    list_filter = ("kind", "is_active")
    search_fields = ("email",)
    fields = ("email", "kind", "first_name", "last_name", "is_active", "groups", "email_confirmed_at", "last_login")
    readonly_fields = ("kind", "email_confirmed_at", "last_login")
    filter_horizontal = ("groups",)


@admin.register(ProviderMembership)
class ProviderMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "role", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "provider")


@admin.register(ProviderApiKey)
class ProviderApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "provider", "prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "created_by")
    raw_id_fields = ("provider",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "created_at", "access_expires_at", "revoked_at")
    readonly_fields = ("user", "access_hash", "refresh_hash", "created_at", "access_expires_at", "refresh_expires_at")
    raw_id_fields = ("user",)
