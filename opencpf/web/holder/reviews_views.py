"""Holder pages of ratings: rate a training after exit; public ratings of an offer and of a provider."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.catalogue.models import Offer, Provider
from opencpf.core.exceptions import DomainError
from opencpf.enrolment.enums import DossierState
from opencpf.reviews import selectors, services
from opencpf.web.access import holder_required
from opencpf.web.holder.enrolment_views import _dossier, render_detail
from opencpf.web.reviews_forms import RatingForm


@holder_required
@require_POST
def dossier_rate(request: HttpRequest, number: str) -> HttpResponse:
    dossier = _dossier(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating = services.rating_submit(
                dossier_id=dossier.pk, actor=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            dossier.refresh_from_db()
            done = "Merci, votre évaluation est enregistrée."
            if dossier.state == DossierState.SERVICE_DONE_VALIDATED:
                done += " Elle confirme que la formation a eu lieu : le service fait est validé."
            if rating.comment_status == "pending":
                done += " Votre commentaire sera publié après relecture."
            messages.success(request, done)
            return redirect("holder:dossier_detail", number=dossier.number)
    return render_detail(request, dossier, rating_form=form, status=400)


def offer_ratings(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = Offer.objects.select_related("training__provider").filter(pk=offer_id, is_published=True).first()
    if offer is None:
        raise Http404
    context = {
        "title": f"Avis sur « {offer.training.title} »",
        "heading": offer.training.title,
        "subtitle": offer.training.provider.name,
        "provider": offer.training.provider,
        "summary": selectors.offer_summary(offer.pk),
        "comments": selectors.published_comments(offer_id=offer.pk),
    }
    return render(request, "holder/reviews/ratings.html", context)


def provider_ratings(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise Http404
    context = {
        "title": f"Avis sur {provider.name}",
        "heading": provider.name,
        "subtitle": "Toutes ses formations",
        "summary": selectors.provider_summary(provider.pk),
        "comments": selectors.published_comments(provider_id=provider.pk),
        "show_training": True,
    }
    return render(request, "holder/reviews/ratings.html", context)
