"""`clearinghouse audit verify | export | public-key`: the audit chain and its signed heads."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import EXIT_FINDINGS, EXIT_OK, BadInput, setup_django

MAX_KEY_FILE_BYTES = 1024 * 1024 * 16


def _read(path: str) -> str:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_KEY_FILE_BYTES:
            raise BadInput(f"{path}: too large")
        return file.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: cannot be read ({error})") from error


def verify(args: argparse.Namespace) -> int:
    """Recompute the audit hash chain and check its signatures (and exported checkpoints).

    Exit 1 naming the first bad sequence: an edited or deleted event, events appended without
    a valid signature, or a chain that no longer matches the checkpoints exported earlier.
    """
    from clearinghouse.core.checkpoints import UnreadableKey, load_public_keys, parse_export

    try:
        keys = load_public_keys(_read(args.public_key)) if args.public_key else None
        exported, exported_keys = (
            parse_export(_read(args.checkpoints)) if args.checkpoints else ([], None)
        )
    except UnreadableKey as error:
        raise BadInput(str(error)) from error
    setup_django()
    from clearinghouse.audit.services import first_broken_link

    try:
        broken = first_broken_link(keys=keys, exported=exported, exported_keys=exported_keys)
    except (UnreadableKey, OSError) as error:
        raise BadInput(f"the audit keys cannot be read: {error}") from error
    if broken is None:
        print(
            f"audit chain intact (signatures verified, {len(exported)} exported checkpoints hold)"
        )
        return EXIT_OK
    print(f"audit chain broken at event #{broken.sequence}: {broken.reason}")
    return EXIT_FINDINGS


def export(args: argparse.Namespace) -> int:
    """Write the signed checkpoints and the public keys to a file kept away from the database."""
    setup_django()
    from clearinghouse.audit import signing
    from clearinghouse.audit.services import checkpoints
    from clearinghouse.core.checkpoints import export_text

    kept = checkpoints()
    try:
        Path(args.output).write_text(export_text(kept, signing.verification_keys()) + "\n")
    except OSError as error:
        raise BadInput(f"{args.output}: cannot be written ({error})") from error
    print(f"exported {len(kept)} checkpoints to {args.output}")
    return EXIT_OK


def public_key(args: argparse.Namespace) -> int:
    """Print the signing key's public half (PEM), for `audit verify --public-key`."""
    setup_django()
    from clearinghouse.audit import signing
    from clearinghouse.core.checkpoints import public_key_pem

    print(public_key_pem(signing.signing_key().public_key()), end="")
    return EXIT_OK
