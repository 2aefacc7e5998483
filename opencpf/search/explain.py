"""Why a result is where it is, in plain French."""

from __future__ import annotations

from opencpf.core.money import format_eur
from opencpf.search.documents import NO_DATE, day_from_number
from opencpf.search.geo import band_label
from opencpf.search.index import DATE_FIT_DAYS, TEXT_LEVELS, Hit

FIELD_LABELS = {
    "cert": "intitulé ou code de la certification",
    "title": "intitulé de la formation",
    "labels": "domaines Formacode ou métiers ROME",
    "desc": "description (objectifs, contenu, résultats attendus)",
}
SORT_LABELS = {
    "relevance": "pertinence",
    "price": "prix croissant",
    "distance": "distance croissante",
    "start": "prochaine session",
    "rating": "note moyenne décroissante",
}
TIE_RULE = (
    "Entre résultats de même niveau, l'ordre est tiré au sort : il est le même pour votre adresse IP et votre "
    "recherche, différent pour une autre personne, et aucun organisme ne peut l'influencer ni le payer."
)


def explain(
    hit: Hit,
    *,
    sort: str,
    matched: list[tuple[str, list[str]]],
    place_label: str | None,
    same_level: int,
) -> dict:
    criteria: list[str] = []
    if hit.text_level is not None:
        criteria.append(f"Texte : {TEXT_LEVELS[hit.text_level]}.")
        for word, fields in matched:
            where = ", ".join(FIELD_LABELS[f] for f in fields) or "mot proche (faute de frappe tolérée)"
            criteria.append(f"« {word} » trouvé dans : {where}.")
    if hit.distance_km is not None and hit.distance_band is not None:
        near = f" de {place_label}" if place_label else ""
        criteria.append(f"Lieu : à {hit.distance_km:.0f} km{near} (tranche {band_label(hit.distance_band)}).")
    if hit.date_band is not None:
        criteria.append(
            f"Dates : une session commence dans les {DATE_FIT_DAYS} jours suivant la date choisie."
            if hit.date_band == 0
            else f"Dates : une session commence dans la période choisie, au-delà des {DATE_FIT_DAYS} premiers jours."
        )
    if not criteria:
        criteria.append("Aucun critère de texte, de lieu ni de date : toutes les offres sont au même niveau.")
    if sort == "price":
        order = f"Trié par prix croissant ({format_eur(hit.sort_value)})."
    elif sort == "start":
        order = (
            f"Trié par date de prochaine session ({day_from_number(hit.sort_value):%d/%m/%Y})."
            if hit.sort_value < NO_DATE
            else "Trié par date de prochaine session (aucune session annoncée)."
        )
    elif sort == "distance" and hit.distance_km is not None:
        order = "Trié par distance croissante."
    elif sort == "rating":
        order = "Trié par note moyenne ; les offres sans note viennent après."
    else:
        order = f"Niveau de pertinence {hit.bucket} (0 est le meilleur) ; {same_level} résultat(s) partagent le premier niveau."
    return {"level": hit.bucket, "criteria": criteria, "order": order, "tie_rule": TIE_RULE}
