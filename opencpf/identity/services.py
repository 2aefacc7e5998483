"""Writes on identities. Keyword-only, atomic."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from opencpf.core.exceptions import Conflict
from opencpf.identity import nir as nir_lib
from opencpf.identity.models import Holder, User, UserKind


class HolderAlreadyExists(Conflict):
    code = "holder_exists"
    message = "Un compte existe déjà pour ce numéro de sécurité sociale."


@transaction.atomic
def holder_create(
    *,
    nir: str,
    birth_name: str,
    first_names: str,
    birth_date: dt.date,
    sex: str,
    email: str,
    password: str | None,
    phone: str = "",
    postcode: str = "",
    insee_code: str = "",
    is_job_seeker: bool = False,
) -> Holder:
    compact = nir_lib.validate(nir, birth_date=birth_date, sex=sex)
    stored = nir_lib.protect(compact)
    if Holder.objects.filter(nir_hash=stored.hash).exists():
        raise HolderAlreadyExists()
    user = User(
        username=f"h{stored.hash[:20]}",
        email=email,
        kind=UserKind.HOLDER,
        phone=phone,
        first_name=first_names[:150],
        last_name=birth_name[:150],
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            return Holder.objects.create(
                user=user,
                nir_hash=stored.hash,
                nir_encrypted=stored.encrypted,
                nir_masked=stored.masked,
                birth_name=birth_name,
                first_names=first_names,
                birth_date=birth_date,
                sex=sex,
                postcode=postcode,
                insee_code=insee_code,
                is_job_seeker=is_job_seeker,
            )
    except IntegrityError as exc:  # a concurrent activation of the same NIR
        raise HolderAlreadyExists() from exc


@transaction.atomic
def staff_user_create(
    *, email: str, password: str | None, kind: str, first_name: str = "", last_name: str = ""
) -> User:
    if kind not in (UserKind.PROVIDER, UserKind.AGENT):
        raise ValueError("staff users are providers' staff or agents")
    user = User(username=email.lower(), email=email.lower(), kind=kind, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user
