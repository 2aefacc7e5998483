"""Django admin for the catalogue (read-mostly: writes go through the services and the portals)."""

from __future__ import annotations

from django.contrib import admin

from opencpf.catalogue import models as m


@admin.register(m.Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "siret", "nda", "status", "check_deadline")
    list_filter = ("status",)
    search_fields = ("name", "siret")


@admin.register(m.Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "level", "is_active", "valid_until")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "title")


@admin.register(m.Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("reference", "training", "city", "is_published")
    list_filter = ("is_published", "modality")
    list_select_related = ("training",)
    search_fields = ("reference", "training__title")
    raw_id_fields = ("training", "commune")


@admin.register(m.OfferChange)
class OfferChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "offer", "actor_label", "source", "action")
    list_select_related = ("offer__training",)
    raw_id_fields = ("offer", "actor")


for model in (
    m.Commune,
    m.Formacode,
    m.Nsf,
    m.RomeJob,
    m.ReferencingDecision,
    m.QualiopiCertificate,
    m.CertifierPermission,
):
    admin.site.register(model)
