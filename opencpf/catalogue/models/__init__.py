"""Catalogue models: referentials, providers and their referencing, trainings, offers, sessions."""

from opencpf.catalogue.models.offers import (
    Modality,
    Offer,
    OfferChange,
    OfferChangeAction,
    Provider,
    ProviderStatus,
    Session,
    Training,
)
from opencpf.catalogue.models.referencing import (
    CertifierPermission,
    QualiopiCertificate,
    ReferencingDecision,
)
from opencpf.catalogue.models.referentials import (
    Certification,
    CertificationKind,
    Certifier,
    Commune,
    Formacode,
    Nsf,
    RomeJob,
    RomeTitle,
    SkillBlock,
)

__all__ = [
    "Certification",
    "CertificationKind",
    "Certifier",
    "CertifierPermission",
    "Commune",
    "Formacode",
    "Modality",
    "Nsf",
    "Offer",
    "OfferChange",
    "OfferChangeAction",
    "Provider",
    "ProviderStatus",
    "QualiopiCertificate",
    "ReferencingDecision",
    "RomeJob",
    "RomeTitle",
    "Session",
    "SkillBlock",
    "Training",
]
