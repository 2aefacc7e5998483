from django.contrib import admin

from opencpf.support.models import Report, Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "category", "status", "priority", "created_at")
    list_filter = ("status", "category", "priority")
    search_fields = ("number", "subject")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "provider_name", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("reference", "provider_name", "caller_phone")
