"""The search page, its public explanation of the ranking, and autocomplete (JSON)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from opencpf.core.money import InvalidAmount, parse_eur
from opencpf.search.geo import DEFAULT_RADIUS_KM
from opencpf.search.selectors import (
    SearchParams,
    autocomplete,
    holder_balance_cents,
    place_suggestions,
    search_offers,
)

SORT_CHOICES = [
    ("relevance", "Pertinence"),
    ("price", "Prix croissant"),
    ("distance", "Distance"),
    ("start", "Prochaine session"),
    ("rating", "Note"),
]
MODALITY_CHOICES = [("in_person", "En présentiel"), ("distance", "À distance"), ("mixed", "Mixte")]
LEVEL_CHOICES = [(str(n), f"Niveau {n}") for n in range(3, 9)]


class SearchForm(forms.Form):
    q = forms.CharField(label="Métier, formation ou certification", required=False, max_length=200)
    lieu = forms.CharField(label="Commune ou code postal", required=False, max_length=100)
    rayon = forms.IntegerField(label="Rayon (km)", required=False, min_value=1, max_value=200)
    a_distance = forms.BooleanField(label="Uniquement à distance", required=False)
    modalite = forms.MultipleChoiceField(
        label="Modalité", required=False, choices=MODALITY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    debut_min = forms.DateField(
        label="Début à partir du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    debut_max = forms.DateField(
        label="Début au plus tard le", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    prix_max = forms.CharField(label="Prix maximum (€)", required=False, max_length=20)
    dans_mon_solde = forms.BooleanField(label="Dans la limite de mes droits", required=False)
    duree_min = forms.IntegerField(label="Durée minimale (heures)", required=False, min_value=0)
    duree_max = forms.IntegerField(label="Durée maximale (heures)", required=False, min_value=0)
    niveau = forms.MultipleChoiceField(
        label="Niveau de la certification", required=False, choices=LEVEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    note_min = forms.TypedChoiceField(
        label="Note minimale",
        required=False,
        coerce=float,
        empty_value=None,
        choices=[("", "Indifférente"), ("3", "3 sur 5 et plus"), ("4", "4 sur 5 et plus")],
    )
    handicap = forms.BooleanField(label="Accessible aux personnes en situation de handicap", required=False)
    tri = forms.ChoiceField(label="Trier par", required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=500, widget=forms.HiddenInput)

    def clean_prix_max(self) -> int | None:
        value = self.cleaned_data.get("prix_max") or ""
        if not value.strip():
            return None
        try:
            return parse_eur(value)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.message) from exc


def _params(form: SearchForm, request: HttpRequest) -> SearchParams:
    d = form.cleaned_data
    return SearchParams(
        text=d.get("q") or "",
        place=d.get("lieu") or "",
        radius_km=d.get("rayon") or DEFAULT_RADIUS_KM,
        distance_only=bool(d.get("a_distance")),
        modalities=list(d.get("modalite") or []),
        start_from=d.get("debut_min"),
        start_to=d.get("debut_max"),
        max_price_cents=d.get("prix_max"),
        min_hours=d.get("duree_min"),
        max_hours=d.get("duree_max"),
        levels=[int(x) for x in d.get("niveau") or []],
        min_rating=d.get("note_min"),
        disability_access=bool(d.get("handicap")),
        balance_cents=holder_balance_cents(request.user) if d.get("dans_mon_solde") else None,
        sort=d.get("tri") or "relevance",
        page=d.get("page") or 1,
    )


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    outcome = None
    if form.is_bound and form.is_valid():
        outcome = search_offers(_params(form, request), client_ip=request.META.get("REMOTE_ADDR", ""))
    base = request.GET.copy()
    base.pop("page", None)

    def page_url(n: int) -> str:
        q = base.copy()
        q["page"] = str(n)
        return "?" + q.urlencode()

    pages = []
    if outcome is not None and outcome.pages > 1:
        around = range(max(1, outcome.page - 2), min(outcome.pages, outcome.page + 2) + 1)
        pages = [(n, page_url(n)) for n in sorted({1, *around, min(outcome.pages, 500)})]
    facet_links = {}
    if outcome is not None:
        for name, param in (("modality", "modalite"), ("level", "niveau")):
            links = []
            for value, label, count in outcome.facets[name]:
                q = base.copy()
                q.setlist(param, [value])
                links.append((label, count, "?" + q.urlencode()))
            facet_links[name] = links
    return render(
        request,
        "holder/search/results.html",
        {
            "title": "Rechercher une formation",
            "form": form,
            "outcome": outcome,
            "pages": pages,
            "prev_url": page_url(outcome.page - 1) if outcome and outcome.page > 1 else None,
            "next_url": page_url(outcome.page + 1) if outcome and outcome.page < outcome.pages else None,
            "facet_links": facet_links,
            "can_use_balance": getattr(request.user, "kind", None) == "holder",
        },
    )


def ranking(request: HttpRequest) -> HttpResponse:
    from opencpf.search.explain import FIELD_LABELS
    from opencpf.search.geo import DISTANCE_BANDS_KM
    from opencpf.search.index import DATE_FIT_DAYS, TEXT_LEVELS

    return render(
        request,
        "holder/search/ranking.html",
        {
            "title": "Comment les résultats sont classés",
            "text_levels": TEXT_LEVELS,
            "fields": FIELD_LABELS,
            "bands": DISTANCE_BANDS_KM,
            "date_fit_days": DATE_FIT_DAYS,
            "example": "?" + urlencode({"q": "comptabilité", "lieu": "Lyon"}),
        },
    )


def suggestions(request: HttpRequest) -> JsonResponse:
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("type", "formation")
    items = place_suggestions(q) if kind == "lieu" else autocomplete(q)
    return JsonResponse({"suggestions": items})
