"""Field encryption and keyed hashes for personal data.

One master key (settings.BANGFU_DATA_KEY, 32 bytes) is split by HKDF into an AES-256-GCM
key for the values and an HMAC-SHA256 key for the search hashes, so that knowing a hash
says nothing about the encryption key and vice versa.

Ciphertext layout: version byte (1) | 12-byte random nonce | AES-GCM ciphertext and tag.
"""

import base64
import hmac
import os
from functools import lru_cache
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = b"\x01"


@lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[AESGCM, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("BANGFU_DATA_KEY 不是有效的 base64 字符串") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("BANGFU_DATA_KEY 必须是 32 字节(base64 编码)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return AESGCM(derive(b"bangfu field encryption")), derive(b"bangfu search hash")


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
