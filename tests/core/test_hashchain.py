"""The hash chain detects edits, removals and reordering of records."""

from __future__ import annotations

from dataclasses import replace

from clearinghouse.core.hashchain import GENESIS, ChainLink, first_broken_link, link_hash


def chain(count: int) -> list[ChainLink]:
    links, previous = [], GENESIS
    for sequence in range(1, count + 1):
        payload = {"sequence": sequence, "action": f"step-{sequence}", "after": {"n": sequence}}
        digest = link_hash(previous, payload)
        links.append(ChainLink(sequence, payload, previous, digest))
        previous = digest
    return links


def test_an_untouched_chain_verifies():
    assert first_broken_link(chain(5)) is None


def test_an_edited_payload_is_found_at_its_link():
    links = chain(5)
    links[2] = replace(links[2], payload={**links[2].payload, "action": "forged"})
    broken = first_broken_link(links)
    assert broken is not None and broken.sequence == 3
    assert "content" in broken.reason


def test_a_recomputed_hash_after_an_edit_breaks_the_next_link():
    links = chain(5)
    forged = {**links[1].payload, "action": "forged"}
    links[1] = replace(links[1], payload=forged, hash=link_hash(links[1].previous_hash, forged))
    broken = first_broken_link(links)
    assert broken is not None and broken.sequence == 3
    assert "previous-hash" in broken.reason


def test_a_removed_link_is_found():
    links = chain(5)
    del links[1]
    broken = first_broken_link(links)
    assert broken is not None and broken.sequence == 3
    assert "jumps" in broken.reason


def test_hash_does_not_depend_on_key_order():
    assert link_hash(GENESIS, {"a": 1, "b": 2}) == link_hash(GENESIS, {"b": 2, "a": 1})
