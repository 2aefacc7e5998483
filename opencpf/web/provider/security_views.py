"""Providers' staff confirm their identity (strong session) before sensitive changes such as bank details."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from opencpf.identity import strong
from opencpf.web.access import provider_required
from opencpf.web.step_up import step_up_page


def provider_second_factor(user: object) -> str:
    """The authenticator app when the setting asks for it and the staff member has one, else a code by email
    (the portal has no authenticator enrolment yet; the login address is confirmed by the invitation)."""
    method = strong.second_factor()
    if method == strong.METHOD_TOTP and strong.totp_device(user) is not None:  # type: ignore[arg-type]
        return strong.METHOD_TOTP
    return strong.METHOD_EMAIL


@provider_required
def step_up(request: HttpRequest) -> HttpResponse:
    return step_up_page(
        request,
        method=provider_second_factor(request.user),
        base_template="provider/base.html",
        default_next="provider:bank_details",
        intro="Modifier les coordonnées bancaires de l'organisme demande de confirmer votre identité.",
    )
