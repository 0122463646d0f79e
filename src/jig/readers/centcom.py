"""CENTCOM / CJTF-OIR daily strike releases as scraped: "near <place>, N strikes"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jig.errors import RowError
from jig.readers.tables import CENTCOM_NEAR_M, Tables
from jig.records import Origin

NAME = "CJTF-OIR release"


def recognise(keys: set[str]) -> bool:
    return {"date", "country", "location", "number"} <= keys


def to_fields(row: dict[str, Any], tables: Tables, origin: Origin) -> dict[str, Any]:
    text = str(row.get("date") or "").strip()
    try:
        day = datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise RowError("row.time", f"`date` {text!r} is not M/D/YYYY as the releases write it",
                       "date") from None
    place = str(row.get("location") or "").strip()
    if not place:
        raise RowError("row.missing", "`location` is empty", "location")
    return {
        # The releases have no ids: the file's line number makes a stable one.
        "id": f"centcom-{origin.line if origin.line is not None else origin.feature}",
        "time": day.isoformat(), "actor": "CJTF-OIR", "act": "air_strike", "source": NAME,
        "notes": row.get("line"), "strikes": row.get("number"), "place": place,
        "country": row.get("country"), "near_m": CENTCOM_NEAR_M,
    }
