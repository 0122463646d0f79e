"""Reasons in the reader's language, rebuilt at the edge from what the engine wrote."""

from __future__ import annotations

from jig.findings import Finding


def translate_reason(finding: Finding, lang: str) -> str:
    if lang == "en":
        return finding.reason
    return finding.reason
