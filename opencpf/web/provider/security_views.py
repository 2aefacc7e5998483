"""Providers' staff: their security page (an optional authenticator app) and the identity check (strong session)
before sensitive changes such as bank details."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencpf.core.exceptions import DomainError
from opencpf.identity import second_factor, strong
from opencpf.web.access import provider_required
from opencpf.web.step_up import step_up_page, totp_enrol_page


def provider_second_factor(user: object) -> str:
    """The authenticator app when the staff member enrolled one (security page), else a code by email (the login
    address is confirmed by the invitation)."""
    if strong.totp_device(user) is not None:  # type: ignore[arg-type]
        return strong.METHOD_TOTP
    return strong.METHOD_EMAIL


@provider_required
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "provider/identity/security.html",
        {
            "title": "Sécurité",
            "totp": strong.totp_device(request.user),  # type: ignore[arg-type]
            "strong_method": strong.strong_method(request),
        },
    )


@provider_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    return totp_enrol_page(
        request,
        base_template="provider/base.html",
        default_next="provider:security",
        already="provider:security",
        intro="Avec une application d'authentification, vous confirmez votre identité (par exemple avant de "
        "modifier les coordonnées bancaires) par son code plutôt que par un code envoyé par courriel.",
    )


@provider_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    try:
        second_factor.totp_remove(request=request, user=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "L'application d'authentification est supprimée : vos codes arriveront par courriel.")
    return redirect("provider:security")


@provider_required
def step_up(request: HttpRequest) -> HttpResponse:
    return step_up_page(
        request,
        method=provider_second_factor(request.user),
        base_template="provider/base.html",
        default_next="provider:bank_details",
        intro="Modifier les coordonnées bancaires de l'organisme demande de confirmer votre identité.",
    )
