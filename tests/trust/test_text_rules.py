import pytest

from opencpf.trust.text_rules import screen_offer_text


def rules(text: str, **kw) -> set[str]:
    return {f.rule for f in screen_offer_text(text, **kw) if f.score >= 0.6}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Formation réservée aux hommes.", "discrimination.sex"),
        ("Session RÉSERVÉE AUX FEMMES uniquement", "discrimination.sex"),
        ("Candidats de moins de 30 ans.", "discrimination.age"),
        ("Public : 18 à 25 ans.", "discrimination.age"),
        ("Âge maximum : 45 ans.", "discrimination.age"),
        ("Nationalité française exigée.", "discrimination.origin"),
        ("Pas de femmes enceintes pour cette formation.", "discrimination.pregnancy"),
        ("Personnes célibataires uniquement.", "discrimination.family"),
        ("Formation réservée aux habitants de Neuilly.", "discrimination.residence"),
        ("Candidats catholiques pratiquants exigés.", "discrimination.religion"),
        ("Les personnes handicapées sont exclues de ce parcours.", "discrimination.disability"),
        ("Nous n'acceptons pas les salariés syndiqués.", "discrimination.union"),
        ("Initiation au biodécodage et aux constellations familiales.", "sectarian.practice"),
        ("Module de décodage biologique des maladies.", "sectarian.practice"),
        ("Devenez praticien en kinésiologie et en Reiki.", "sectarian.practice"),
    ],
)
def test_flagged(text, rule):
    assert rule in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "Formation ouverte aux hommes et aux femmes.",
        "Accessible aux personnes en situation de handicap : référent handicap sur place.",
        "Ouvert à tous, quel que soit votre âge ou votre situation familiale.",
        "Avoir plus de 18 ans (permis de conduire).",
        "Durée : 35 heures sur 5 jours. Prix : 1 200 €.",
        "Maîtriser la comptabilité générale et la paie d'une petite entreprise.",
        "Les stagiaires étrangers et français sont accueillis.",
        "Soudage TIG et MIG sur acier et aluminium, 120 heures en atelier.",
    ],
)
def test_not_flagged(text):
    assert rules(text) == set()


def test_finding_shows_the_text_it_came_from():
    text = "Objectifs : maîtriser Excel. Conditions : formation réservée aux femmes de moins de 35 ans. Lieu : Lyon."
    findings = screen_offer_text(text)
    by_rule = {f.rule: f for f in findings}
    sex = by_rule["discrimination.sex"]
    assert sex.excerpt == "Conditions : formation réservée aux femmes de moins de 35 ans."
    assert text[sex.start : sex.end] == sex.matched and "femmes" in sex.matched
    assert "Discrimination selon le sexe" in sex.reason
    assert by_rule["discrimination.age"].matched.endswith("35 ans")


def test_personal_development_without_the_certification_substance():
    text = (
        "Un parcours d'éveil spirituel pour élever votre énergie vibratoire, "
        "trouver l'harmonie de l'âme et la guérison intérieure par la méditation."
    )
    assert "sectarian.personal_development" in rules(text, certification_title="Gestionnaire de paie")
    legit = "Développement personnel du manager : écoute, énergie d'équipe, méditation ; gestion de la paie et des conflits."
    assert "sectarian.personal_development" not in rules(legit, certification_title="Gestionnaire de paie")
