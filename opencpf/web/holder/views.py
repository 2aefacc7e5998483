from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from opencpf.web.access import holder_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/home.html", {"title": "Accueil"})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/accessibility.html", {"title": "Déclaration d'accessibilité"})


def legal(request: HttpRequest) -> HttpResponse:
    return render(request, "holder/legal.html", {"title": "Mentions légales et données personnelles"})


@holder_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Balance split, what needs my action, my last movements: the three things a holder comes for."""
    from opencpf.enrolment.enums import DossierState
    from opencpf.enrolment.selectors import dossiers_for_holder
    from opencpf.rights.selectors import balances, statement, topups_by_funder

    holder = request.user.holder  # type: ignore[union-attr]
    dossiers = list(dossiers_for_holder(request.user)[:20])
    to_act = [d for d in dossiers if d.state in NEEDS_HOLDER]
    context = {
        "title": "Mon compte",
        "holder": holder,
        "balances": balances(nir_hash=holder.nir_hash),
        "topups": topups_by_funder(nir_hash=holder.nir_hash),
        "movements": statement(nir_hash=holder.nir_hash)[-5:][::-1],
        "to_act": [(d, NEEDS_HOLDER[d.state]) for d in to_act],
        "current": [
            d
            for d in dossiers
            if d.state in (DossierState.NOT_PROCESSED, DossierState.ACCEPTED, DossierState.IN_TRAINING)
        ][:5],
    }
    return render(request, "holder/dashboard.html", context)


# Dossier states that wait for the holder, and what to do (the dossier page holds the button).
NEEDS_HOLDER = {
    "validated": "Accepter ou refuser la proposition de l'organisme",
    "serviceDoneDeclared": "Noter la formation",
}
