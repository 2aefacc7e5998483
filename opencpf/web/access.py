"""Who may see which portal. Views use these decorators; object-level checks live in selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from opencpf.identity.models import UserKind

View = Callable[..., HttpResponse]


def _portal_required(kind: str, login_url_name: str, perm: str | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse(login_url_name))
            if getattr(user, "kind", None) != kind:
                raise PermissionDenied("Cet espace est réservé à un autre type de compte.")
            if perm and not user.has_perm(perm):
                raise PermissionDenied("Votre rôle ne permet pas d'accéder à cette page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def holder_required(view: View) -> View:
    return _portal_required(UserKind.HOLDER, "holder:login")(view)


def provider_required(view: View) -> View:
    return _portal_required(UserKind.PROVIDER, "provider:login")(view)


def agent_required(perm: str | None = None) -> Callable[[View], View]:
    return _portal_required(UserKind.AGENT, "backoffice:login", perm)
