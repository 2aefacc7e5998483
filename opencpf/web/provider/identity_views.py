"""Provider staff management: an administrator invites and removes members; members see the list."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from opencpf.core.exceptions import DomainError
from opencpf.identity import services
from opencpf.identity.models import ProviderRole
from opencpf.identity.selectors import membership_for, provider_for_user, provider_members
from opencpf.web.access import provider_required


class InviteForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", help_text="Format attendu : nom@domaine.fr")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    role = forms.ChoiceField(label="Rôle", choices=ProviderRole.choices, initial=ProviderRole.MANAGER)


def _provider(request: HttpRequest):  # type: ignore[no-untyped-def]
    provider = provider_for_user(request.user)
    if provider is None:
        raise PermissionDenied("Votre compte n'est rattaché à aucun organisme.")
    return provider


@provider_required
def members(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    me = membership_for(request.user, provider.pk)
    is_admin = bool(me and me.role == ProviderRole.ADMINISTRATOR)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied("Seul un administrateur de l'organisme peut inviter des membres.")
        if form.is_valid():
            try:
                services.provider_member_invite(
                    by=request.user,  # type: ignore[arg-type]
                    provider=provider,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    invite_url=request.build_absolute_uri(reverse("provider:invitation", args=["UID", "TOKEN"]))
                    .replace("UID", "{uidb64}")
                    .replace("TOKEN", "{token}"),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "L'invitation a été envoyée.")
                return redirect("provider:members")
    return render(
        request,
        "provider/identity/members.html",
        {
            "title": "Membres de l'organisme",
            "provider": provider,
            "members": provider_members(provider),
            "is_admin": is_admin,
            "form": form,
        },
    )


@provider_required
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    provider = _provider(request)
    try:
        services.provider_member_remove(by=request.user, provider=provider, membership_id=membership_id)  # type: ignore[arg-type]
    except DomainError as exc:
        if exc.status == 404:
            from django.http import Http404

            raise Http404(exc.message) from exc
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "Le membre a été retiré de l'organisme.")
    return redirect("provider:members")


class InvitationPasswordForm(SetPasswordForm):
    def save(self, commit: bool = True):  # type: ignore[no-untyped-def]
        from opencpf.core import clock

        user = super().save(commit=False)
        user.email_confirmed_at = user.email_confirmed_at or clock.now()
        if commit:
            user.save(update_fields=["password", "email_confirmed_at"])
        return user


invitation = auth_views.PasswordResetConfirmView.as_view(
    template_name="provider/identity/form.html",
    form_class=InvitationPasswordForm,
    success_url="/organisme/connexion/",
    extra_context={"title": "Choisir mon mot de passe", "submit": "Enregistrer"},
)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Nom de la clé", help_text="Par exemple : logiciel de gestion", max_length=100)


def _require_admin(request: HttpRequest, provider) -> None:  # type: ignore[no-untyped-def]
    me = membership_for(request.user, provider.pk)
    if not (me and me.role == ProviderRole.ADMINISTRATOR):
        raise PermissionDenied("Seul un administrateur de l'organisme peut gérer les clés d'API.")


@provider_required
def api_keys(request: HttpRequest) -> HttpResponse:
    """Keys for the provider's software (header X-API-Key); a new key is shown once."""
    from opencpf.identity.models import ProviderApiKey
    from opencpf.identity.tokens import provider_api_key_create

    provider = _provider(request)
    form = ApiKeyForm(request.POST or None)
    secret = ""
    if request.method == "POST":
        _require_admin(request, provider)
        if form.is_valid():
            _, secret = provider_api_key_create(provider=provider, name=form.cleaned_data["name"], by=request.user)  # type: ignore[arg-type]
            form = ApiKeyForm()
    return render(
        request,
        "provider/identity/api_keys.html",
        {
            "title": "Clés d'API",
            "keys": ProviderApiKey.objects.filter(provider=provider).order_by("-created_at"),
            "form": form,
            "secret": secret,
        },
    )


@provider_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    from opencpf.identity.models import ProviderApiKey
    from opencpf.identity.tokens import provider_api_key_revoke

    provider = _provider(request)
    key = get_object_or_404(ProviderApiKey, pk=key_id, provider=provider)  # another provider's key: 404
    _require_admin(request, provider)
    provider_api_key_revoke(key=key, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "La clé a été révoquée.")
    return redirect("provider:api_keys")
