from django.contrib import admin

from opencpf.reviews.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "offer", "provider", "comment_status", "created_at")
    list_filter = ("comment_status",)
    readonly_fields = [f.name for f in Rating._meta.fields]
