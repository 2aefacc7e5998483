from django.contrib import admin

from opencpf.enrolment.models import CardPayment, Dossier, DossierTransition, Message


class TransitionInline(admin.TabularInline):
    model = DossierTransition
    extra = 0
    can_delete = False
    readonly_fields = ("at", "event", "who", "actor", "from_state", "to_state", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("number", "state", "billing_state", "control_state", "deadline_kind", "deadline_on", "flagged_at")
    list_filter = ("state", "billing_state", "control_state", "deadline_kind")
    search_fields = ("number",)
    readonly_fields = [f.name for f in Dossier._meta.fields]
    inlines = [TransitionInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Message)
admin.site.register(CardPayment)
