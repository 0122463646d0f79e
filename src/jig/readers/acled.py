"""ACLED exports: the current lower-case header and the older upper-case one (before ACLED 8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jig.errors import RowError
from jig.readers.tables import Tables, widen
from jig.records import Origin

NAME = "ACLED"
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%d-%b-%y", "%d %b %Y")


def recognise(keys: set[str]) -> bool:
    lower = {k.lower() for k in keys}
    return {"event_date", "actor1", "latitude", "longitude"} <= lower and (
        "event_id_cnty" in lower or "data_id" in lower)


def _lower(row: dict[str, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in row.items()}


def _day(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise RowError("row.time", f"`event_date` {text!r} is not a date ACLED writes "
                   "(2016-08-01 or 01 August 2016)", "event_date")


def _code(row: dict[str, Any], name: str) -> int | None:
    v = str(row.get(name) or "").strip()
    if not v:
        return None
    try:
        return int(float(v))
    except ValueError:
        raise RowError("row.code", f"`{name}` {v!r} is not a code number", name) from None


def to_fields(row: dict[str, Any], tables: Tables, origin: Origin) -> dict[str, Any]:
    r = _lower(row)
    day = _day(str(r.get("event_date") or ""))
    tp = _code(r, "time_precision") or 1
    if tp not in tables.acled_time_precision:
        raise RowError("row.code", f"`time_precision` {tp} is not an ACLED code (1, 2, 3)",
                       "time_precision")
    gp = _code(r, "geo_precision") or 1
    if gp not in tables.acled_geo_precision:
        raise RowError("row.code", f"`geo_precision` {gp} is not an ACLED code (1, 2, 3)",
                       "geo_precision")
    radius = tables.acled_geo_precision[gp]
    if radius is None:
        raise RowError("row.location_unknown", f"`geo_precision` {gp} gives no usable location "
                       "(map it under precision.acled_geo_precision in the agreement)",
                       "geo_precision")
    if "sub_event_type" in r:
        label = str(r.get("sub_event_type") or "").strip()
        act = tables.acled_sub_event_type.get(label, "other")
    else:
        label = str(r.get("event_type") or "").strip()
        act = tables.acled_event_type.get(label, "other")
    return {
        "id": r.get("event_id_cnty") or r.get("data_id"),
        "time": widen(day, tables.acled_time_precision[tp]),
        "lon": r.get("longitude"), "lat": r.get("latitude"), "precision_m": radius,
        "actor": r.get("actor1"), "target": r.get("actor2"), "act": act,
        "source": r.get("source") or NAME, "notes": r.get("notes"),
        "fatalities": r.get("fatalities"), "reported_at": r.get("timestamp"),
        "place": r.get("location"), "region": r.get("admin1"), "event_type": label,
    }
