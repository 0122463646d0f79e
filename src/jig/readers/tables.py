"""Mapping tables from the exports' own codes to the incident fields of format 1.

Defaults come from `agreement-format.md` (ACLED and UCDP precision codes, ACLED sub-event
types) and from the sources' codebooks (Airwars geolocation precision and strike types). An
agreement overrides any entry under `precision:` (precision codes) or `mappings:` (act
types); docs/importers.md has every table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# ACLED codebook: 1 = the town itself, 2 = a part of a region near a town, 3 = a larger region.
ACLED_GEO_PRECISION: dict[int, float | None] = {1: 2_000.0, 2: 15_000.0, 3: 50_000.0}
# ACLED: 1 = the day is known, 2 = within a week (±3 days), 3 = only the month.
ACLED_TIME_PRECISION: dict[int, str] = {1: "day", 2: "3 days", 3: "month"}
# UCDP GED codebook: where_prec 1 exact place, 2 within 25 km, 3 second-order admin unit,
# 4 first-order unit, 5 a larger region, 6 the country only, 7 international waters/airspace.
UCDP_WHERE_PREC: dict[int, float | None] = {1: 1_000.0, 2: 25_000.0, 3: 50_000.0,
                                            4: 100_000.0, 5: 200_000.0, 6: None, 7: None}
# Airwars `geolocation_precision` words, as radii: the size of the thing named.
AIRWARS_GEOLOCATION_PRECISION: dict[str, float | None] = {
    "within_1m": 1.0, "exact_location": 50.0, "exact_location_other": 50.0,
    "exact_location_coalition": 50.0, "within_100m": 100.0, "street": 250.0,
    "nearby_landmark": 500.0, "neighbourhood_area": 1_000.0, "village": 2_000.0,
    "town": 5_000.0, "city": 10_000.0, "subdistrict": 15_000.0, "district": 30_000.0,
    "province_governorate": 75_000.0, "": None,
}
ACLED_SUB_EVENT_TYPE: dict[str, str] = {
    "Air/drone strike": "air_strike",
    "Shelling/artillery/missile attack": "shelling",
    "Armed clash": "ground_attack",
    "Attack": "ground_attack",
    "Remote explosive/landmine/IED": "explosion",
    "Suicide bomb": "explosion",
    "Grenade": "explosion",
}
# Exports before ACLED 8 (2019) have EVENT_TYPE only.
ACLED_EVENT_TYPE: dict[str, str] = {
    "Battle-No change of territory": "ground_attack",
    "Battle-Government regains territory": "ground_attack",
    "Battle-Non-state actor overtakes territory": "ground_attack",
    "Remote violence": "unknown",  # air strikes, shelling and IEDs alike
    "Violence against civilians": "ground_attack",
}
# Airwars `strike_type`. Before 2017 it is nearly always empty: Airwars then recorded alleged
# air strikes, so an empty strike type is read as one (an agreement can map "" to unknown).
AIRWARS_STRIKE_TYPE: dict[str, str] = {
    "": "air_strike", "Airstrike": "air_strike", "Drone Strike": "air_strike",
    "Airstrike, Drone Strike": "air_strike", "Drone Strike, Airstrike": "air_strike",
    "Artillery": "shelling", "Airstrike and/or Artillery": "unknown",
    "Counter-Terrorism Action (Ground)": "ground_attack", "Ground operation": "ground_attack",
}
# A CENTCOM release says "near <place>": the strike may be anywhere around it.
CENTCOM_NEAR_M = 10_000.0
# A gazetteer point names a place without its size: read it as a town.
GAZETTEER_POINT_M = 5_000.0


@dataclass(frozen=True)
class Tables:
    acled_geo_precision: dict[int, float | None] = field(
        default_factory=lambda: dict(ACLED_GEO_PRECISION))
    acled_time_precision: dict[int, str] = field(
        default_factory=lambda: dict(ACLED_TIME_PRECISION))
    ucdp_where_prec: dict[int, float | None] = field(default_factory=lambda: dict(UCDP_WHERE_PREC))
    airwars_geolocation_precision: dict[str, float | None] = field(
        default_factory=lambda: dict(AIRWARS_GEOLOCATION_PRECISION))
    acled_sub_event_type: dict[str, str] = field(
        default_factory=lambda: dict(ACLED_SUB_EVENT_TYPE))
    acled_event_type: dict[str, str] = field(default_factory=lambda: dict(ACLED_EVENT_TYPE))
    airwars_strike_type: dict[str, str] = field(default_factory=lambda: dict(AIRWARS_STRIKE_TYPE))

    @classmethod
    def with_overrides(cls, overrides: dict[str, dict[Any, Any]]) -> Tables:
        """Defaults, with the agreement's `precision:` and `mappings:` entries laid over them."""
        t = cls()
        for name, entries in overrides.items():
            getattr(t, name).update(entries)
        return t


_DAYS = re.compile(r"^±?\s*(\d+)\s*days?$")


def widen(day: date, how: str) -> str:
    """A day and a time-precision word ("day", "N days", "month") as an ISO interval."""
    if how == "day":
        return day.isoformat()
    if how == "month":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return f"{first.isoformat()}/{(nxt - timedelta(days=1)).isoformat()}"
    m = _DAYS.match(how.strip())
    if m:
        n = int(m.group(1))
        return f"{(day - timedelta(days=n)).isoformat()}/{(day + timedelta(days=n)).isoformat()}"
    raise ValueError(f"time precision {how!r}: use day, month or 'N days'")
