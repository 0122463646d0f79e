"""One flat row per incident: what a GIS styles and filters by, with nothing dropped.

Shared by every tabular GIS export. The columns:

- the incident's own: `incident`, `verdict`, `time` (as written), `time_start` and `time_end`
  (the span it was read as, UTC: typed as times in GeoPackage and GeoParquet, so an analyst
  filters by them without parsing `time`), `actor`, `target`, `act`, `weapon`, `precision_m`,
  and the `clause`, `zone` and `p` of its first finding with the verdict's
  outcome (what a map is usually coloured by);
- per clause of the agreement, in its order: `<clause>__outcome`, `__p`, `__place` (the zone,
  site or target), `__exception`, `__evidence` (`kind:id` separated by spaces), `__missing` and
  `__reason`;
- `findings`: every finding as the JSON of `jig check -f jsonl`;
- every field of the input record, as given (as text); a field named like one of ours is kept
  as `<name>_input`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from jig.findings import Verdict

OWN = ("incident", "verdict", "clause", "zone", "p", "time", "time_start", "time_end", "actor",
       "target", "act", "weapon", "precision_m")
TIMES = ("time_start", "time_end")
PER_CLAUSE = ("outcome", "p", "place", "exception", "evidence", "missing", "reason")


def clause_columns(clauses: Sequence[str]) -> list[str]:
    return [f"{c}__{k}" for c in clauses for k in PER_CLAUSE]


def flat_row(v: Verdict, clauses: Sequence[str]) -> dict[str, Any]:
    """The incident's flat columns (see the module's doc); `clauses` are the agreement's ids."""
    inc = v.incident
    first = v.lead
    row: dict[str, Any] = {
        "incident": inc.id, "verdict": v.verdict,
        "clause": first.clause if first else None, "zone": first.zone if first else None,
        "p": first.p if first else None, "time": inc.time_text,
        "time_start": _utc(inc.span.start), "time_end": _utc(inc.span.end), "actor": inc.actor,
        "target": inc.target, "act": inc.act, "weapon": inc.weapon,
        "precision_m": inc.precision_m}
    by_clause = {f.clause: f for f in v.findings}
    for c in clauses:
        f = by_clause.get(c)
        row[f"{c}__outcome"] = f.outcome if f else None
        row[f"{c}__p"] = f.p if f else None
        row[f"{c}__place"] = (f.zone or f.site or f.target) if f else None
        row[f"{c}__exception"] = f.exception if f else None
        row[f"{c}__evidence"] = " ".join(f"{e.kind}:{e.id}" for e in f.evidence) or None if f else None
        row[f"{c}__missing"] = " | ".join(f.missing) if f and f.missing else None
        row[f"{c}__reason"] = f.reason if f else None
    row["findings"] = json.dumps([f.as_dict() for f in v.findings], ensure_ascii=False)
    for k, value in inc.extra.items():
        key = f"{k}_input" if k in row else k
        row[key] = _text(value)
    return row


def _utc(t: float) -> str | None:
    if not math.isfinite(t):
        return None
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(value: Any) -> str | None:
    """An input field as text: as given for strings, JSON for anything else."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
