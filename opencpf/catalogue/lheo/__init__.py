"""LHEO (Langage harmonisé d'échange d'informations sur l'offre de formation) 2.2 and 2.3, in and out."""

NS_22 = "http://www.lheo.org/2.2"
NS_23 = "http://lheo.gouv.fr/2.3"
SUPPORTED = {NS_22: "2.2", NS_23: "2.3"}
