"""Reads on identities, and the object-level access checks other domains use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder, ProviderMembership, UserKind


def provider_for_user(user: Any) -> Any | None:
    """The provider a staff member acts for (the first membership), or None."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.PROVIDER:
        return None
    membership = ProviderMembership.objects.select_related("provider").filter(user=user).order_by("pk").first()
    return membership.provider if membership else None


def provider_ids_for_user(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.PROVIDER:
        return []
    return list(ProviderMembership.objects.filter(user=user).values_list("provider_id", flat=True))


def membership_for(user: Any, provider_id: int) -> ProviderMembership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ProviderMembership.objects.filter(user=user, provider_id=provider_id).first()


def holder_for_user(user: Any) -> Holder | None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != UserKind.HOLDER:
        return None
    return Holder.objects.select_related("user").filter(user=user).first()


def holder_of(user: Any) -> Holder:
    """The signed-in holder's record (views behind holder access checks)."""
    holder = holder_for_user(user)
    if holder is None:
        raise Holder.DoesNotExist("not a holder")
    return holder


def scope_to_provider(queryset: QuerySet, user: Any, *, field: str = "provider") -> QuerySet:
    """Restrict any queryset to the rows of the providers this staff member belongs to (none otherwise)."""
    return queryset.filter(**{f"{field}__in": provider_ids_for_user(user)})


def scope_to_holder(queryset: QuerySet, user: Any, *, field: str = "holder") -> QuerySet:
    """Restrict any queryset to the signed-in holder's rows (none for anyone else)."""
    holder = holder_for_user(user)
    if holder is None:
        return queryset.none()
    return queryset.filter(**{field: holder})


def provider_members(provider: Any) -> QuerySet[ProviderMembership]:
    return ProviderMembership.objects.filter(provider=provider).select_related("user").order_by("user__email")


def holder_personal_data(holder: Holder) -> dict[str, Any]:
    """Everything we hold on a person (RGPD access right). The NIR only masked."""
    from django.contrib.auth.models import Permission  # noqa: F401 (keeps the app registry import order)

    from opencpf.core.models import AuditEvent
    from opencpf.identity.models import ApiToken, UserSession

    user = holder.user
    data: dict[str, Any] = {
        "identite": {
            "numero_securite_sociale": holder.nir_masked or nir_lib.mask(nir_lib.decrypt(holder.nir_encrypted)),
            "nom_de_naissance": holder.birth_name,
            "nom_d_usage": holder.usage_name,
            "prenoms": holder.first_names,
            "date_de_naissance": holder.birth_date.isoformat(),
            "sexe": holder.sex,
            "lieu_de_naissance": holder.birthplace,
            "code_postal": holder.postcode,
            "commune": holder.insee_code,
            "demandeur_d_emploi": holder.is_job_seeker,
            "relie_a_franceconnect": bool(holder.franceconnect_sub),
        },
        "compte": {
            "adresse_electronique": user.email,
            "adresse_confirmee_le": user.email_confirmed_at.isoformat() if user.email_confirmed_at else None,
            "telephone": user.phone,
            "cree_le": holder.created_at.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
            "coordonnees_modifiees_le": user.security_changed_at.isoformat() if user.security_changed_at else None,
        },
        "sessions": [
            {"ouverte_le": s.created_at.isoformat(), "adresse_ip": s.ip, "navigateur": s.user_agent}
            for s in UserSession.objects.filter(user=user).order_by("-created_at")
        ],
        "jetons_application_mobile": [
            {"cree_le": t.created_at.isoformat(), "revoque_le": t.revoked_at.isoformat() if t.revoked_at else None}
            for t in ApiToken.objects.filter(user=user).order_by("-created_at")
        ],
        "journal": [
            {"date": e.at.isoformat(), "action": e.action, "par": e.actor_label, "motif": e.reason}
            for e in AuditEvent.objects.filter(object_type="identity.holder", object_id=str(holder.pk)).order_by("at")
        ],
    }
    return data
