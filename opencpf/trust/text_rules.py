"""Offer texts screened for discrimination (Code du travail L1132-1) and sectarian drift (Miviludes).

Texts are tokenised, lemmatised in French (simplemma) and accent-folded, so that "réservées aux femmes",
"réservé aux Femmes" and "RESERVE AUX FEMMES" read alike. A discrimination finding needs a protected
criterion (sex, age, origin...) near a selecting word (réservé, uniquement, exigé, maximum, pas de...), and
no inclusive wording around it (tous, quel que soit, hommes et femmes...). Every finding carries the sentence
it came from and the exact span, for the agent who decides: the software never sanctions on its own.
The word lists are configuration (`RULESET`, versioned); rules are small and named.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import simplemma

RULESET_VERSION = "2026-11-23"
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    return fold(simplemma.lemmatize(word.lower(), lang="fr"))


_SENTENCE_END = re.compile(r"[.!?;:\n]")


@dataclass(frozen=True)
class Token:
    lemma: str
    start: int
    end: int
    sentence: int  # windows never cross a sentence


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    sentence, last_end = 0, 0
    for m in _WORD.finditer(text):
        if _SENTENCE_END.search(text, last_end, m.start()):
            sentence += 1
        tokens.append(Token(lemma(m.group()), m.start(), m.end(), sentence))
        last_end = m.end()
    return tokens


def _lemmas(phrase: str) -> tuple[str, ...]:
    return tuple(t.lemma for t in tokenize(phrase))


@dataclass(frozen=True)
class Finding:
    rule: str  # stable code, e.g. "discrimination.sex"
    label: str  # French, for agents
    score: float  # 0..1
    excerpt: str  # the sentence it came from
    start: int  # span of the match in the original text
    end: int
    matched: str

    @property
    def reason(self) -> str:
        return f"{self.label} : « {self.matched} » dans « {self.excerpt} »"


# --- configuration -------------------------------------------------------------------------------------------
STRONG_SELECTORS = {
    "reserve",
    "reserver",
    "uniquement",
    "exclusivement",
    "seulement",
    "strictement",
    "exiger",
    "exige",
    "requis",
    "obligatoire",
    "obligatoirement",
    "interdit",
    "interdire",
    "exclu",
    "exclure",
    "refuser",
    "refuse",
    "maximum",
    "max",
    "limite",
    "imperativement",
    "imperatif",
}
WEAK_SELECTORS = {"pas", "aucun", "aucune", "non", "ni", "sauf", "hors"}
INCLUSIVE = {
    "tout",
    "tous",
    "toute",
    "toutes",
    "quel",
    "quelle",
    "mixte",
    "distinction",
    "egalite",
    "egal",
    "accessible",
    "adapte",
    "adapter",
    "amenagement",
    "amenager",
    "referent",
    "accueillir",
    "accompagner",
}
WINDOW = 4

CRITERIA: dict[str, tuple[str, set[str]]] = {
    "sex": (
        "Discrimination selon le sexe",
        {"homme", "femme", "masculin", "feminin", "fille", "garcon", "monsieur", "madame"},
    ),
    "origin": (
        "Discrimination selon l'origine ou la nationalité",
        {"origine", "nationalite", "race", "ethnie", "ethnique", "souche", "etranger"},
    ),
    "family": (
        "Discrimination selon la situation de famille",
        {"celibataire", "marie", "enfant", "famille", "familial", "familiale"},
    ),
    "pregnancy": ("Discrimination liée à la grossesse", {"enceinte", "grossesse", "maternite"}),
    "disability": (
        "Discrimination selon le handicap ou l'état de santé",
        {"handicap", "handicape", "invalidite", "valide", "sante", "maladie"},
    ),
    "religion": (
        "Discrimination selon les convictions religieuses",
        {
            "religion",
            "religieux",
            "confession",
            "catholique",
            "musulman",
            "juif",
            "chretien",
            "protestant",
            "bouddhiste",
            "pratiquant",
            "croyant",
            "athee",
        },
    ),
    "residence": (
        "Discrimination selon le lieu de résidence",
        {"habitant", "resident", "residant", "resider", "domicilie", "domicile", "habiter", "quartier"},
    ),
    "union": ("Discrimination selon l'activité syndicale", {"syndique", "syndical", "syndicale", "syndicat"}),
    "appearance": (
        "Discrimination selon l'apparence physique",
        {"physique", "apparence", "poids", "taille", "silhouette"},
    ),
}
AGE_LABEL = "Discrimination selon l'âge"

SECT_TERMS: dict[str, float] = {
    "biodécodage": 1.0,
    "décodage biologique": 1.0,
    "kinésiologie": 1.0,
    "constellations familiales": 1.0,
    "reiki": 1.0,
    "médecine quantique": 1.0,
    "nouvelle médecine germanique": 1.0,
    "respirianisme": 1.0,
    "psychogénéalogie": 0.8,
    "soins énergétiques": 0.8,
    "harmonisation énergétique": 0.8,
    "mémoire cellulaire": 0.8,
    "hypnose régressive": 0.8,
    "vies antérieures": 0.8,
    "lithothérapie": 0.8,
    "channeling": 0.8,
    "access bars": 0.8,
    "magnétiseur": 0.6,
    "chakras": 0.6,
    "thérapie quantique": 0.8,
    "biologie totale": 1.0,
}
PERSONAL_DEVELOPMENT = {
    "developpement",
    "personnel",
    "epanouissement",
    "eveil",
    "spirituel",
    "spiritualite",
    "energie",
    "vibration",
    "vibratoire",
    "guerison",
    "guerir",
    "conscience",
    "ame",
    "meditation",
    "lacher",
    "prise",
    "bien",
    "etre",
    "harmonie",
    "aura",
    "cosmique",
    "univers",
}
STOPWORDS = {
    "de",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "et",
    "en",
    "a",
    "au",
    "aux",
    "pour",
    "par",
    "dans",
    "sur",
    "avec",
    "d",
    "l",
    "ou",
    "son",
    "sa",
    "ses",
    "option",
    "niveau",
    "certificat",
    "titre",
    "diplome",
    "professionnel",
    "specialite",
    "mention",
    "bloc",
    "competence",
}


# --- rules ---------------------------------------------------------------------------------------------------
def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in ".!?\n;")
    right_candidates = [i for i in (text.find(ch, end) for ch in ".!?\n;") if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1 : right + 1].strip()


def _finding(
    text: str, tokens: list[Token], i: int, j: int, rule: str, label: str, score: float, pivot: int | None = None
) -> Finding:
    """The span tokens[i..j], trimmed to the sentence of the pivot token (default: i)."""
    sentence = tokens[i if pivot is None else pivot].sentence
    while tokens[i].sentence != sentence:
        i += 1
    while tokens[j].sentence != sentence:
        j -= 1
    start, end = tokens[i].start, tokens[j].end
    return Finding(
        rule=rule,
        label=label,
        score=score,
        excerpt=_sentence(text, start, end),
        start=start,
        end=end,
        matched=text[start:end],
    )


def _window(tokens: list[Token], lo: int, hi: int, width: int = WINDOW) -> list[str]:
    """Lemmas around tokens[lo..hi], within the same sentence."""
    sentence = tokens[lo].sentence
    return [t.lemma for t in tokens[max(0, lo - width) : hi + width + 1] if t.sentence == sentence]


def _selection_score(window: list[str]) -> float:
    if any(w in INCLUSIVE for w in window) or "quel que" in " ".join(window):
        return 0.0
    if any(w in STRONG_SELECTORS for w in window):
        return 1.0
    if any(w in WEAK_SELECTORS for w in window):
        return 0.6
    return 0.0


def _criteria_findings(text: str, tokens: list[Token]) -> list[Finding]:
    lemmas = [t.lemma for t in tokens]
    findings = []
    for code, (label, terms) in CRITERIA.items():
        for i, lem in enumerate(lemmas):
            if lem not in terms:
                continue
            near = _window(tokens, i, i)
            if code == "sex" and ({"homme", "femme"} <= set(near) or {"masculin", "feminin"} <= set(near)):
                continue  # "hommes et femmes" is inclusive
            score = _selection_score(near)
            if score:
                lo = max(0, i - 2)
                findings.append(
                    _finding(text, tokens, lo, min(len(tokens) - 1, i + 1), f"discrimination.{code}", label, score, i)
                )
    return findings


def _age_findings(text: str, tokens: list[Token]) -> list[Finding]:
    lemmas = [t.lemma for t in tokens]
    findings = []
    for i in range(len(lemmas) - 1):
        if not (lemmas[i].isdigit() and lemmas[i + 1] in {"an", "ans"}):
            continue
        years = int(lemmas[i])
        before = lemmas[max(0, i - 3) : i]
        upper = (
            "moins" in before
            or "maximum" in lemmas[i + 2 : i + 4]
            or "max" in lemmas[i + 2 : i + 4]
            or (i >= 2 and lemmas[i - 2].isdigit() and lemmas[i - 1] in {"a", "et"})
        )
        lower = "plus" in before or "minimum" in lemmas[i + 2 : i + 4]
        near = _window(tokens, i, i + 1)
        if _selection_score(near) == 0.0 and not (upper or lower):
            continue
        if any(w in INCLUSIVE for w in near):
            continue
        if upper:
            score = 1.0
        elif lower and years > 18:
            score = 0.6  # legal minimum ages (16, 18) are legitimate; higher ones need a justification
        else:
            continue
        findings.append(_finding(text, tokens, max(0, i - 2), i + 1, "discrimination.age", AGE_LABEL, score, i))
    for i, lem in enumerate(lemmas):
        if lem == "age" and any(w in {"maximum", "limite", "max"} for w in lemmas[i + 1 : i + 3]):
            findings.append(
                _finding(text, tokens, i, min(len(tokens) - 1, i + 1), "discrimination.age", AGE_LABEL, 1.0)
            )
    return findings


@lru_cache(maxsize=1)
def _sect_patterns() -> list[tuple[tuple[str, ...], str, float]]:
    return [(_lemmas(term), term, weight) for term, weight in SECT_TERMS.items()]


def _sect_findings(text: str, tokens: list[Token]) -> list[Finding]:
    lemmas = [t.lemma for t in tokens]
    findings = []
    for pattern, term, weight in _sect_patterns():
        n = len(pattern)
        for i in range(len(lemmas) - n + 1):
            if tuple(lemmas[i : i + n]) == pattern:
                findings.append(
                    _finding(
                        text,
                        tokens,
                        i,
                        i + n - 1,
                        "sectarian.practice",
                        f"Pratique signalée par la Miviludes ({term})",
                        weight,
                    )
                )
    return findings


def _personal_development_finding(text: str, tokens: list[Token], certification_title: str) -> Finding | None:
    lemmas = [t.lemma for t in tokens]
    hits = [i for i, w in enumerate(lemmas) if w in PERSONAL_DEVELOPMENT]
    if len({lemmas[i] for i in hits}) < 4:
        return None
    cert_words = {w for w in _lemmas(certification_title) if w not in STOPWORDS and len(w) > 2}
    text_words = {w for w in lemmas if w not in STOPWORDS}
    if cert_words & (text_words - PERSONAL_DEVELOPMENT):
        return None
    return _finding(
        text,
        tokens,
        hits[0],
        hits[min(len(hits) - 1, 3)],
        "sectarian.personal_development",
        "Développement personnel sans lien avec le contenu de la certification",
        0.6,
    )


def screen_offer_text(text: str, *, certification_title: str = "") -> list[Finding]:
    """Every finding in an offer's texts (title, objectives, content, prerequisites), strongest first."""
    tokens = tokenize(text or "")
    findings = _criteria_findings(text, tokens) + _age_findings(text, tokens) + _sect_findings(text, tokens)
    if certification_title:
        pd = _personal_development_finding(text, tokens, certification_title)
        if pd:
            findings.append(pd)
    unique: dict[tuple[str, int], Finding] = {}
    for f in findings:
        key = (f.rule, f.start)
        if key not in unique or unique[key].score < f.score:
            unique[key] = f
    return sorted(unique.values(), key=lambda f: (-f.score, f.start))
