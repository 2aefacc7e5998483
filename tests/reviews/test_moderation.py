import pytest

from opencpf.reviews.moderation import screen_comment


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Contactez-moi : jean.dupont@gmail.com", "Adresse électronique"),
        ("écrivez à jean (at) exemple.fr", "Adresse électronique"),
        ("Appelez le 06 12 34 56 78 pour des infos", "Numéro de téléphone"),
        ("ou le +33 6.12.34.56.78", "Numéro de téléphone"),
        ("Allez voir www.formations-pas-cheres.com", "Lien vers un site"),
        ("Meilleur site : formationsmiracle.fr/promo", "Lien vers un site"),
        ("Formateur complètement NUL et méprisant", "Propos injurieux ou accusations : nul"),
        ("Ce sont des escrocs !", "Propos injurieux ou accusations : escrocs"),
        ("Formateur incompétent", "Propos injurieux ou accusations : incompetent"),
    ],
)
def test_held(text, reason):
    result = screen_comment(text)
    assert result.hold
    assert reason in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Très bonne formation, formateur disponible, supports clairs. Je recommande.",
        "Salle un peu petite, mais contenu conforme au programme du titre professionnel.",
        "35 heures sur 5 jours, examen le 12/03, réussi avec 15,5/20.",
        "Le module Excel (version 2021) était trop rapide.",
        "Conforme à ce qui était annoncé.",
    ],
)
def test_published(text):
    result = screen_comment(text)
    assert not result.hold, result.reasons


def test_too_long_is_held():
    assert "Commentaire trop long (plus de 2000 caractères)" in screen_comment("a" * 2001).reasons
