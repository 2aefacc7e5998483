"""The second-factor page shared by the holders' site and the providers' portal: a TOTP code, or a 6-digit code
sent by email (`identity.strong`), then back to a safe `next` page of the same site."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from opencpf.core.exceptions import DomainError
from opencpf.identity import strong


class CodeForm(forms.Form):
    code = forms.CharField(label="Code de sécurité", help_text="6 chiffres", max_length=6, min_length=6)


def safe_next(request: HttpRequest, default: str) -> str:
    """`next` from the form or the query string when it stays on this site, else the URL named `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def step_up_page(
    request: HttpRequest, *, method: str, base_template: str, default_next: str, intro: str, franceconnect: bool = False
) -> HttpResponse:
    """Send an email code on request (method "email"), check the code, mark the session strong, go to `next`.

    A wrong code changes nothing but the code's count of tries (`identity.strong.email_code_check`)."""
    user = request.user
    target = safe_next(request, default_next)
    form = CodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    if request.method == "POST" and "send" in request.POST and method == strong.METHOD_EMAIL:
        try:
            strong.email_code_send(request=request, user=user)  # type: ignore[arg-type]
            messages.success(request, f"Un code vient d'être envoyé à {user.email}.")  # type: ignore[union-attr]
        except DomainError as exc:
            messages.error(request, exc.message)
    elif form.is_bound and form.is_valid():
        try:
            strong.step_up(request=request, user=user, method=method, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            messages.success(request, "Authentification renforcée réussie.")
            return HttpResponseRedirect(target)
    return render(
        request,
        "web/step_up.html",
        {
            "title": "Vérification de sécurité",
            "base_template": base_template,
            "intro": intro,
            "franceconnect": franceconnect,
            "form": form,
            "method": method,
            "next": target,
        },
    )


def totp_enrol_page(
    request: HttpRequest, *, base_template: str, default_next: str, already: str, intro: str, hide_nav: bool = False
) -> HttpResponse:
    """Enrol an authenticator app (agents and providers' staff): a code sent to the account's email first (a stolen
    password alone cannot enrol a device), then the app's first code confirms it. `already`: where to go when the
    account has an app already."""
    import base64

    from opencpf.identity import second_factor

    user = request.user
    target = safe_next(request, default_next)
    if strong.totp_device(user) is not None:  # type: ignore[arg-type]
        return HttpResponseRedirect(reverse(already))
    device = strong.totp_device(user, confirmed=False)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST" and "send" in request.POST:
        try:
            second_factor.email_code_send(request=request, user=user)  # type: ignore[arg-type]
            messages.success(request, f"Un code vient d'être envoyé à {user.email}.")  # type: ignore[union-attr]
        except DomainError as exc:
            error = exc.message
    elif request.method == "POST" and "email_code" in request.POST:
        try:
            device = second_factor.enrol_email_check(request=request, user=user, code=request.POST["email_code"])  # type: ignore[arg-type]
        except DomainError as exc:
            error = exc.message
    elif request.method == "POST" and "code" in request.POST and device is not None:
        try:
            second_factor.enrol_confirm(request=request, user=user, code=request.POST["code"])  # type: ignore[arg-type]
        except DomainError as exc:
            error = exc.message
        else:
            strong.mark_strong(request, method=strong.METHOD_TOTP)
            messages.success(request, "Votre application d'authentification est configurée.")
            return HttpResponseRedirect(target)
    return render(
        request,
        "web/totp_enrol.html",
        {
            "title": "Application d'authentification",
            "base_template": base_template,
            "hide_nav": hide_nav,
            "intro": intro,
            "device": device,
            "secret": base64.b32encode(device.bin_key).decode() if device is not None else "",
            "error": error,
            "next": target,
        },
    )
