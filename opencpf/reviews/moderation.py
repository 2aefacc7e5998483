"""Automatic hold of rating comments before an agent's moderation: contact details, links, insults.

A held comment is not published until an agent decides; the rating's scores count at once (they are not text).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]| at )\s*[\w-]+(?:\.[\w-]+)+", re.I)
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:fr|com|net|org|io|eu|info|biz)\b(?:/\S*)?", re.I)
# French phone numbers: 0X XX XX XX XX or +33 X XX XX XX XX, with spaces, dots or dashes.
PHONE = re.compile(r"(?:(?:\+|00)33\s?[1-9]|\b0[1-9])(?:[\s.\-]?\d{2}){4}\b")
# Keep the list short and explicit: the aim is to hold, not to judge. Accents and case are ignored.
INSULTS = {
    "con",
    "conne",
    "connard",
    "connasse",
    "salaud",
    "salope",
    "encule",
    "enfoire",
    "batard",
    "pute",
    "merde",
    "abruti",
    "debile",
    "cretin",
    "ordure",
    "pourri",
    "escroc",
    "escrocs",
    "voleur",
    "voleurs",
    "arnaqueur",
    "arnaqueurs",
    "nul",
    "nuls",
    "minable",
    "incompetent",
    "incompetents",
}
# "escroc", "voleur", "arnaqueur" are accusations rather than insults: held too, an agent may turn them into a report.
MAX_LENGTH = 2_000


@dataclass(frozen=True)
class ModerationResult:
    hold: bool
    reasons: tuple[str, ...]  # French, for the agent's queue


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def screen_comment(text: str) -> ModerationResult:
    reasons = []
    if EMAIL.search(text):
        reasons.append("Adresse électronique")
    if PHONE.search(text):
        reasons.append("Numéro de téléphone")
    if URL.search(text):
        reasons.append("Lien vers un site")
    words = set(re.findall(r"[a-z]+", _fold(text)))
    found = sorted(words & INSULTS)
    if found:
        reasons.append("Propos injurieux ou accusations : " + ", ".join(found))
    if len(text) > MAX_LENGTH:
        reasons.append(f"Commentaire trop long (plus de {MAX_LENGTH} caractères)")
    return ModerationResult(hold=bool(reasons), reasons=tuple(reasons))
