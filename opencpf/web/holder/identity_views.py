"""Holder identity pages: activation, email confirmation, password reset, FranceConnect, security settings,
second factor, sessions, personal data download."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from opencpf.core.audit import audit_record, client_ip
from opencpf.core.exceptions import DomainError
from opencpf.identity import franceconnect, services, strong
from opencpf.identity.selectors import holder_of, holder_personal_data
from opencpf.web.access import holder_required, strong_session_required
from opencpf.web.holder import identity_forms as forms
from opencpf.web.step_up import safe_next as _next
from opencpf.web.step_up import step_up_page

FORM_TEMPLATE = "holder/identity/form.html"


def _abs(request: HttpRequest, name: str, *args: str) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


@sensitive_post_parameters("nir", "password", "password2")
def activate(request: HttpRequest) -> HttpResponse:
    form = forms.ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.holder_activate(
                nir=d["nir"],
                birth_name=d["birth_name"],
                first_names=d["first_names"],
                birth_date=d["birth_date"],
                sex=d["sex"],
                email=d["email"],
                phone=d["phone"],
                password=d["password"],
                birthplace=d.get("birthplace", ""),
                confirm_url=_abs(request, "holder:email_confirm", "TOKEN").replace("TOKEN", "{token}"),
                login_url=_abs(request, "holder:login"),
                ip=client_ip(request) or "",
            )
        except DomainError as exc:
            form.add_error("nir" if exc.code == "invalid_nir" else None, exc.message)
        else:
            # Same answer whether the NIR already had an account or not.
            return render(request, "holder/identity/activation_sent.html", {"title": "Vérifiez votre messagerie"})
    return render(
        request,
        FORM_TEMPLATE,
        {
            "title": "Activer mon compte",
            "heading": "Activer mon compte formation",
            "intro": "Tous les champs sont obligatoires sauf mention contraire. Vos données sont vérifiées "
            "avec votre numéro de sécurité sociale.",
            "form": form,
            "submit": "Activer mon compte",
        },
    )


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.email_confirm(token=token)
    except DomainError as exc:
        return render(
            request, "holder/identity/message.html", {"title": "Lien invalide", "error": exc.message}, status=400
        )
    return render(
        request,
        "holder/identity/message.html",
        {
            "title": "Adresse confirmée",
            "success": "Votre adresse électronique est confirmée. Vous pouvez vous connecter.",
        },
    )


@sensitive_post_parameters("nir")
def password_reset(request: HttpRequest) -> HttpResponse:
    form = forms.NirForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                nir=form.cleaned_data["nir"],
                reset_url=_abs(request, "holder:password_reset_confirm", "UID", "TOKEN")
                .replace("UID", "{uidb64}")
                .replace("TOKEN", "{token}"),
                ip=client_ip(request) or "",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(
                request,
                "holder/identity/message.html",
                {
                    "title": "Vérifiez votre messagerie",
                    "success": "Si un compte correspond à ce numéro, un lien pour choisir un nouveau mot de passe "
                    "vient d'être envoyé à son adresse électronique.",
                },
            )
    return render(
        request,
        FORM_TEMPLATE,
        {"title": "Mot de passe oublié", "heading": "Mot de passe oublié", "form": form, "submit": "Recevoir un lien"},
    )


password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name=FORM_TEMPLATE,
    form_class=forms.ResetSetPasswordForm,
    success_url="/connexion/",
    post_reset_login=False,
    extra_context={
        "title": "Nouveau mot de passe",
        "heading": "Choisir un nouveau mot de passe",
        "submit": "Enregistrer",
    },
)


def franceconnect_login(request: HttpRequest) -> HttpResponse:
    try:
        return franceconnect.authorize_redirect(request, _abs(request, "holder:franceconnect_callback"))
    except DomainError as exc:
        status = 404 if not franceconnect.enabled() else 502
        return render(
            request, "holder/identity/message.html", {"title": "FranceConnect", "error": exc.message}, status=status
        )


def franceconnect_callback(request: HttpRequest) -> HttpResponse:
    try:
        franceconnect.complete(request)
    except DomainError as exc:
        return render(
            request, "holder/identity/message.html", {"title": "FranceConnect", "error": exc.message}, status=exc.status
        )
    return redirect("holder:dashboard")


@holder_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    holder = holder_of(user)
    can_buy, reason = strong.holder_can_purchase(holder)
    return render(
        request,
        "holder/identity/security.html",
        {
            "title": "Sécurité",
            "holder": holder,
            "strong_method": strong.strong_method(request),
            "second_factor": strong.second_factor(),
            "totp": strong.totp_device(user),  # type: ignore[arg-type]
            "sessions": services.sessions_active(user),  # type: ignore[arg-type]
            "current_key": request.session.session_key,
            "can_buy": can_buy,
            "buy_reason": reason,
            "franceconnect": franceconnect.enabled(),
        },
    )


@holder_required
@require_POST
def email_confirmation_resend(request: HttpRequest) -> HttpResponse:
    try:
        from opencpf.identity import ratelimit

        ratelimit.check("code_send", f"user:{request.user.pk}")
        services.email_confirmation_send(
            user=request.user,  # type: ignore[arg-type]
            confirm_url=_abs(request, "holder:email_confirm", "TOKEN").replace("TOKEN", "{token}"),
        )
        messages.success(request, "Un nouveau lien de confirmation vient d'être envoyé.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("holder:security")


@holder_required
def step_up(request: HttpRequest) -> HttpResponse:
    """Second factor: a TOTP code, or a code sent by email (the setting says which)."""
    method = strong.second_factor()
    if method == strong.METHOD_TOTP and strong.totp_device(request.user) is None:  # type: ignore[arg-type]
        messages.info(request, "Configurez d'abord une application d'authentification.")
        return redirect(f"{reverse('holder:totp_enrol')}?{urlencode({'next': _next(request, 'holder:security')})}")
    return step_up_page(
        request,
        method=method,
        base_template="holder/base.html",
        default_next="holder:security",
        intro="Acheter une formation ou modifier vos coordonnées demande une authentification renforcée.",
        franceconnect=True,
    )


@holder_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolling an authenticator needs a code sent to the confirmed email (an attacker with only the password
    cannot enrol their own)."""
    user = request.user
    if user.email_confirmed_at is None:  # type: ignore[union-attr]
        messages.error(request, "Confirmez d'abord votre adresse électronique.")
        return redirect("holder:security")
    device = strong.totp_device(user, confirmed=False)  # type: ignore[arg-type]
    if request.method == "POST" and "send" in request.POST:
        try:
            strong.email_code_send(request=request, user=user)  # type: ignore[arg-type]
            messages.success(request, f"Un code vient d'être envoyé à {user.email}.")  # type: ignore[union-attr]
        except DomainError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and "email_code" in request.POST:
        try:
            strong.email_code_check(request=request, user=user, code=request.POST.get("email_code", ""))  # type: ignore[arg-type]
            device = strong.totp_enrol_start(user=user)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, exc.message)
    elif request.method == "POST" and "code" in request.POST and device is not None:
        try:
            strong.totp_enrol_confirm(request=request, user=user, code=request.POST.get("code", ""))  # type: ignore[arg-type]
            strong.mark_strong(request, method=strong.METHOD_TOTP)
            messages.success(request, "Votre application d'authentification est configurée.")
            return HttpResponseRedirect(_next(request, "holder:security"))
        except DomainError as exc:
            messages.error(request, exc.message)
    secret = ""
    if device is not None:
        import base64

        secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "holder/identity/totp.html",
        {
            "title": "Application d'authentification",
            "device": device,
            "secret": secret,
            "next": _next(request, "holder:security"),
        },
    )


def _change_page(request: HttpRequest, form: object, heading: str) -> HttpResponse:
    return render(request, FORM_TEMPLATE, {"title": heading, "heading": heading, "form": form, "submit": "Enregistrer"})


@holder_required
@strong_session_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = forms.EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_email_change(
                request=request,
                user=request.user,  # type: ignore[arg-type]
                new_email=form.cleaned_data["email"],
                confirm_url=_abs(request, "holder:email_confirm", "TOKEN").replace("TOKEN", "{token}"),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Adresse modifiée. Confirmez-la avec le lien que nous venons d'envoyer.")
            return redirect("holder:security")
    return _change_page(request, form, "Changer d'adresse électronique")


@holder_required
@strong_session_required
def phone_change(request: HttpRequest) -> HttpResponse:
    form = forms.PhoneChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_phone_change(request=request, user=request.user, new_phone=form.cleaned_data["phone"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Téléphone modifié.")
            return redirect("holder:security")
    return _change_page(request, form, "Changer de téléphone")


@holder_required
@strong_session_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                request=request,
                user=request.user,  # type: ignore[arg-type]
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, "Mot de passe modifié.")
            return redirect("holder:security")
    return _change_page(request, form, "Changer de mot de passe")


@holder_required
@require_POST
def session_revoke(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        services.session_revoke(user=request.user, session_id=session_id, request=request)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "La session a été fermée.")
    return redirect("holder:security")


@holder_required
def personal_data(request: HttpRequest) -> HttpResponse:
    holder = holder_of(request.user)
    audit_record(action="identity.personal_data.exported", actor=request.user, obj=holder, request=request)
    body = json.dumps(holder_personal_data(holder), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-mon-compte-formation.json"'
    response["Cache-Control"] = "no-store"
    return response
