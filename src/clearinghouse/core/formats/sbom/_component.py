"""Turns the raw fields any reader found into a component, noting what would stop it matching."""

from __future__ import annotations

from collections.abc import Iterable

from ._model import SbomComponent
from ._purl import ecosystem_of, package_name_of, split_purl

# SPDX writes these where it has no value; they are not versions.
_NO_VALUE = frozenset({"", "NOASSERTION", "NONE"})


def _text(value: object) -> str | None:
    """A non-empty string field, else None: real SBOMs put numbers and nulls where text belongs."""
    if isinstance(value, str):
        value = value.strip()
        if value not in _NO_VALUE:
            return value
    return None


def make_component(
    name: object,
    version: object,
    purl: object,
    cpes: Iterable[object],
    ref: object,
) -> SbomComponent:
    """Build a component from what a reader found; bad fields give it a problem, not a drop."""
    problems = []
    name_text = _text(name) or ""
    if not name_text:
        problems.append("no name")
    version_text = _text(version)
    if version_text is None:
        problems.append("no version")
    purl_text = _text(purl)
    cpe_texts = tuple(text for text in map(_text, cpes) if text is not None)
    ecosystem = package_name = None
    if purl_text is not None:
        try:
            parts = split_purl(purl_text)
        except ValueError as exc:
            problems.append(f"purl {purl_text!r} does not parse: {exc}")
        else:
            ecosystem = ecosystem_of(parts)
            package_name = package_name_of(parts)
    elif not cpe_texts:
        problems.append("no purl or CPE to identify it")
    ref_text = _text(ref)
    return SbomComponent(
        name=name_text,
        version=version_text,
        purl=purl_text,
        ecosystem=ecosystem,
        package_name=package_name,
        cpes=cpe_texts,
        # bom-ref is often the purl itself; sharing the string saves memory on huge SBOMs.
        ref=purl_text if ref_text == purl_text else ref_text,
        problem="; ".join(problems) or None,
    )
