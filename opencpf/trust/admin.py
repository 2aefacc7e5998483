from django.contrib import admin

from opencpf.trust.models import Alert, Control, RuleSet, Sanction


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("rule", "subject_label", "score", "status", "created_at")
    list_filter = ("status", "rule")
    readonly_fields = [f.name for f in Alert._meta.fields]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "valid_from", "note")
    readonly_fields = [f.name for f in RuleSet._meta.fields]


@admin.register(Control)
class ControlAdmin(admin.ModelAdmin):
    list_display = ("reference", "provider", "scope", "status", "deadline", "outcome")
    list_filter = ("status", "scope", "outcome")
    readonly_fields = [f.name for f in Control._meta.fields]


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    list_display = ("provider", "kind", "decided_at", "amount_cents")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Sanction._meta.fields]
