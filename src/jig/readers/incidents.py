"""Incident files of any known export, streamed: incidents and rejects out, nothing dropped.

Each file's source is recognised from its header (CSV) or its first record's keys (JSON Lines,
GeoJSON): ACLED, UCDP GED, Airwars, the CJTF-OIR strike releases, or the generic fields of
format 1. Rows with a place name but no coordinates are placed with a gazetteer when one is
given. Rows are checked against the agreement's area in chunks, vectorised.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import shapely

from jig.agreement.model import Agreement
from jig.errors import InputFileError, Location, Problem, RowError
from jig.readers import acled, airwars, centcom, ucdp
from jig.readers.fields import parse_when, to_incident
from jig.readers.files import RawRecord, ReadPosition, expand_paths, iter_records
from jig.readers.gazetteer import Gazetteer, skeleton
from jig.readers.rejects import Reject
from jig.readers.tables import Tables
from jig.records import Incident

SOURCES: tuple[ModuleType, ...] = (acled, ucdp, airwars, centcom)
AREA_CHUNK = 8192
SWAP_GAP_M = 100_000.0


def recognise(keys: Iterable[str]) -> ModuleType | None:
    """The export a record's keys come from, or None for the generic fields of format 1."""
    keyset = set(keys)
    if {"id", "time"} <= keyset:
        return None
    return next((s for s in SOURCES if s.recognise(keyset)), None)


@dataclass
class Counts:
    """Rows read, incidents produced and rows rejected; read == incidents + rejected."""

    read: int = 0
    incidents: int = 0
    rejected: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    geocoded: int = 0


def _unpack(packed: int, files: list[str]) -> str:
    where = packed & 0xFFFFFFFF
    kind = "feature" if where >> 31 else "line"
    return f"{files[packed >> 32]}, {kind} {where & 0x7FFFFFFF}"


class _Skip(Exception):
    """A row the quick scan does not need."""


def _require_generic(rec: RawRecord) -> None:
    """A file that is no known export must have the fields of format 1, or it is not incidents."""
    keys = set(rec.fields or {})
    located = {"lon", "lat"} <= keys or rec.geometry is not None or bool(keys & {"place",
                                                                                 "location"})
    if {"id", "time"} <= keys and located:
        return
    shown = ", ".join(sorted(keys)[:12]) + (", …" if len(keys) > 12 else "")
    raise InputFileError(Problem(
        "file.unknown_columns", "is not a file of incidents jig knows: it has neither the "
        "fields of format 1 (id, time, lon, lat) nor the header of an ACLED, UCDP GED, Airwars "
        f"or CJTF-OIR export (its columns: {shown})", Location(file=rec.origin.file)))


def _quirk(rec: RawRecord, exc: RowError) -> Reject:
    return Reject(rec.origin, exc.code, str(exc), rec.raw, exc.field)


class IncidentReader:
    """Reads incident files for one agreement; `counts` add up after each full pass."""

    def __init__(self, agreement: Agreement, gazetteer: Gazetteer | None = None):
        self.agreement = agreement
        self.gazetteer = gazetteer
        self.tables = Tables.with_overrides(agreement.precision)
        self.counts = Counts()
        self.position = ReadPosition()

    def iter(self, paths: Iterable[str | Path], only_actors: frozenset[str] | None = None,
             used: dict[str, str] | None = None) -> Iterator[Incident | Reject]:
        """Every row of every file, in order, as an Incident or a Reject. Ids must be unique
        across the files; a repeated one is rejected naming where it was first used.

        `only_actors`: a quick scan that yields only the incidents of these agreement actors,
        skipping the work of building the others (rejects and counts are then partial).
        `used`: ids already used before these files (in other partitions of one input), with
        where; they are rejected as repeats too. `self.seen` keeps the ids these files used.
        """
        self.counts = Counts()
        used = used or {}
        # Every id seen, with where it was as one small int (file number, line): kept for the
        # whole run to catch repeats, so it is the one thing here that grows with the input.
        seen: dict[str, int] = {}
        self.seen = seen
        files: list[str] = []
        self.files = files
        pending: list[tuple[RawRecord, Incident]] = []
        paths = expand_paths(paths)
        self.position = position = ReadPosition(paths)
        for path in paths:
            files.append(str(path))
            source: ModuleType | None = None
            first = True
            for rec in iter_records(path, position):
                self.counts.read += 1
                if rec.fields is None:
                    yield self._reject(Reject(rec.origin, "row.unreadable",
                                              rec.error or "unreadable", rec.raw))
                    continue
                if first:
                    source = recognise(rec.fields)
                    if source is None:
                        _require_generic(rec)
                    first = False
                name = source.NAME if source else "generic"
                self.counts.by_source[name] = self.counts.by_source.get(name, 0) + 1
                try:
                    inc = self._incident(rec, source, only_actors)
                except _Skip:
                    continue
                except RowError as exc:
                    yield self._reject(_quirk(rec, exc))
                    continue
                if inc.id in seen or inc.id in used:
                    first = used[inc.id] if inc.id in used else _unpack(seen[inc.id], files)
                    yield self._reject(Reject(rec.origin, "row.duplicate_id",
                                              f"id {inc.id!r} was already used at {first}",
                                              rec.raw, "id"))
                    continue
                o = rec.origin
                seen[inc.id] = (len(files) - 1) << 32 | (o.line if o.line is not None else
                                                          (1 << 31) | (o.feature or 0))
                pending.append((rec, inc))
                if len(pending) >= AREA_CHUNK:
                    yield from self._area_checked(pending)
                    pending = []
            yield from self._area_checked(pending)
            pending = []
            position.end_file(path)

    def used_ids(self) -> list[tuple[str, str]]:
        """The ids the last `iter` used, in order, with where each was first used."""
        return [(ident, _unpack(packed, self.files)) for ident, packed in self.seen.items()]

    def read(self, paths: Iterable[str | Path], used: dict[str, str] | None = None
             ) -> tuple[list[Incident], list[Reject]]:
        incidents: list[Incident] = []
        rejects: list[Reject] = []
        for item in self.iter(paths, used=used):
            (rejects if isinstance(item, Reject) else incidents).append(item)  # type: ignore[arg-type]
        return incidents, rejects

    def _reject(self, r: Reject) -> Reject:
        self.counts.rejected += 1
        return r

    def _incident(self, rec: RawRecord, source: ModuleType | None,
                  only_actors: frozenset[str] | None = None) -> Incident:
        assert rec.fields is not None
        fields: dict[str, Any] = (source.to_fields(rec.fields, self.tables, rec.origin)
                                  if source else dict(rec.fields))
        if only_actors is not None and \
                self.agreement.match_actor(str(fields.get("actor") or ""))[0] not in only_actors:
            raise _Skip
        has_point = rec.geometry is not None or str(fields.get("lat") or "").strip() != ""
        if not has_point:
            parse_when(fields, self.agreement.tz)  # a bad date is the first thing to say
            self._check_country(fields)
            fields = self._geocode(fields)
        if source is not None:
            fields = {k: v for k, v in fields.items() if v not in (None, "")}
        if "dataset" not in fields:
            fields["dataset"] = source.NAME if source else _file_name(rec.origin.file)
        return to_incident(fields, self.agreement.tz, rec.origin, rec.geometry,
                           self.agreement.extent)

    def _check_country(self, fields: dict[str, Any]) -> None:
        """A record that names its country outside the agreement's area is not placed by name:
        a gazetteer of one country would put a namesake there (Iraq's al-Qa'im, say)."""
        country = str(fields.get("country") or "").strip()
        names = self.agreement.area_names
        if not country or not names:
            return
        if not any(skeleton(country) in skeleton(n) or skeleton(n) in skeleton(country)
                   for n in names):
            raise RowError("row.outside_area", f"the record places it in {country}, outside the "
                           f"agreement's area ({', '.join(names)})", "country")

    def _geocode(self, fields: dict[str, Any]) -> dict[str, Any]:
        place = str(fields.get("place") or fields.get("location") or "").strip()
        if not place:
            raise RowError("row.missing", "no coordinates (`lon`, `lat`) and no place name", "lat")
        if self.gazetteer is None:
            raise RowError("row.no_coordinates", f"no coordinates, only the place name {place!r}; "
                           "give a gazetteer (--gazetteer) to place it by name", "lat")
        try:
            match = self.gazetteer.lookup(place, fields.get("region"))
        except ValueError as exc:
            raise RowError("row.place_unmatched", str(exc), "place") from None
        p = match.place
        radius = max(p.radius_m, float(fields.get("near_m") or 0.0))
        self.counts.geocoded += 1
        return fields | {"lon": p.lon, "lat": p.lat, "precision_m": radius,
                         "placed_by": f"{p.name} ({p.kind}, {p.source}, by {match.how})"}

    def _area_checked(self, pending: list[tuple[RawRecord, Incident]]) -> Iterator[Incident | Reject]:
        region = self.agreement.area_region
        if region is None or not pending:
            self.counts.incidents += len(pending)
            yield from (inc for _, inc in pending)
            return
        proj = self.agreement.projection
        lon = np.array([inc.lon for _, inc in pending])
        lat = np.array([inc.lat for _, inc in pending])
        x, y = proj.xy(lon, lat)
        inside = shapely.contains_xy(region, x, y)
        for k in np.flatnonzero(~inside):
            inside[k] = self._near_enough(region, pending[k][1], float(x[k]), float(y[k]))
        for k, (rec, inc) in enumerate(pending):
            if inside[k]:
                self.counts.incidents += 1
                yield inc
            else:
                yield self._reject(self._outside(rec, inc, float(x[k]), float(y[k])))

    @staticmethod
    def _near_enough(region: Any, inc: Incident, x: float, y: float) -> bool:
        """A wide disc whose centre lies outside may still reach into the area."""
        if inc.precision_m <= 0:
            return False
        return bool(shapely.distance(region, shapely.Point(x, y)) <= inc.precision_m)

    def _outside(self, rec: RawRecord, inc: Incident, x: float, y: float) -> Reject:
        a = self.agreement
        assert a.area_region is not None
        gap = float(shapely.distance(a.area_region, shapely.Point(x, y))) + 10_000.0
        sx, sy = a.projection.xy(np.array([inc.lat]), np.array([inc.lon]))
        # Only a point far outside counts as swapped: near a border, both readings can be real
        # places (Airwars YS005 lies in Hatay, 17 km from Syria, and is not swapped).
        if gap > SWAP_GAP_M and -90 <= inc.lon <= 90 and shapely.contains_xy(
                a.area_region, float(sx[0]), float(sy[0])):
            return Reject(rec.origin, "row.swapped_coordinates",
                          f"lon {inc.lon}, lat {inc.lat} lies {gap / 1000:.0f} km outside the "
                          f"agreement's area, but lon {inc.lat}, lat {inc.lon} lies inside it: "
                          "latitude and longitude look swapped", rec.raw, "lon")
        return Reject(rec.origin, "row.outside_area",
                      f"lon {inc.lon}, lat {inc.lat} lies {gap / 1000:.0f} km outside the "
                      "agreement's area; check the coordinates (or the agreement's `area`)",
                      rec.raw, "lon")


@functools.lru_cache(maxsize=64)
def _file_name(path: str) -> str:
    """The file's name, the `dataset` of its rows when they name none (one Path per file,
    not per row: that was an eighth of the time spent reading)."""
    return Path(path).name
