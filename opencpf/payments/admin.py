from django.contrib import admin

from opencpf.payments.models import ProviderBankAccount


@admin.register(ProviderBankAccount)
class ProviderBankAccountAdmin(admin.ModelAdmin):
    list_display = ("provider", "masked_iban", "bic", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ProviderBankAccount._meta.fields]
