"""The keyed permutation that orders equivalent results.

Three 32-bit round keys come from HMAC-SHA256(secret, client IP + normalised query). Each result's tie key is
a keyed bijection of its stable anchor (the smallest offer id of its group) on 32 bits: three rounds of
`x ^= k; x = lowbias32(x)`. A bijection means two results never share a tie key, so the order is total and
page 2 continues page 1 exactly. Without the secret nobody can predict the order; with the same IP and query
it is the same; another IP gets an unrelated order.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
from django.conf import settings

_M1 = np.uint32(0x7FEB352D)
_M2 = np.uint32(0x846CA68B)
_S16 = np.uint32(16)
_S15 = np.uint32(15)


def round_keys(client_ip: str, normalised_query: str, *, secret: str | None = None) -> tuple[int, int, int]:
    key = (secret if secret is not None else settings.SEARCH_ORDER_SECRET).encode()
    digest = hmac.new(key, f"{client_ip}\0{normalised_query}".encode(), hashlib.sha256).digest()
    return (
        int.from_bytes(digest[0:4], "little"),
        int.from_bytes(digest[4:8], "little"),
        int.from_bytes(digest[8:12], "little"),
    )


def _lowbias32(x: np.ndarray, tmp: np.ndarray) -> None:
    """In place: x ^= x >> 16; x *= M1; x ^= x >> 15; x *= M2; x ^= x >> 16 (all mod 2**32)."""
    np.right_shift(x, _S16, out=tmp)
    np.bitwise_xor(x, tmp, out=x)
    np.multiply(x, _M1, out=x)
    np.right_shift(x, _S15, out=tmp)
    np.bitwise_xor(x, tmp, out=x)
    np.multiply(x, _M2, out=x)
    np.right_shift(x, _S16, out=tmp)
    np.bitwise_xor(x, tmp, out=x)


def tie_keys(anchors: np.ndarray, keys: tuple[int, int, int]) -> np.ndarray:
    """uint32 tie key per anchor; distinct anchors (mod 2**32) give distinct keys."""
    x = anchors.astype(np.uint32)
    tmp = np.empty_like(x)
    with np.errstate(over="ignore"):
        for k in keys:
            np.bitwise_xor(x, np.uint32(k), out=x)
            _lowbias32(x, tmp)
    return x


def tie_key(anchor: int, keys: tuple[int, int, int]) -> int:
    return int(tie_keys(np.array([anchor], dtype=np.int64), keys)[0])
