"""Views shared by the three portals: error pages and the login page factory."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.template import loader

from opencpf.api.errors import problem


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    body = loader.render_to_string(
        "web/error.html",
        {
            "status": 404,
            "heading": "Page non trouvée",
            "message": "La page que vous cherchez est introuvable. Vérifiez l'adresse ou revenez à l'accueil.",
        },
        request,
    )
    return HttpResponse(body, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    import sys

    from opencpf.web.middleware import is_database_unavailable, unavailable_response

    if is_database_unavailable(sys.exc_info()[1]):  # e.g. the session could not be saved
        return unavailable_response(request)
    body = loader.render_to_string(
        "web/error.html",
        {
            "status": 500,
            "heading": "Erreur inattendue",
            "message": "Désolé, le service rencontre un problème. Nous y travaillons. Réessayez dans quelques instants.",
        },
    )  # no request context: the failure may come from the database that the context processors need
    return HttpResponse(body, status=500)


def login_view(
    *, form_class: type, heading: str, base_template: str, intro: str = "", default_next: str, extra: dict | None = None
) -> Any:
    return auth_views.LoginView.as_view(
        template_name="web/login.html",
        authentication_form=form_class,
        redirect_authenticated_user=False,
        next_page=default_next,
        extra_context={"heading": heading, "base_template": base_template, "intro": intro, **(extra or {})},
    )


def lockout(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes lockout answer (too many failed logins), in French; problem+json for the API."""
    if request.path.startswith("/api/"):
        return problem(
            request,
            429,
            "too_many_attempts",
            "Par sécurité, la connexion est bloquée pendant une heure après plusieurs échecs. Réessayez plus tard.",
        )
    body = loader.render_to_string(
        "web/error.html",
        {
            "status": 429,
            "heading": "Trop de tentatives de connexion",
            "message": "Par sécurité, la connexion est bloquée pendant une heure après plusieurs échecs. "
            "Réessayez plus tard ou utilisez « Mot de passe oublié ».",
        },
        request,
    )
    return HttpResponse(body, status=429)
