"""Where the audit signing key comes from (never the database), and which keys verify.

CLEARINGHOUSE_AUDIT_SIGNING_KEY (the base64 seed or PEM text) wins over
CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE (a PEM file); with neither, a key is generated once into
the data directory, owner-only, which suits the demo and tests but not a deployment (the deploy
check says so). Old keys after a rotation go in CLEARINGHOUSE_AUDIT_PUBLIC_KEYS_FILE.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from clearinghouse.core.checkpoints import (
    PublicKeys,
    generate_private_key_pem,
    key_id,
    load_private_key,
    load_public_keys,
)

GENERATED_KEY_NAME = "audit_signing_key"


def _config() -> dict[str, object]:
    config: dict[str, object] = settings.CLEARINGHOUSE_AUDIT
    return config


def checkpoint_every() -> int:
    """Events between stored checkpoints (0 would keep none to export)."""
    return int(str(_config()["checkpoint_every"]))


def key_file() -> Path | None:
    """The file the signing key is read from; None when the variable holds the key itself."""
    if _config()["signing_key"]:
        return None
    configured = str(_config()["signing_key_file"])
    return Path(configured) if configured else Path(settings.DATA_DIR) / GENERATED_KEY_NAME


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process generated it first
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(generate_private_key_pem())


@functools.lru_cache(maxsize=4)
def _load(text: str, path: str) -> Ed25519PrivateKey:
    if text:
        return load_private_key(text)
    file = Path(path)
    if (
        not file.exists()
        and file.name == GENERATED_KEY_NAME
        and file.parent == Path(settings.DATA_DIR)
    ):
        _generate(file)
    return load_private_key(file.read_text())


def signing_key() -> Ed25519PrivateKey:
    """The key every append signs its new head with (read once per configuration)."""
    file = key_file()
    return _load(str(_config()["signing_key"]), str(file) if file else "")


def verification_keys(given: PublicKeys | None = None) -> dict[str, Ed25519PublicKey]:
    """The keys a signature may be made with: the ones given, else this instance's own.

    An operator passes the public key kept elsewhere (`audit verify --public-key`); without
    it, the current key's public half and any old keys from CLEARINGHOUSE_AUDIT_PUBLIC_KEYS_FILE.
    """
    if given is not None:
        return dict(given)
    public = signing_key().public_key()
    keys = {key_id(public): public}
    old = str(_config()["public_keys_file"])
    if old:
        keys.update(load_public_keys(Path(old).read_text()))
    return keys
