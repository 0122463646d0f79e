"""Records as the store keeps them: the fields of format 1, canonical and hashed."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from jig.records import Incident, Notice

CORE_ORDER = ("id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)  # one for every call, as `audit.canonical`


def canonical(record: dict[str, Any]) -> str:
    return _CANONICAL.encode(record)


# Derived from where a record came from, not part of what it says: the same record sent in
# another file is the same record.
NOT_CONTENT = frozenset({"dataset"})


def content_hash(record: dict[str, Any], secret: bytes | None = None) -> str:
    """SHA-256 of what a record says; with a workspace's secret, HMAC-SHA-256 instead: a
    commitment that nobody without the secret can test a guessed field against."""
    said = canonical({k: v for k, v in record.items() if k not in NOT_CONTENT}).encode()
    if secret is None:
        return hashlib.sha256(said).hexdigest()
    return hmac.new(secret, said, hashlib.sha256).hexdigest()


def incident_record(inc: Incident) -> dict[str, Any]:
    """The incident as a record of format 1 fields (what was given, normalised)."""
    out: dict[str, Any] = {"id": inc.id, "time": inc.time_text, "lon": inc.lon, "lat": inc.lat,
                           "precision_m": inc.precision_m, "act": inc.act}
    for key in ("actor", "target", "weapon"):
        value = getattr(inc, key)
        if value is not None:
            out[key] = value
    for key, value in inc.extra.items():
        if value not in (None, "") and key not in out:
            out[key] = value
    return out


def notice_record(n: Notice) -> dict[str, Any]:
    out: dict[str, Any] = {"id": n.id, "party": n.party, "time": n.time_text,
                           "exception": n.exception}
    if n.incident is not None:
        out["incident"] = n.incident
    if n.lon is not None:
        out |= {"lon": n.lon, "lat": n.lat, "radius_m": n.radius_m}
    return out
