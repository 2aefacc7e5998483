from django.contrib import admin

from opencpf.payments.models import PaymentLine, PaymentRun, ProviderBankAccount


@admin.register(ProviderBankAccount)
class ProviderBankAccountAdmin(admin.ModelAdmin):
    list_display = ("provider", "masked_iban", "bic", "status", "requested_at", "decided_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ProviderBankAccount._meta.fields]


@admin.register(PaymentRun)
class PaymentRunAdmin(admin.ModelAdmin):
    list_display = ("reference", "state", "execution_date", "line_count", "item_count", "total_cents")
    list_filter = ("state",)
    exclude = ("file_xml",)
    readonly_fields = [f.name for f in PaymentRun._meta.fields if f.name != "file_xml"]


@admin.register(PaymentLine)
class PaymentLineAdmin(admin.ModelAdmin):
    list_display = ("end_to_end_id", "provider", "gross_cents", "recovered_cents", "amount_cents", "ledger_posted_at")
    readonly_fields = [f.name for f in PaymentLine._meta.fields]
