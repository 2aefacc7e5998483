"""Text analysis: accent folding (unicodedata), French Snowball stemming, a few trade synonyms, typo variants.

Words are folded before stemming, so `comptabilite` and `Comptabilité` give the same stem; plurals collapse
through the stemmer (`formations` -> `format`). Nothing here ranks anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("french")

# Words too common to say anything about an offer (folded). Short on purpose: a stop word is never searchable.
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "d",
        "un",
        "une",
        "ou",
        "par",
        "pour",
        "sur",
        "se",
        "sa",
        "son",
        "ses",
        "qui",
        "que",
        "quoi",
        "dont",
        "y",
        "n",
        "ne",
        "pas",
        "plus",
        "est",
        "sont",
        "etre",
        "il",
        "elle",
        "ils",
        "elles",
        "nous",
        "vous",
        "je",
        "tu",
        "on",
        "c",
        "s",
        "j",
        "m",
        "t",
        "qu",
    ]
)

# Trade synonyms (folded surface words). Each group matches as one word.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("soudure", "soudage", "soudeur", "soudeuse"),
    ("comptabilite", "comptable", "compta"),
    ("informatique", "numerique"),
    ("developpeur", "developpeuse", "developpement", "programmation", "programmeur"),
    ("anglais", "english"),
    ("permis", "conduite"),
    ("cariste", "caces", "chariot"),
    ("secretaire", "secretariat"),
    ("paie", "paye"),
    ("electricien", "electricienne", "electricite"),
    ("vendeur", "vendeuse", "vente"),
    ("cuisinier", "cuisiniere", "cuisine"),
    ("infirmier", "infirmiere", "soins"),
    ("bureautique", "excel", "word"),
)

TYPO_MIN_LENGTH = 5
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def fold(text: str) -> str:
    """Lower case without accents or ligatures: 'Comptabilité Œuvre' -> 'comptabilite oeuvre'."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words without stop words."""
    return [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of a folded word (cached: the Snowball stemmer is pure Python)."""
    if word.isdigit() or len(word) <= 2:
        return word
    return _STEMMER.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def _synonym_table() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        stems_ = frozenset(stem(w) for w in group)
        for s in stems_:
            table[s] = table.get(s, frozenset()) | stems_
    return table


SYNONYMS = _synonym_table()


def edits1(word: str) -> set[str]:
    """Every string at Damerau-Levenshtein distance 1 (deletes, transposes, replaces, inserts)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def normalise_query(text: str) -> str:
    """The query as the fair order sees it: folded words in order, stop words and repeats dropped."""
    seen: list[str] = []
    for w in words(text):
        if w not in seen:
            seen.append(w)
    return " ".join(seen)


def query_terms(text: str) -> list[tuple[str, frozenset[str]]]:
    """(surface word, stems it may match) for each distinct query word, synonyms included."""
    out: list[tuple[str, frozenset[str]]] = []
    seen: set[str] = set()
    for w in words(text):
        s = stem(w)
        if s in seen:
            continue
        seen.add(s)
        out.append((w, SYNONYMS.get(s, frozenset((s,)))))
    return out


def typo_variants(word: str, known_words: Iterable[str] | set[str]) -> set[str]:
    """Known folded words one edit away from `word` (words of 5 letters or more only)."""
    if len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return set()
    known = known_words if isinstance(known_words, set | frozenset) else set(known_words)
    return {w for w in edits1(word) if w in known}
