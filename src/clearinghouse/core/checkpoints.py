"""Signed heads of the audit chain: what is signed, how keys are read, how an export is checked.

The hash chain alone shows edits and deletions, but anyone who can write to the database can
append a forged event (or rewrite the whole chain) and recompute every hash. Signing the chain
head with an Ed25519 key kept outside the database closes that: a forger without the key
cannot produce a valid signature, and checkpoints exported to somewhere else catch a rewrite
even by someone who has the key. No Django here; the audit app stores and fetches.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EXPORT_FORMAT = "clearinghouse-audit-checkpoints/1"

PublicKeys = Mapping[str, Ed25519PublicKey]


class UnreadableKey(ValueError):
    """A key or an export file that cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed chain head: the chain up to `sequence` ends in `hash`, vouched for by `key_id`."""

    sequence: int
    hash: str
    key_id: str
    signature: str

    def as_dict(self) -> dict[str, object]:
        """The export form."""
        return {
            "sequence": self.sequence,
            "hash": self.hash,
            "key_id": self.key_id,
            "signature": self.signature,
        }


def signed_message(sequence: int, head_hash: str) -> bytes:
    """The bytes signed: the head's sequence and hash, under a label so they mean nothing else."""
    return f"clearinghouse-audit-head\n{sequence}\n{head_hash}".encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short name for a public key (so rotated keys can be told apart in stored signatures)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(private_key: Ed25519PrivateKey, sequence: int, head_hash: str) -> Checkpoint:
    """Sign one chain head."""
    signature = private_key.sign(signed_message(sequence, head_hash))
    return Checkpoint(
        sequence, head_hash, key_id(private_key.public_key()), base64.b64encode(signature).decode()
    )


def is_valid(checkpoint: Checkpoint, keys: PublicKeys) -> bool:
    """Whether the signature is a known key's signature of exactly this head."""
    public_key = keys.get(checkpoint.key_id)
    if public_key is None:
        return False
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        public_key.verify(signature, signed_message(checkpoint.sequence, checkpoint.hash))
    except (InvalidSignature, ValueError):
        return False
    return True


def generate_private_key_pem() -> bytes:
    """A new signing key in PKCS#8 PEM form (for the file an operator keeps)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(text: str) -> Ed25519PrivateKey:
    """Read a signing key: PKCS#8 PEM, or the 32-byte seed in base64 (handy in a variable)."""
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(
                base64.b64decode(text.strip(), validate=True)
            )
    except ValueError as error:
        raise UnreadableKey(f"the audit signing key cannot be read: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise UnreadableKey("the audit signing key must be an Ed25519 key")
    return key


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as PEM text, for an operator to keep elsewhere."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_keys(text: str) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in a PEM file (several may be concatenated: rotated keys)."""
    keys: dict[str, Ed25519PublicKey] = {}
    marker = "-----END PUBLIC KEY-----"
    for block in text.split(marker)[:-1]:
        try:
            key = serialization.load_pem_public_key((block.strip() + "\n" + marker).encode())
        except ValueError as error:
            raise UnreadableKey(f"a public key cannot be read: {error}") from error
        if not isinstance(key, Ed25519PublicKey):
            raise UnreadableKey("audit public keys must be Ed25519 keys")
        keys[key_id(key)] = key
    if not keys:
        raise UnreadableKey("no PEM public key found")
    return keys


def export_text(checkpoints: Iterable[Checkpoint], keys: PublicKeys) -> str:
    """The export file: the signed checkpoints and the public keys that verify them."""
    return json.dumps(
        {
            "format": EXPORT_FORMAT,
            "public_keys": {kid: public_key_pem(key) for kid, key in keys.items()},
            "checkpoints": [checkpoint.as_dict() for checkpoint in checkpoints],
        },
        indent=2,
    )


def parse_export(text: str) -> tuple[list[Checkpoint], dict[str, Ed25519PublicKey]]:
    """Read an export file back; a damaged or foreign file is refused, not half-read."""
    try:
        data = json.loads(text)
        if data.get("format") != EXPORT_FORMAT:
            raise UnreadableKey(f"not a {EXPORT_FORMAT} file")
        checkpoints = [
            Checkpoint(int(c["sequence"]), str(c["hash"]), str(c["key_id"]), str(c["signature"]))
            for c in data["checkpoints"]
        ]
        keys: dict[str, Ed25519PublicKey] = {}
        for pem in data["public_keys"].values():
            keys.update(load_public_keys(str(pem)))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UnreadableKey(f"the checkpoint file cannot be read: {error}") from error
    return checkpoints, keys


@dataclass(frozen=True)
class BadCheckpoint:
    """The first sequence a signature or an exported checkpoint does not vouch for."""

    sequence: int
    reason: str


def first_unsigned(
    signed: Iterable[Checkpoint], last_sequence: int, keys: PublicKeys
) -> BadCheckpoint | None:
    """Check the stored signed heads in order; the chain's last event must be one of them.

    A signature over a head covers every event up to it (through the hashes), so events after
    the last valid signature are the ones nobody holding the key appended.
    """
    vouched = 0
    for checkpoint in signed:
        if not is_valid(checkpoint, keys):
            return BadCheckpoint(
                vouched + 1,
                f"the signature at #{checkpoint.sequence} does not verify with a known key",
            )
        vouched = checkpoint.sequence
    if vouched < last_sequence:
        return BadCheckpoint(
            vouched + 1,
            f"events #{vouched + 1} to #{last_sequence} carry no valid signature:"
            " appended without the signing key",
        )
    return None


def first_mismatch(
    exported: Iterable[Checkpoint], hash_at: Callable[[int], str | None], keys: PublicKeys
) -> BadCheckpoint | None:
    """Compare exported checkpoints with the chain as stored now; None when all still hold."""
    for checkpoint in sorted(exported, key=lambda c: c.sequence):
        if not is_valid(checkpoint, keys):
            return BadCheckpoint(
                checkpoint.sequence,
                "the exported checkpoint's signature does not verify with the given key",
            )
        stored = hash_at(checkpoint.sequence)
        if stored is None:
            return BadCheckpoint(
                checkpoint.sequence,
                "the exported checkpoint's event is missing: events were removed",
            )
        if stored != checkpoint.hash:
            return BadCheckpoint(
                checkpoint.sequence,
                "the chain no longer matches the exported checkpoint: it was rewritten",
            )
    return None
