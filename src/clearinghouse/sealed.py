"""Secrets the platform keeps (model-access keys, webhook secrets), encrypted at rest.

The keys come from the environment (or a file in the data directory), never the database.
Only the workers that use a secret call `reveal`; pages and the API show the fingerprint,
an HMAC of the secret under the same keys, which identifies it without disclosing it.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _keys() -> list[str]:
    return [key.strip() for key in settings.CLEARINGHOUSE_CREDENTIAL_KEYS if key.strip()]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in _keys()])


def seal(secret: str) -> bytes:
    """Encrypt a secret with the newest key."""
    return _fernet().encrypt(secret.encode())


def reveal(ciphertext: bytes | memoryview) -> str:
    """Decrypt a stored secret (any configured key); for the worker that calls the model."""
    try:
        return _fernet().decrypt(bytes(ciphertext)).decode()
    except InvalidToken:
        raise ValueError(
            "the stored credential cannot be decrypted with the configured keys"
        ) from None


def fingerprint(secret: str) -> str:
    """A short keyed digest to recognise a secret on pages, e.g. `hmac:3f9a…`."""
    digest = hmac.new(_keys()[0].encode(), secret.encode(), hashlib.sha256).hexdigest()
    return f"hmac:{digest[:16]}"
