"""Built-in demo material used when the referentials are not loaded (and for topics they lack)."""

from __future__ import annotations

# (INSEE, name, postcode, department, latitude, longitude, weight)
CITIES = [
    ("69123", "Lyon", "69003", "69", 45.7699, 4.8292, 10),
    ("75056", "Paris", "75011", "75", 48.8626, 2.3363, 14),
    ("13055", "Marseille", "13001", "13", 43.2999, 5.3823, 7),
    ("31555", "Toulouse", "31000", "31", 43.6045, 1.4440, 6),
    ("06088", "Nice", "06000", "06", 43.7034, 7.2663, 4),
    ("44109", "Nantes", "44000", "44", 47.2173, -1.5534, 5),
    ("67482", "Strasbourg", "67000", "67", 48.5734, 7.7521, 4),
    ("34172", "Montpellier", "34000", "34", 43.6108, 3.8767, 4),
    ("33063", "Bordeaux", "33000", "33", 44.8378, -0.5792, 5),
    ("59350", "Lille", "59000", "59", 50.6292, 3.0573, 5),
    ("35238", "Rennes", "35000", "35", 48.1173, -1.6778, 4),
    ("51454", "Reims", "51100", "51", 49.2583, 4.0317, 2),
    ("42218", "Saint-Étienne", "42000", "42", 45.4397, 4.3872, 2),
    ("38185", "Grenoble", "38000", "38", 45.1885, 5.7245, 3),
    ("21231", "Dijon", "21000", "21", 47.3220, 5.0415, 2),
    ("49007", "Angers", "49000", "49", 47.4784, -0.5632, 2),
    ("37261", "Tours", "37000", "37", 47.3941, 0.6848, 2),
    ("63113", "Clermont-Ferrand", "63000", "63", 45.7772, 3.0870, 2),
    ("69266", "Villeurbanne", "69100", "69", 45.7719, 4.8902, 3),
    ("69259", "Vénissieux", "69200", "69", 45.6973, 4.8868, 1),
    ("76540", "Rouen", "76000", "76", 49.4432, 1.0999, 2),
    ("14118", "Caen", "14000", "14", 49.1829, -0.3707, 2),
    ("57463", "Metz", "57000", "57", 49.1193, 6.1757, 2),
    ("54395", "Nancy", "54000", "54", 48.6921, 6.1844, 2),
    ("29019", "Brest", "29200", "29", 48.3904, -4.4861, 1),
    ("87085", "Limoges", "87000", "87", 45.8336, 1.2611, 1),
    ("86194", "Poitiers", "86000", "86", 46.5802, 0.3404, 1),
    ("64445", "Pau", "64000", "64", 43.2951, -0.3708, 1),
    ("84007", "Avignon", "84000", "84", 43.9493, 4.8055, 1),
    ("974411", "", "", "", 0, 0, 0),  # placeholder removed below
]
CITIES = [c for c in CITIES if c[1]]
BIG_CITY_INSEE = [c[0] for c in CITIES]

# topic: (keywords to find a real certification, built-in certification (code, kind, title, level),
#         training titles, formacodes, nsf, rome, price per hour range in cents, hours range)
TOPICS = [
    ("anglais", ["anglais", "langue anglaise", "toeic"], ("RS9001", "RS", "Certificat de compétences en anglais professionnel", None),
     ["Anglais professionnel – préparation au TOEIC", "Anglais des affaires", "Anglais intensif tous niveaux", "Anglais à distance avec un formateur"],
     ["15234"], ["136"], ["M1607"], (2_500, 6_000), (20, 60)),
    ("bureautique", ["bureautique", "tosa"], ("RS9002", "RS", "Certification des compétences bureautiques (tableur et traitement de texte)", None),
     ["Excel : des bases aux tableaux croisés dynamiques", "Word et Excel au quotidien", "Bureautique : suite Office"],
     ["70322"], ["326"], ["M1607"], (2_000, 5_000), (14, 42)),
    ("comptabilite", ["comptab", "gestionnaire comptable"], ("RNCP99001", "RNCP", "Gestionnaire comptable et fiscal", 5),
     ["Comptabilité générale et fiscale", "Devenir gestionnaire comptable"],
     ["32663"], ["314"], ["M1203"], (1_200, 3_000), (150, 600)),
    ("paie", ["paie"], ("RNCP99002", "RNCP", "Gestionnaire de paie", 5),
     ["Gestionnaire de paie", "Paie et administration du personnel"],
     ["32688"], ["315"], ["M1501"], (1_200, 3_000), (200, 700)),
    ("developpeur", ["développeur", "developpeur"], ("RNCP99003", "RNCP", "Développeur web et web mobile", 5),
     ["Développeur web et web mobile", "Python pour le développement web", "Développement JavaScript full stack"],
     ["31054"], ["326"], ["M1805"], (1_000, 3_500), (300, 900)),
    ("management", ["management", "manager"], ("RNCP99004", "RNCP", "Manager d'équipe", 6),
     ["Manager une équipe de proximité", "Management et leadership"],
     ["32047"], ["310"], ["M1503"], (2_500, 7_000), (35, 210)),
    ("secretariat", ["secrétaire", "assistant de direction"], ("RNCP99005", "RNCP", "Secrétaire assistant", 4),
     ["Secrétaire assistant", "Assistant de direction"],
     ["35054"], ["324"], ["M1607"], (1_000, 2_500), (300, 800)),
    ("soudure", ["soudeur", "soudage"], ("RNCP99006", "RNCP", "Soudeur assembleur industriel", 3),
     ["Soudeur TIG et MIG", "Soudage à l'arc"], ["23684"], ["254"], ["H2913"], (1_500, 3_500), (200, 600)),
    ("permis", [], ("PERMIS-B", "OTHER", "Permis de conduire de catégorie B", None),
     ["Permis B – code et conduite", "Permis B en accéléré"], ["31812"], ["311"], ["N4101"], (3_000, 7_000), (20, 40)),
    ("bilan", [], ("BILAN", "OTHER", "Bilan de compétences", None),
     ["Bilan de compétences", "Bilan de compétences à distance"], ["15081"], ["415"], ["K1801"], (5_000, 12_000), (18, 24)),
    ("vente", ["vente", "commercial"], ("RNCP99007", "RNCP", "Négociateur technico-commercial", 5),
     ["Techniques de vente et de négociation", "Commercial terrain"], ["34582"], ["312"], ["D1402"], (1_500, 4_000), (35, 400)),
]

OBJECTIVES = [
    "Acquérir les compétences attendues par la certification et les mettre en œuvre en situation professionnelle.",
    "Maîtriser les fondamentaux du métier et gagner en autonomie.",
    "Se préparer à l'examen de certification avec un accompagnement personnalisé.",
]
CONTENTS = [
    "Positionnement initial, apports théoriques, mises en situation, études de cas, évaluation finale.",
    "Modules progressifs, exercices pratiques, projet fil rouge, préparation à la certification.",
    "Alternance d'apports et d'ateliers, suivi individuel, examen blanc.",
]
RESULTS = [
    "Obtention de la certification visée ou de blocs de compétences.",
    "Capacité à exercer les activités du référentiel de certification.",
]
QUALIOPI_BODIES = ["AFNOR Certification", "Bureau Veritas Certification", "SGS ICS", "Certif'Qualité", "ICPF"]
