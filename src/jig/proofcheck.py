"""What an observer checks, with only what the service lets it read: that a determination is
in the log under a signed head, and that today's log extends a head it saved. Pure: the
documents come in as the service sent them (`jig audit check-proof`, `check-consistency`),
the problems go out as sentences; an empty list means the check holds."""

from __future__ import annotations

import hmac
from typing import Any

from jig import merkle
from jig.signing import canonical, determination_valid, head_problem

# The determination's fields as the log's row image names them.
ROW_FIELDS = {"id": "row", "party": "party", "outcome": "outcome", "text": "text",
              "signed_by": "signed_by", "signed_at": "signed_at", "signature": "signature"}


def _hashes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def check_determination(proof: dict[str, Any], server_key: str | None = None,
                        published: dict[str, Any] | None = None) -> list[str]:
    """Check `GET /audit/determinations/{id}/proof` (and, when given, that `/published`
    shows the same determination under the same frozen head)."""
    try:
        d, head, entry = proof["determination"], proof["head"], proof["entry"]
        leaf, opening = entry["leaf"], entry["opening"]
        table, _key, image = opening["content"]
        salt = bytes.fromhex(opening["salt"])
        path = _hashes(proof["path"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"the proof is not one jig gives: {exc!r} is missing or malformed"]
    problems = []
    problem = head_problem(head, server_key)
    if problem is not None:
        problems.append(f"head: {problem}")
    digest = hmac.digest(salt, canonical(opening["content"]), "sha256").hex()
    index = opening.get("index")
    if not isinstance(index, int) or not 0 <= index < len(leaf["parts"]) \
            or leaf["parts"][index] != digest:
        problems.append("entry: the opened part is not what the entry's leaf commits to")
    if table != "determinations" or image.get("review_row") != d.get("review") or any(
            image.get(col) != d.get(k) for k, col in ROW_FIELDS.items()):
        problems.append("entry: the opened part is not this determination as shown")
    if not determination_valid(d, str(d.get("signature")), proof.get("party_public_key", "")):
        problems.append(f"signature: the determination is not signed by {d.get('party')}'s key")
    h = merkle.leaf_hash(canonical(leaf))
    if not merkle.verify_inclusion(h, proof["leaf_index"], head["tree_size"], path,
                                   bytes.fromhex(head["root_hash"])):
        problems.append(f"inclusion: entry {entry.get('seq')} is not in the log of "
                        f"{head['tree_size']} entries under the head's root")
    if published is not None:
        shown = [(x, r.get("head")) for r in published.get("determinations", [])
                 for x in r.get("determinations", []) if x.get("id") == d.get("id")]
        if not shown:
            problems.append("published: the determination is not among the published ones")
        elif shown[0][1] != head:
            problems.append("published: its review carries another head than the proof")
        elif any(shown[0][0].get(k) != d.get(k) for k in ROW_FIELDS):
            problems.append("published: the determination is published differently")
    return problems


def check_consistency(saved: dict[str, Any], answer: dict[str, Any],
                      server_key: str | None = None) -> list[str]:
    """Check `GET /audit/consistency?first=<saved size>`: the new head is signed by the key
    that signed the saved one, and the log it heads extends the saved one."""
    key = server_key or saved.get("public_key")
    problems = []
    for what, head in (("saved head", saved), ("current head", answer.get("head"))):
        problem = head_problem(head, key)
        if problem is not None:
            problems.append(f"{what}: {problem}")
    if problems:
        return problems
    new = answer["head"]
    if answer.get("first") != saved["tree_size"] or answer.get("second") != new["tree_size"]:
        return ["the proof is not between the saved head and the current one"]
    try:
        proof = _hashes(answer["proof"])
    except (KeyError, TypeError, ValueError):
        return ["the proof is not a list of hashes"]
    if not merkle.verify_consistency(saved["tree_size"], new["tree_size"],
                                     bytes.fromhex(saved["root_hash"]),
                                     bytes.fromhex(new["root_hash"]), proof):
        return [f"the log of {new['tree_size']} entries does not extend the saved head of "
                f"{saved['tree_size']}: entries it covered were changed or removed"]
    return []
