"""Agents read a holder's personal data (a reason is asked, every read is audited); administrators manage agents;
every agent passes a second factor after the password (`identity.second_factor`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencpf.core.exceptions import DomainError
from opencpf.identity import second_factor, strong
from opencpf.identity.exceptions import SecondFactorLocked
from opencpf.identity.models import Holder, User, UserKind
from opencpf.identity.roles import ROLE_LABELS
from opencpf.identity.services import agent_deactivate, agent_invite, holder_read_audited
from opencpf.web.access import agent_password_required, agent_required
from opencpf.web.step_up import CodeForm, safe_next, totp_enrol_page


@agent_required("identity.view_holder_personal_data")
def holder_detail(request: HttpRequest, holder_id: int) -> HttpResponse:
    holder = get_object_or_404(Holder.objects.select_related("user"), pk=holder_id)
    data, error = None, ""
    if request.method == "POST":
        try:
            data = holder_read_audited(
                agent=request.user,  # type: ignore[arg-type]
                holder=holder,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            error = exc.message
    return render(
        request,
        "backoffice/identity/holder.html",
        {"title": "Titulaire", "holder_id": holder.pk, "data": data, "error": error},
    )


class AgentForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", help_text="Format attendu : nom@domaine.fr")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", choices=list(ROLE_LABELS.items()))


@agent_required("identity.manage_agents")
def agents(request: HttpRequest) -> HttpResponse:
    form = AgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agent_invite(
                by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                invite_url=request.build_absolute_uri(reverse("backoffice:invitation", args=["UID", "TOKEN"]))
                .replace("UID", "{uidb64}")
                .replace("TOKEN", "{token}"),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Le compte du gestionnaire est enregistré.")
            return redirect("backoffice:agents")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    people = User.objects.filter(kind=UserKind.AGENT).prefetch_related("groups").order_by("email")
    with_app = set(TOTPDevice.objects.filter(user__in=people, confirmed=True).values_list("user_id", flat=True))
    rows = [(a, ", ".join(ROLE_LABELS.get(g.name, g.name) for g in a.groups.all()), a.pk in with_app) for a in people]
    return render(request, "backoffice/identity/agents.html", {"title": "Gestionnaires", "rows": rows, "form": form})


@agent_required("identity.manage_agents")
@require_POST
def agent_deactivate_view(request: HttpRequest, agent_id: int) -> HttpResponse:
    try:
        agent_deactivate(by=request.user, agent_id=agent_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Le compte a été désactivé.")
    return redirect("backoffice:agents")


@agent_required("identity.manage_agents")
@require_POST
def agent_factor_reset_view(request: HttpRequest, agent_id: int) -> HttpResponse:
    try:
        second_factor.agent_factor_reset(
            by=request.user,  # type: ignore[arg-type]
            agent_id=agent_id,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "L'application d'authentification du gestionnaire est réinitialisée.")
    return redirect("backoffice:agents")


@agent_password_required
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """After the password: the authenticator app's code (or, in mode "email", a code by email)."""
    user = request.user
    target = safe_next(request, "backoffice:home")
    method = second_factor.available_method(user)  # type: ignore[arg-type]
    form = CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    if request.method == "POST" and "send" in request.POST and method == strong.METHOD_EMAIL:
        try:
            second_factor.email_code_send(request=request, user=user)  # type: ignore[arg-type]
            messages.success(request, f"Un code vient d'être envoyé à {user.email}.")  # type: ignore[union-attr]
        except DomainError as exc:
            messages.error(request, exc.message)
    elif form.is_bound and form.is_valid():
        try:
            second_factor.verify(request=request, user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            return HttpResponseRedirect(target)
    locked = second_factor.locked(user)  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/identity/second_factor.html",
        {
            "title": "Vérification de sécurité",
            "form": form,
            "method": method,
            "next": target,
            "locked": SecondFactorLocked.message if locked and not form.errors else "",
        },
    )


@agent_password_required
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    return totp_enrol_page(
        request,
        base_template="backoffice/base.html",
        default_next="backoffice:home",
        already="backoffice:second_factor",
        intro="L'espace gestionnaires demande à chaque connexion le code d'une application d'authentification "
        "installée sur votre téléphone (par exemple FreeOTP, Aegis ou Google Authenticator).",
        hide_nav=True,
    )


invitation = auth_views.PasswordResetConfirmView.as_view(
    template_name="backoffice/identity/form.html",
    success_url="/gestion/connexion/",
    extra_context={"title": "Choisir mon mot de passe", "submit": "Enregistrer"},
)
