"""From a record's fields to an `Incident` or a `Notice`, or a `RowError` saying what is wrong.

Hand-written rather than a pydantic model per row: each message names the field and the value
and says what would be right (including the common slips: swapped coordinates, impossible
dates), and the readers handle millions of rows where a model per row would cost too much.
"""

from __future__ import annotations

import math
from datetime import tzinfo
from typing import Any

from jig.errors import RowError, did_you_mean
from jig.records import INCIDENT_ACTS, Incident, Notice, Origin
from jig.times import Span, parse_time

KEPT = ("source", "notes", "fatalities", "reported_at", "grade")
# 1970-01-01 in any timezone: what a zero timestamp becomes.
EPOCH_DAY = (-14 * 3600.0, 38 * 3600.0)
CORE = {"id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon"}
# The store's id columns hold 200 characters, on SQLite (which would take more) as on
# PostgreSQL (which refuses more): one rule for both, said here.
MAX_ID = 200
# Half the Earth's circumference: a disc wider than this covers the whole Earth.
MAX_RADIUS_M = 20_000_000.0


def identifier(fields: dict[str, Any], name: str = "id") -> str:
    """A record's id: present, at most MAX_ID characters, no control characters (PostgreSQL
    cannot store a NUL; the others would be invisible in every list that shows the id)."""
    ident = text(fields, name)
    if ident is None:
        raise RowError("row.missing", f"`{name}` is required and empty", name)
    if len(ident) > MAX_ID:
        raise RowError("row.id", f"`{name}` is {len(ident)} characters long; at most {MAX_ID}",
                       name)
    bad = next((c for c in ident if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise RowError("row.id", f"`{name}` {ident!r} holds the control character "
                       f"U+{ord(bad):04X}", name)
    return ident


def not_text(value: Any, path: str) -> str | None:
    """The path of the first string in a JSON value (keys too) that holds a NUL or a lone
    surrogate, or None: PostgreSQL stores no NUL, in text or in JSON, and no database or file
    system stores a lone surrogate (which JSON's `\\ud800` can make)."""
    if not _holds_bad(value):
        # Nearly every record is clean: a scan that builds no paths decides that; the paths
        # are worked out only for the rare record that is refused.
        return None
    todo = [(value, path)]
    while todo:
        v, at = todo.pop()
        if isinstance(v, str):
            if _bad(v):
                return at
        elif isinstance(v, dict):
            for k, item in v.items():
                key_at = f"{at}.{k}" if at else str(k)
                if isinstance(k, str) and _bad(k):
                    return key_at
                todo.append((item, key_at))
        elif isinstance(v, list):
            todo += [(item, f"{at}[{i}]") for i, item in enumerate(v)]
    return None


def _bad(s: str) -> bool:
    return "\x00" in s or (not s.isascii() and not _encodes(s))


def _holds_bad(value: Any) -> bool:
    # Every string (keys too) joined and checked at once: one scan in C, not a call per field.
    strings: list[str] = []
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, str):
            strings.append(v)
        elif isinstance(v, dict):
            strings += v.keys()
            todo += v.values()
        elif isinstance(v, list):
            todo += v
    try:
        return _bad("\x01".join(strings))
    except TypeError:  # a key that is not a string: looked at one by one
        return any(isinstance(s, str) and _bad(s) for s in strings)


def _encodes(s: str) -> bool:
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def no_nul(fields: dict[str, Any]) -> None:
    """A RowError naming the first field that holds a NUL or a lone surrogate: refused here,
    by name, rather than by the database."""
    at = not_text(fields, "")
    if at is not None:
        raise RowError("row.nul", f"`{at}` holds a NUL character or a lone surrogate, which no "
                       "store keeps", at.split(".")[0].split("[")[0])


def text(fields: dict[str, Any], name: str) -> str | None:
    v = fields.get(name)
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def number(fields: dict[str, Any], name: str, required: bool = False) -> float | None:
    v = fields.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise RowError("row.missing", f"`{name}` is required and empty", name)
        return None
    if isinstance(v, bool):
        raise RowError("row.number", f"`{name}` must be a number, not {v!r}", name)
    try:
        x = float(v)
    except OverflowError:  # an integer of hundreds of digits
        raise RowError("row.number", f"`{name}` must be a finite number, not an integer of "
                       f"{len(str(v))} digits", name) from None
    except (TypeError, ValueError):
        raise RowError("row.number", f"`{name}` must be a number, not {v!r}", name) from None
    if not math.isfinite(x):
        raise RowError("row.number", f"`{name}` must be a finite number, not {v!r}", name)
    return x


Extent = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def check_lon_lat(lon: float, lat: float, extent: Extent | None = None) -> None:
    """Raise a RowError for coordinates no place on Earth has, naming a likely swap: only
    where the swapped pair lies in `extent` (the agreement's), so the hint is never a guess."""
    if not -90 <= lat <= 90:
        if extent is not None and extent[0] <= lat <= extent[2] and \
                extent[1] <= lon <= extent[3]:
            raise RowError("row.swapped_coordinates",
                           f"lat {lat} is out of range (-90..90) while lon {lon} would be a "
                           "valid latitude: latitude and longitude look swapped", "lat")
        raise RowError("row.coordinates", f"lat {lat} is out of range (-90..90)", "lat")
    if not -180 <= lon <= 180:
        hint = ""
        for scale in (10, 100, 1000, 10000):
            if -180 <= lon / scale <= 180 and abs(lon / scale) >= 10:
                hint = f"; it looks like a misplaced decimal point ({round(lon / scale, 5)}?)"
                break
        raise RowError("row.coordinates", f"lon {lon} is out of range (-180..180){hint}", "lon")


def parse_when(fields: dict[str, Any], tz: tzinfo, name: str = "time") -> tuple[Span, str]:
    raw = text(fields, name)
    if raw is None:
        raise RowError("row.missing", f"`{name}` is required and empty", name)
    try:
        span = parse_time(raw, tz)
    except ValueError as exc:
        raise RowError("row.time", f"`{name}`: {exc}", name) from None
    if EPOCH_DAY[0] <= span.start < EPOCH_DAY[1]:
        raise RowError("row.epoch_date", f"`{name}` {raw!r} is 1 January 1970, the Unix epoch: "
                       "almost certainly a missing date stored as zero", name)
    return span, raw


def location(fields: dict[str, Any], geometry: Any, extent: Extent | None = None
             ) -> tuple[float, float]:
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            raise RowError("row.geometry", f"geometry is a {kind}; incidents and notices are "
                           "Points (for an area, give its centre and precision_m)", "geometry")
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            raise RowError("row.geometry", "Point coordinates must be [longitude, latitude]",
                           "geometry")
        lon = number({"lon": coords[0]}, "lon", required=True)
        lat = number({"lat": coords[1]}, "lat", required=True)
    else:
        lon = number(fields, "lon", required=True)
        lat = number(fields, "lat", required=True)
    assert lon is not None and lat is not None
    check_lon_lat(lon, lat, extent)
    return lon, lat


def to_incident(fields: dict[str, Any], tz: tzinfo, origin: Origin | None = None,
                geometry: Any = None, extent: Extent | None = None,
                stored: bool = False) -> Incident:
    """Build an incident from the fields of format 1 (`id`, `time`, `lon`, `lat`, ...).
    A `stored` record was built here once already, so its strings were searched for NUL and
    lone surrogates then: searching every string again was half the cost of reading back
    the incidents a record is judged with."""
    ident = identifier(fields)
    if not stored:
        no_nul(fields)
    span, time_text = parse_when(fields, tz)
    lon, lat = location(fields, geometry, extent)
    precision = number(fields, "precision_m") or 0.0
    if precision < 0:
        raise RowError("row.precision", f"`precision_m` must be 0 or more, not {precision}",
                       "precision_m")
    if precision > MAX_RADIUS_M:
        raise RowError("row.precision", f"`precision_m` must be at most {MAX_RADIUS_M:,.0f} "
                       f"(half the Earth's circumference), not {precision}", "precision_m")
    weapon = text(fields, "weapon")
    # A row that names a weapon but no act is a sighting (format 1's `no_weapons_in`): `other`,
    # not an unknown act that every strike clause would have to doubt.
    given = text(fields, "act") or ("other" if weapon else "unknown")
    act = given.lower()
    if act not in INCIDENT_ACTS:
        hint = did_you_mean(act, INCIDENT_ACTS)
        raise RowError("row.act", f"`act` {given!r} is not one of {', '.join(INCIDENT_ACTS)}"
                       + (f": {hint}" if hint else ""), "act")
    extra = {k: v for k, v in fields.items() if k not in CORE and v not in (None, "")}
    sides = text(fields, "sides")
    if sides is not None:
        if sides.lower() != "either":
            raise RowError("row.sides", f"`sides` {sides!r}: give `either` (the record names "
                           "two sides, actor and target, but not which acted) or leave it "
                           "empty", "sides")
        if not text(fields, "actor") or not text(fields, "target"):
            raise RowError("row.sides", "`sides` either needs both sides named: `actor` and "
                           "`target`", "sides")
        extra["sides"] = "either"
    return Incident(id=ident, span=span, time_text=time_text, lon=lon, lat=lat,
                    precision_m=precision, actor=text(fields, "actor"),
                    target=text(fields, "target"), act=act, weapon=weapon,
                    extra=extra, origin=origin)


def to_notice(fields: dict[str, Any], tz: tzinfo, origin: Origin | None = None,
              geometry: Any = None, parties: set[str] | None = None,
              exceptions: set[str] | None = None, extent: Extent | None = None) -> Notice:
    """Build a notice; `parties` and `exceptions`, when given, are the agreement's ids."""
    ident = identifier(fields)
    no_nul(fields)
    party = text(fields, "party")
    if party is None:
        raise RowError("row.missing", "`party` is required and empty", "party")
    if parties is not None and party not in parties:
        raise RowError("row.unknown_party", f"`party` {party!r} is not a party of the agreement "
                       f"({', '.join(sorted(parties))})", "party")
    exception = text(fields, "exception")
    if exception is None:
        raise RowError("row.missing", "`exception` is required and empty", "exception")
    if exceptions is not None and exception not in exceptions:
        raise RowError("row.unknown_exception", f"`exception` {exception!r} is not an exception "
                       f"of the agreement ({', '.join(sorted(exceptions)) or 'none'})", "exception")
    span, time_text = parse_when(fields, tz)
    incident = text(fields, "incident")
    lon = lat = None
    radius = 0.0
    has_point = geometry is not None or text(fields, "lon") is not None
    if has_point:
        lon, lat = location(fields, geometry, extent)
        radius = number(fields, "radius_m") or 0.0
        if radius < 0:
            raise RowError("row.radius", f"`radius_m` must be 0 or more, not {radius}", "radius_m")
        if radius > MAX_RADIUS_M:
            raise RowError("row.radius", f"`radius_m` must be at most {MAX_RADIUS_M:,.0f} "
                           f"(half the Earth's circumference), not {radius}", "radius_m")
    if incident is None and not has_point:
        raise RowError("row.missing", "a notice needs `incident` (an incident id) or `lon`, "
                       "`lat`, `radius_m` (the area it covers)", "incident")
    return Notice(id=ident, party=party, span=span, time_text=time_text, exception=exception,
                  incident=incident, lon=lon, lat=lat, radius_m=radius, origin=origin)
