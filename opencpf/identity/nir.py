"""The NIR (numéro de sécurité sociale): validation, keyed hash for look-up, encryption for masked display.

The clear NIR exists only in memory while a request is handled; it is never stored, logged or put in a URL.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.conf import settings
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import nir as stdnum_nir

from opencpf.core.exceptions import DomainError


class InvalidNir(DomainError):
    code = "invalid_nir"
    message = "Le numéro de sécurité sociale n'est pas valide."


def validate(value: str, *, birth_date: dt.date | None = None, sex: str | None = None) -> str:
    """Return the compact NIR or raise InvalidNir with a precise French message.

    `sex` is "M" or "F"; when given with `birth_date`, they must agree with the NIR's first digits.
    """
    raw = (value or "").strip()
    try:
        number = stdnum_nir.validate(raw)
    except InvalidLength as exc:
        raise InvalidNir(
            "Le numéro de sécurité sociale doit comporter 15 caractères (13 chiffres et une clé de 2 chiffres)."
        ) from exc
    except InvalidChecksum as exc:
        raise InvalidNir(
            "La clé du numéro de sécurité sociale (les 2 derniers chiffres) ne correspond pas au numéro."
        ) from exc
    except InvalidFormat as exc:
        raise InvalidNir(
            "Le numéro de sécurité sociale ne contient que des chiffres, sauf 2A ou 2B pour une naissance en Corse."
        ) from exc
    except ValidationError as exc:
        raise InvalidNir() from exc
    if number[0] not in "1278":
        raise InvalidNir("Le premier chiffre du numéro de sécurité sociale doit être 1 (homme) ou 2 (femme).")
    if sex is not None:
        expected = {"M": "1", "F": "2"}.get(sex.upper())
        if expected and number[0] in "12" and number[0] != expected:
            raise InvalidNir("Le premier chiffre du numéro de sécurité sociale ne correspond pas au sexe indiqué.")
    if birth_date is not None:
        if number[1:3] != f"{birth_date.year % 100:02d}":
            raise InvalidNir(
                "L'année de naissance du numéro de sécurité sociale ne correspond pas à la date de naissance."
            )
        month = int(number[3:5])
        if 1 <= month <= 12 and month != birth_date.month:
            raise InvalidNir(
                "Le mois de naissance du numéro de sécurité sociale ne correspond pas à la date de naissance."
            )
    return number


def nir_hash(number: str) -> str:
    """Keyed hash (HMAC-SHA256) of the compact NIR, for look-up and uniqueness."""
    compact = stdnum_nir.compact(number)
    return hmac.new(settings.NIR_HASH_KEY.encode(), compact.encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    key = hashlib.sha256(settings.NIR_ENCRYPTION_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(number: str) -> str:
    return _fernet().encrypt(stdnum_nir.compact(number).encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def mask(number: str) -> str:
    """'185057800608491' -> '1 85 05 ** *** *** 91': sex, year and month of birth, and the key."""
    n = stdnum_nir.compact(number)
    return f"{n[0]} {n[1:3]} {n[3:5]} ** *** *** {n[13:15]}"


@dataclass(frozen=True)
class StoredNir:
    hash: str
    encrypted: str
    masked: str


def protect(number: str) -> StoredNir:
    compact = validate(number)
    return StoredNir(hash=nir_hash(compact), encrypted=encrypt(compact), masked=mask(compact))


def nir_hash_raw(value: str) -> str:
    """Keyed hash of any string (an invalid NIR typed at login), so it can be counted without being stored."""
    return hmac.new(settings.NIR_HASH_KEY.encode(), value.strip().encode(), hashlib.sha256).hexdigest()
