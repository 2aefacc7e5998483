from django.contrib import admin

from opencpf.trust.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("rule", "subject_label", "score", "status", "created_at")
    list_filter = ("status", "rule")
    readonly_fields = [f.name for f in Alert._meta.fields]
