"""Signed chain heads catch what the hash chain alone cannot: forged appends and rewrites."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.checks import run_checks
from django.db import connection

from clearinghouse.audit import signing
from clearinghouse.audit.models import AuditCheckpoint, AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.cli import main
from clearinghouse.core.checkpoints import generate_private_key_pem, parse_export
from clearinghouse.core.hashchain import link_hash
from clearinghouse.frontier.inputs import RegisterModel, UpdateModel
from clearinghouse.frontier.services import register_model, update_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel.model_validate(declaration()))
    for flop in (2e26, 3e26):
        update_model(cast["lab1"], model, UpdateModel(training_compute_flop=flop))
    return list(AuditEvent.objects.order_by("sequence"))


def _forge_append(after_text: str) -> int:
    """What someone with database access but no key can do: a new event, hashes recomputed."""
    last = AuditEvent.objects.order_by("-sequence").first()
    assert last is not None
    forged = AuditEvent(
        sequence=last.sequence + 1,
        occurred_at=last.occurred_at,
        actor_label="system",
        action="model.updated",
        object_type=last.object_type,
        object_id=last.object_id,
        after=after_text,
        previous_hash=last.hash,
    )
    forged.hash = link_hash(last.hash, forged.chain_payload())
    AuditEvent.objects.bulk_create([forged])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s",
            [forged.sequence, forged.hash],
        )
    return forged.sequence


def _rewrite_chain() -> None:
    """Recompute every hash after changing the first event, and re-sign with the current key."""
    from clearinghouse.core.checkpoints import sign

    previous = "0" * 64
    rows = list(AuditEvent.objects.order_by("sequence"))
    rows[0].after = '{"rewritten":true}'
    with connection.cursor() as cursor:
        for row in rows:
            row.hash = link_hash(previous, row.chain_payload())
            signed = sign(signing.signing_key(), row.sequence, row.hash)
            cursor.execute(
                "UPDATE audit_auditevent SET after = %s, previous_hash = %s, hash = %s,"
                " key_id = %s, signature = %s WHERE sequence = %s",
                [row.after, previous, row.hash, signed.key_id, signed.signature, row.sequence],
            )
            previous = row.hash
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", [previous])


def test_each_append_signs_its_head_and_the_chain_verifies(events, capsys):
    assert all(e.signature for e in events if e.sequence == events[-1].sequence)
    assert first_broken_link() is None
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_an_edited_payload_is_caught(events, capsys):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET after = %s WHERE sequence = 2", ['{"covered":true}']
        )
    assert main(["audit", "verify"]) == 1
    assert "#2:" in capsys.readouterr().out


def test_a_deleted_row_is_caught(events, capsys):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = 2")
    assert main(["audit", "verify"]) == 1
    assert "#3:" in capsys.readouterr().out


def test_a_forged_append_with_recomputed_hashes_but_no_key_is_caught(events, capsys):
    forged = _forge_append('{"training_compute_flop":1}')
    broken = first_broken_link()
    assert broken is not None and broken.sequence == forged
    assert "without the signing key" in broken.reason
    assert main(["audit", "verify"]) == 1
    assert f"#{forged}:" in capsys.readouterr().out


def test_a_forged_signature_is_caught(events):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET signature = %s WHERE sequence = %s",
            ["AAAA", events[-1].sequence],
        )
    broken = first_broken_link()
    assert broken is not None and "does not verify" in broken.reason


def test_export_then_verify_round_trips(events, tmp_path, capsys):
    exported = tmp_path / "checkpoints.json"
    assert main(["audit", "export", "--output", str(exported)]) == 0
    checkpoints, keys = parse_export(exported.read_text())
    assert checkpoints[-1].sequence == events[-1].sequence and len(keys) == 1
    assert main(["audit", "verify", "--checkpoints", str(exported)]) == 0
    assert "1 exported checkpoints hold" in capsys.readouterr().out


def test_a_rewritten_chain_is_caught_by_an_earlier_export(events, tmp_path, capsys):
    exported = tmp_path / "checkpoints.json"
    assert main(["audit", "export", "--output", str(exported)]) == 0
    _rewrite_chain()
    # Re-signed by someone holding the key: the instance alone cannot tell …
    assert first_broken_link() is None
    capsys.readouterr()
    # … but the checkpoint kept elsewhere no longer matches.
    assert main(["audit", "verify", "--checkpoints", str(exported)]) == 1
    out = capsys.readouterr().out
    assert f"#{events[-1].sequence}:" in out and "rewritten" in out


def test_a_different_public_key_does_not_verify(events, tmp_path, capsys):
    from clearinghouse.core.checkpoints import load_private_key, public_key_pem

    other = load_private_key(generate_private_key_pem().decode()).public_key()
    wrong = tmp_path / "other.pem"
    wrong.write_text(public_key_pem(other))
    assert main(["audit", "verify", "--public-key", str(wrong)]) == 1
    assert "does not verify" in capsys.readouterr().out
    right = tmp_path / "ours.pem"
    assert main(["audit", "public-key"]) == 0
    right.write_text(capsys.readouterr().out)
    assert main(["audit", "verify", "--public-key", str(right)]) == 0


def test_an_unreadable_public_key_file_is_bad_input(events, tmp_path, capsys):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    assert main(["audit", "verify", "--public-key", str(junk)]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_a_rotated_key_still_verifies_the_old_signatures(events, tmp_path, settings):
    old_public = tmp_path / "old.pem"
    from clearinghouse.core.checkpoints import public_key_pem

    old_public.write_text(public_key_pem(signing.signing_key().public_key()))
    new_key = tmp_path / "new.pem"
    new_key.write_bytes(generate_private_key_pem())
    settings.CLEARINGHOUSE_AUDIT = {
        **settings.CLEARINGHOUSE_AUDIT,
        "signing_key_file": str(new_key),
    }
    assert first_broken_link() is not None  # the old signatures need the old key
    settings.CLEARINGHOUSE_AUDIT = {
        **settings.CLEARINGHOUSE_AUDIT,
        "public_keys_file": str(old_public),
    }
    assert first_broken_link() is None


def test_checkpoints_are_stored_every_n_events(cast, declaration, settings):
    settings.CLEARINGHOUSE_AUDIT = {**settings.CLEARINGHOUSE_AUDIT, "checkpoint_every": 2}
    model = register_model(cast["lab1"], RegisterModel.model_validate(declaration()))
    for flop in (2e26, 3e26, 4e26):
        update_model(cast["lab1"], model, UpdateModel(training_compute_flop=flop))
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    stored = list(AuditCheckpoint.objects.values_list("sequence", flat=True))
    assert stored and all(b // 2 > a // 2 for a, b in zip([0, *stored], stored, strict=False))
    assert stored[-1] // 2 == (last or 0) // 2


def test_the_generated_key_file_is_owner_only():
    file = signing.key_file()
    signing.signing_key()
    assert file is not None and file.exists()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def _deploy_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id}


def test_deploy_checks_want_a_configured_owner_only_key_and_checkpoints(tmp_path, settings):
    assert "audit.W001" in _deploy_ids()
    key = tmp_path / "audit.pem"
    key.write_bytes(generate_private_key_pem())
    os.chmod(key, 0o644)
    settings.CLEARINGHOUSE_AUDIT = {
        **settings.CLEARINGHOUSE_AUDIT,
        "signing_key_file": str(key),
        "checkpoint_every": 0,
    }
    found = _deploy_ids()
    assert {"audit.E001", "audit.E002"} <= found and "audit.W001" not in found
    os.chmod(key, 0o600)
    settings.CLEARINGHOUSE_AUDIT = {**settings.CLEARINGHOUSE_AUDIT, "checkpoint_every": 1000}
    assert not {i for i in _deploy_ids() if i.startswith("audit.")}


def test_a_key_in_the_variable_needs_no_file(settings):
    import base64

    from cryptography.hazmat.primitives import serialization

    from clearinghouse.core.checkpoints import load_private_key

    seed = load_private_key(generate_private_key_pem().decode()).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.CLEARINGHOUSE_AUDIT = {
        **settings.CLEARINGHOUSE_AUDIT,
        "signing_key": base64.b64encode(seed).decode(),
    }
    assert signing.key_file() is None
    assert (
        signing.signing_key().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        == seed
    )


def test_the_append_bench_leaves_the_chain_as_it_was(events, capsys):
    assert main(["bench", "audit", "--appends", "3"]) == 0
    assert "signature share" in capsys.readouterr().out
    assert AuditEvent.objects.count() == len(events) and first_broken_link() is None


def test_a_missing_configured_key_file_is_bad_input_not_a_traceback(events, settings, capsys):
    settings.CLEARINGHOUSE_AUDIT = {
        **settings.CLEARINGHOUSE_AUDIT,
        "signing_key_file": "/nonexistent/audit.pem",
    }
    assert main(["audit", "verify"]) == 2
    assert capsys.readouterr().err.startswith("error: the audit keys cannot be read")
