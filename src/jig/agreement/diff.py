"""What an amendment changes: two canonical agreement documents compared, part by part.

Parties, actors, zones, sites, targets, the area, clauses and exceptions are compared item by
item (by key or `id`), so a reader sees "zone DA-1 redrawn, target T-3 agreed, party TR
added" rather than two long documents. Pure: documents in, a dict out.
"""

from __future__ import annotations

from typing import Any

COLLECTIONS = ("zones", "sites", "targets", "area")  # GeoJSON FeatureCollections, by id
LISTS = ("clauses", "exceptions")  # lists of objects with an id
MAPS = ("parties", "actors")  # objects keyed by id


def _items(doc: dict[str, Any], part: str) -> dict[str, Any]:
    value = doc.get(part)
    if part in COLLECTIONS:
        feats = (value or {}).get("features", []) if isinstance(value, dict) else []
        return {str((f.get("properties") or {}).get("id", k)): f for k, f in enumerate(feats)}
    if part in LISTS:
        return {str(x.get("id", k)): x for k, x in enumerate(value or [])}
    return dict(value or {})


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per part, the ids added, removed and changed; other top-level keys changed, with their
    old and new values. Empty parts are left out."""
    out: dict[str, Any] = {}
    for part in (*MAPS, *COLLECTIONS, *LISTS):
        a, b = _items(old, part), _items(new, part)
        change = {"added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)),
                  "changed": sorted(k for k in set(a) & set(b) if a[k] != b[k])}
        change = {k: v for k, v in change.items() if v}
        if change:
            out[part] = change
    others = {k: {"old": old.get(k), "new": new.get(k)}
              for k in sorted(set(old) | set(new))
              if k not in (*MAPS, *COLLECTIONS, *LISTS) and old.get(k) != new.get(k)}
    if others:
        out["settings"] = others
    return out
