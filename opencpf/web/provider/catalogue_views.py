"""Provider portal: offers, sessions, LHEO upload and API keys, always scoped to the user's provider."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.catalogue import selectors, services
from opencpf.catalogue.exceptions import LheoError, OfferNotFound
from opencpf.catalogue.lheo.importer import import_lheo_bytes
from opencpf.catalogue.models import Provider
from opencpf.catalogue.rules import offer_publication_problems
from opencpf.core.exceptions import DomainError
from opencpf.identity.selectors import provider_for_user
from opencpf.web.access import provider_required
from opencpf.web.provider.catalogue_forms import (
    ApplicationForm,
    LheoUploadForm,
    OfferFilterForm,
    OfferForm,
    SessionDuplicateForm,
    SessionForm,
)


def _provider(request: HttpRequest) -> Provider:
    provider = provider_for_user(request.user)
    if provider is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucun organisme.")
    return provider


def _offer(request: HttpRequest, offer_id: int) -> Any:
    try:
        return selectors.offer_for_provider(_provider(request), offer_id)
    except OfferNotFound as exc:
        raise Http404(exc.message) from exc


def _session(request: HttpRequest, session_id: int) -> Any:
    try:
        return selectors.session_for_provider(_provider(request), session_id)
    except OfferNotFound as exc:
        raise Http404(exc.message) from exc


@provider_required
def offer_list(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    form = OfferFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "q": d["q"],
            "modality": d["modality"],
            "certification": d["certification"],
            "city": d["city"],
            "published": {"1": True, "0": False}.get(d["published"]),
        }
    page = Paginator(selectors.provider_offers(provider, **filters), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "provider/catalogue/offer_list.html",
        {
            "title": "Mes offres de formation",
            "provider": provider,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


def _save_offer(request: HttpRequest, provider: Provider, form: OfferForm, offer: Any = None) -> Any:
    d = form.cleaned_data
    try:
        cert = services.certification_by_code(d["certification_code"])
        if offer is None:
            return services.offer_create(
                provider=provider,
                actor=request.user,
                certification=cert,
                training_reference=d["training_reference"],
                offer_reference=d["offer_reference"],
                training=form.training_data(),
                offer=form.offer_data(),
            )
        return services.offer_update(
            offer=offer, actor=request.user, training=form.training_data(), fields=form.offer_data(), certification=cert
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


@provider_required
def offer_create(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    form = OfferForm(request.POST or None, initial={"modality": "in_person", "hours_centre": 0, "hours_company": 0})
    if request.method == "POST" and form.is_valid():
        offer = _save_offer(request, provider, form)
        if offer is not None:
            messages.success(request, "L'offre est enregistrée. Vérifiez-la puis publiez-la.")
            return redirect("provider:offer_detail", offer_id=offer.pk)
    return render(request, "provider/catalogue/offer_form.html", {"title": "Nouvelle offre", "form": form})


@provider_required
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    provider = _provider(request)
    offer = _offer(request, offer_id)
    form = OfferForm(request.POST or None, initial=OfferForm.initial_from(offer))
    form.fields["training_reference"].disabled = True
    form.fields["offer_reference"].disabled = True
    if request.method == "POST" and form.is_valid() and _save_offer(request, provider, form, offer) is not None:
        messages.success(request, "Les modifications sont enregistrées.")
        return redirect("provider:offer_detail", offer_id=offer.pk)
    return render(
        request, "provider/catalogue/offer_form.html", {"title": "Modifier l'offre", "form": form, "offer": offer}
    )


@provider_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(request, offer_id)
    return render(
        request,
        "provider/catalogue/offer_detail.html",
        {
            "title": offer.training.title,
            "offer": offer,
            "sessions": selectors.offer_sessions(offer),
            "problems": [] if offer.is_published else offer_publication_problems(offer),
            "history": selectors.offer_history(offer, limit=20),
            "duplicate_form": SessionDuplicateForm(),
        },
    )


@provider_required
@require_POST
def offer_action(request: HttpRequest, offer_id: int, action: str) -> HttpResponse:
    offer = _offer(request, offer_id)
    try:
        if action == "publish":
            services.offer_publish(offer=offer, actor=request.user)
            messages.success(request, "L'offre est publiée.")
        elif action == "unpublish":
            services.offer_unpublish(offer=offer, actor=request.user, reason="dépubliée par l'organisme")
            messages.success(request, "L'offre est dépubliée.")
        elif action == "duplicate":
            copy = services.offer_duplicate(offer=offer, actor=request.user)
            messages.success(request, "L'offre est dupliquée. Modifiez la copie puis publiez-la.")
            return redirect("provider:offer_detail", offer_id=copy.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("provider:offer_detail", offer_id=offer.pk)


@provider_required
def session_create(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(request, offer_id)
    form = SessionForm(request.POST or None, initial={"is_recruiting": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(offer=offer, actor=request.user, **form.cleaned_data)
            messages.success(request, "La session est ajoutée.")
            return redirect("provider:offer_detail", offer_id=offer.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request, "provider/catalogue/session_form.html", {"title": "Nouvelle session", "form": form, "offer": offer}
    )


@provider_required
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    initial = {f: getattr(session, f) for f in ("reference", "start_date", "end_date", "is_recruiting", "capacity")}
    form = SessionForm(request.POST or None, initial=initial)
    form.fields["reference"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "reference"}
        try:
            services.session_update(session=session, actor=request.user, **data)
            messages.success(request, "La session est modifiée.")
            return redirect("provider:offer_detail", offer_id=session.offer_id)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "provider/catalogue/session_form.html",
        {
            "title": "Modifier la session",
            "form": form,
            "offer": session.offer,
            "session": session,
        },
    )


@provider_required
@require_POST
def session_duplicate(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = SessionDuplicateForm(request.POST)
    if form.is_valid():
        try:
            services.session_duplicate(session=session, actor=request.user, start_date=form.cleaned_data["start_date"])
            messages.success(request, "La session est dupliquée.")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Indiquez la date de début de la nouvelle session.")
    return redirect("provider:offer_detail", offer_id=session.offer_id)


@provider_required
def lheo_upload(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    form = LheoUploadForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_lheo_bytes(
                form.cleaned_data["file"].read(),
                partial=form.cleaned_data["partial"],
                scope_provider=provider,
                actor=request.user,
                create_providers=False,
            )
        except LheoError as exc:
            error = exc.message
    return render(
        request,
        "provider/catalogue/lheo_upload.html",
        {
            "title": "Déposer un fichier LHEO",
            "form": form,
            "report": report,
            "error": error,
        },
    )


def referencing_apply(request: HttpRequest) -> HttpResponse:
    """Public page: an organisation applies for referencing and gets its staff login."""
    from django.db import transaction

    from opencpf.catalogue.services.referencing import PermissionInput
    from opencpf.identity.models import ProviderMembership, ProviderRole, User, UserKind
    from opencpf.identity.services import staff_user_create

    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if User.objects.filter(username=d["email"].lower()).exists():
            form.add_error("email", "Un compte existe déjà avec cette adresse.")
        else:
            try:
                with transaction.atomic():
                    provider = services.provider_apply(
                        name=d["name"],
                        siret=d["siret"],
                        nda=d["nda"],
                        email=d["email"],
                        qualiopi_number=d["qualiopi_number"],
                        qualiopi_body=d["qualiopi_body"],
                        qualiopi_expires_on=d["qualiopi_expires_on"],
                        permissions=[PermissionInput(c, d["certifier"]) for c in form.certification_codes()],
                        directors_declaration=d["directors_declaration"],
                    )
                    user = staff_user_create(email=d["email"], password=d["password"], kind=UserKind.PROVIDER)
                    ProviderMembership.objects.create(user=user, provider=provider, role=ProviderRole.ADMINISTRATOR)
                messages.success(
                    request,
                    f"Votre demande est enregistrée. Elle sera instruite avant le {provider.check_deadline:%d/%m/%Y}. "
                    "Vous pouvez vous connecter pour suivre son avancement.",
                )
                return redirect("provider:login")
            except DomainError as exc:
                form.add_error(None, exc.message)
    return render(request, "provider/catalogue/apply.html", {"title": "Demande de référencement", "form": form})


@provider_required
def referencing_status(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    return render(
        request,
        "provider/catalogue/referencing.html",
        {
            "title": "Mon référencement",
            "provider": provider,
            "deadline": selectors.deadline_state(provider),
            "qualiopi": provider.qualiopi_certificates.all(),
            "permissions": provider.permissions.select_related("certification").order_by("certification__code"),
            "decisions": provider.referencing_decisions.all()[:20],
        },
    )
