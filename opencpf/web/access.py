"""Who may see which portal. Views use these decorators; object-level checks live in selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from opencpf.identity import second_factor
from opencpf.identity.models import UserKind

View = Callable[..., HttpResponse]


def _portal_required(
    kind: str, login_url_name: str, perm: str | None = None, *, second_factor_checked: bool = True
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse(login_url_name))
            if getattr(user, "kind", None) != kind:
                raise PermissionDenied("Cet espace est réservé à un autre type de compte.")
            # The agents' second factor: AgentSecondFactorMiddleware's rule, kept here too.
            if kind == UserKind.AGENT and second_factor_checked and second_factor.pending(request):
                return second_factor_redirect(request)
            if perm and not user.has_perm(perm):
                raise PermissionDenied("Votre rôle ne permet pas d'accéder à cette page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Where an agent who gave only their password may go: the second factor's pages, and the ways out.
SECOND_FACTOR_OPEN = {
    "backoffice:second_factor",
    "backoffice:second_factor_enrol",
    "backoffice:login",
    "backoffice:logout",
    "provider:login",
    "provider:logout",
    "holder:login",
    "holder:logout",
    "manifest",
    "service_worker",
    "offline",
}


def second_factor_redirect(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django.utils.http import urlencode

    return redirect(f"{reverse('backoffice:second_factor')}?{urlencode({'next': request.get_full_path()})}")


class AgentSecondFactorMiddleware:
    """The one place the agents' second factor is enforced: an agent session that passed only the password gets
    the second-factor page (pages) or a 403 problem+json `second_factor_required` (API), whatever the route."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if not second_factor.pending(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_OPEN:
            return None
        if request.path.startswith("/api/"):
            from opencpf.api.errors import problem
            from opencpf.identity.exceptions import SecondFactorRequired

            response = problem(request, 403, SecondFactorRequired.code, SecondFactorRequired.message)
            response["Cache-Control"] = "no-store"  # nothing was done: the idempotency key stays free
            return response
        return second_factor_redirect(request)


def holder_required(view: View) -> View:
    return _portal_required(UserKind.HOLDER, "holder:login")(view)


def provider_required(view: View) -> View:
    return _portal_required(UserKind.PROVIDER, "provider:login")(view)


def agent_required(perm: str | None = None) -> Callable[[View], View]:
    return _portal_required(UserKind.AGENT, "backoffice:login", perm)


def agent_password_required(view: View) -> View:
    """Only for the second factor's own pages: an agent signed in, second factor passed or not."""
    return _portal_required(UserKind.AGENT, "backoffice:login", second_factor_checked=False)(view)


def strong_session_required(view: View) -> View:
    """For pages that move money or change credentials: without a strong session, go to the verification page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.utils.http import urlencode

        from opencpf.identity.exceptions import StrongAuthenticationRequired
        from opencpf.identity.strong import is_strong_session

        if request.user.is_authenticated and not is_strong_session(request):
            messages.info(request, StrongAuthenticationRequired.message)
            return redirect(f"{reverse('holder:step_up')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def get_for_holder_or_404(request: HttpRequest, queryset: Any, *, field: str = "holder", **lookup: Any) -> Any:
    """Object-level check for holders: another holder's id gives 404, never 403 (nothing to learn)."""
    from django.shortcuts import get_object_or_404

    from opencpf.identity.selectors import scope_to_holder

    return get_object_or_404(scope_to_holder(queryset, request.user, field=field), **lookup)


def get_for_provider_or_404(request: HttpRequest, queryset: Any, *, field: str = "provider", **lookup: Any) -> Any:
    """Object-level check for providers' staff: provider B's id gives 404 to provider A's staff."""
    from django.shortcuts import get_object_or_404

    from opencpf.identity.selectors import scope_to_provider

    return get_object_or_404(scope_to_provider(queryset, request.user, field=field), **lookup)
