from __future__ import annotations

from opencpf.search import analysis


def test_accents_case_and_plurals_collapse() -> None:
    assert analysis.stems("Comptabilité") == analysis.stems("comptabilite")
    assert analysis.stems("FORMATIONS") == analysis.stems("formation")
    assert analysis.fold("Œuvre Élève") == "oeuvre eleve"


def test_stop_words_and_repeats_do_not_change_the_normalised_query() -> None:
    assert analysis.normalise_query("La comptabilité, comptabilité des PME") == "comptabilite pme"


def test_trade_synonyms_share_stems() -> None:
    soudure = dict(analysis.query_terms("soudure"))["soudure"]
    assert analysis.stem("soudage") in soudure


def test_typo_variants_only_for_long_words() -> None:
    known = {"comptabilite", "paie"}
    assert analysis.typo_variants("comptabilte", known) == {"comptabilite"}
    assert analysis.typo_variants("pai", known) == set()
