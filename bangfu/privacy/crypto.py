"""Field encryption and keyed hashes for personal data.

One master key (settings.BANGFU_DATA_KEY, 32 bytes) is split by HKDF into an AES-256-GCM
key for the values and an HMAC-SHA256 key for the search hashes, so that knowing a hash
says nothing about the encryption key and vice versa.

Ciphertext layout: version byte (1) | 12-byte random nonce | AES-GCM ciphertext and tag.
"""

import base64
import hmac
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from bangfu.privacy import bulk

VERSION = b"\x01"


@lru_cache(maxsize=4)
def _raw_keys(master_b64: str) -> tuple[bytes, bytes]:
    """The AES-256-GCM key and the HMAC-SHA256 key derived from the master key."""
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("BANGFU_DATA_KEY 不是有效的 base64 字符串") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("BANGFU_DATA_KEY 必须是 32 字节(base64 编码)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"bangfu field encryption"), derive(b"bangfu search hash")


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[AESGCM, bytes]:
    enc_key, hash_key = _raw_keys(master_b64)
    return AESGCM(enc_key), hash_key


def raw_keys() -> tuple[bytes, bytes]:
    """The derived keys themselves, for worker processes that run bulk.seal_fixed without settings."""
    return _raw_keys(settings.BANGFU_DATA_KEY)


def _current():
    return _keys(settings.BANGFU_DATA_KEY)


def encrypt(value: str) -> bytes:
    aead, _ = _current()
    nonce = os.urandom(12)
    return VERSION + nonce + aead.encrypt(nonce, value.encode(), None)


def decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown ciphertext version")
    aead, _ = _current()
    return aead.decrypt(blob[1:13], blob[13:], None).decode()


def keyed_hash(value: str) -> bytes:
    """HMAC-SHA256 of a normalised value: the exact-match search key for encrypted fields."""
    _, key = _current()
    return hmac.digest(key, value.encode(), sha256)


# Batch forms: the same keys and layout as keyed_hash and encrypt, for imports of millions of
# values, where the Python call per value is the cost (docs/performance.md; bulk.py).


def keyed_hashes(values: Iterable[str]) -> list[bytes]:
    """keyed_hash of every value, in order."""
    inner, outer = bulk.hmac_states(_current()[1])
    new_inner, new_outer = inner.copy, outer.copy
    out = []
    for value in values:
        h = new_inner()
        h.update(value.encode())
        o = new_outer()
        o.update(h.digest())
        out.append(o.digest())
    return out


def encrypt_many(values: Sequence[str]) -> list[bytes]:
    """encrypt of every value, in order; one call to the random source for all the nonces."""
    aead, _ = _current()
    seal = aead.encrypt
    nonces = os.urandom(12 * len(values))
    out = []
    for i, value in enumerate(values):
        nonce = nonces[12 * i : 12 * i + 12]
        out.append(VERSION + nonce + seal(nonce, value.encode(), None))
    return out


def seal_fixed(buffer: bytes, width: int) -> tuple[bytes, bytes]:
    """bulk.seal_fixed with the configured keys: keyed hashes and ciphertexts of fixed-width values."""
    return bulk.seal_fixed(*raw_keys(), buffer, width)
