"""Incident files of any known export, streamed: incidents and rejects out, nothing dropped.

Each file's source is recognised from its header (CSV) or its first record's keys (JSON Lines,
GeoJSON): ACLED, UCDP GED, Airwars, the CJTF-OIR strike releases, or the generic fields of
format 1. Rows with a place name but no coordinates are placed with a gazetteer when one is
given. Rows are checked against the agreement's area in chunks, vectorised.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import numpy as np
import pyarrow as pa
import shapely

from jig.agreement.model import Agreement
from jig.errors import InputFileError, Location, Problem, RowError
from jig.readers import acled, airwars, centcom, jsoncolumns, ucdp
from jig.readers.columns import TEXT, IncidentColumns, LazyIncidents, in_chunks
from jig.readers.csvcolumns import Block, blocks, header_of, parse
from jig.readers.fields import parse_when, to_incident
from jig.readers.files import (
    FilePart,
    RawRecord,
    ReadPosition,
    csv_fields,
    detect_form,
    expand_paths,
    iter_csv,
    iter_jsonl,
    iter_records,
    json_fields,
)
from jig.readers.gazetteer import Gazetteer, skeleton
from jig.readers.rejects import Reject
from jig.readers.tables import Tables
from jig.records import Incident, Origin

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

    def add(self, other: Counts) -> None:
        """Another part of the input's counts added to these."""
        self.read += other.read
        self.incidents += other.incidents
        self.rejected += other.rejected
        self.geocoded += other.geocoded
        for name, n in other.by_source.items():
            self.by_source[name] = self.by_source.get(name, 0) + n


def unpack(packed: int, files: list[str]) -> str:
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
    names = list(rec.fields or {})  # as the file has them, in its order
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    raise InputFileError(Problem(
        "file.unknown_columns", "is not a file of incidents jig knows: it has neither the "
        "fields of format 1 (id, time, lon, lat) nor the header of an ACLED, UCDP GED, Airwars "
        f"or CJTF-OIR export (its columns: {shown}){_header_hint(names)}",
        Location(file=rec.origin.file)))


def _header_hint(names: list[str]) -> str:
    """What the usual slips of a spreadsheet's export look like, said."""
    if len(names) == 1 and any(sep in names[0] for sep in (";", "\t")):
        sep = "semicolons" if ";" in names[0] else "tabs"
        return f"; its header is separated by {sep}: save it as comma-separated CSV"
    lowered = {n.strip().lower() for n in names}
    if {"id", "time"} <= lowered and not {"id", "time"} <= set(names):
        return "; format 1's field names are lower case (id, time, lon, lat)"
    if {"latitude", "longitude"} <= lowered:
        return "; format 1 names the coordinates lon and lat"
    return ""


def _quirk(rec: RawRecord, exc: RowError) -> Reject:
    return Reject(rec.origin, exc.code, str(exc), rec.raw, exc.field)


class IncidentReader:
    """Reads incident files for one agreement; `counts` add up after each full pass."""

    def __init__(self, agreement: Agreement, gazetteer: Gazetteer | None = None,
                 columnar: bool = True):
        self.agreement = agreement
        # False: every file row by row (the reference the columnar reader is tested against).
        self.columnar = columnar
        self.gazetteer = gazetteer
        self.tables = Tables.with_overrides(agreement.precision)
        self.counts = Counts()
        self.position = ReadPosition()

    def iter(self, paths: Iterable[str | Path], only_actors: frozenset[str] | None = None,
             used: dict[str, str] | None = None) -> Iterator[Incident | Reject]:
        """Every row of every file as an Incident or a Reject (a block's rejects before its
        incidents). Ids must be unique across the files; a repeated one is rejected naming
        where it was first used.

        `only_actors`: a quick scan that yields only the incidents of these agreement actors,
        skipping the work of building the others (rejects and counts are then partial).
        `used`: ids already used before these files (in other partitions of one input), with
        where; they are rejected as repeats too. `self.seen` keeps the ids these files used.
        """
        # Rows read one by one go straight through: gathered into columns only to be taken
        # apart again, they cost `jig import` a twentieth of its time and held a whole
        # chunk before the first batch was stored.
        for item in self._read(paths, only_actors, used, chunked=False):
            if isinstance(item, IncidentColumns):
                yield from item.incidents
            else:
                yield item

    def iter_columns(self, paths: Iterable[str | Path | FilePart],
                     only_actors: frozenset[str] | None = None,
                     used: dict[str, str] | None = None) -> Iterator[IncidentColumns | Reject]:
        """`iter`, with the incidents in chunks of columns: format-1 CSV files are read by
        `jig.readers.csvcolumns` without an object per row; other files by the row reader.
        A `FilePart` of a format-1 file is read as those blocks of the file; when one of them
        must go to the row reader, so does the rest of the file (`self.read_to_end`), as
        reading the whole file would."""
        # Chunked, the rows come as columns: no bare Incident.
        return cast(Iterator[IncidentColumns | Reject],
                    self._read(paths, only_actors, used, chunked=True))

    def _read(self, paths: Iterable[str | Path | FilePart], only_actors: frozenset[str] | None,
              used: dict[str, str] | None, chunked: bool
              ) -> Iterator[IncidentColumns | Incident | Reject]:
        """Format-1 CSV and JSON Lines blocks as columns; other files' rows one by one, or
        `chunked` into columns a file at a time."""
        self.counts = Counts()
        self._used = used or {}
        # Every id seen, with where it was as one small int (file number, line): kept for the
        # whole run to catch repeats, so it is the one thing here that grows with the input.
        self.seen: dict[str, int] = {}
        self.files: list[str] = []
        self.read_to_end = False
        items: list[Path | FilePart] = []
        for p in paths:
            items += [p] if isinstance(p, FilePart) else expand_paths([p])
        self.position = position = ReadPosition(
            Path(i.path) if isinstance(i, FilePart) else i for i in items)
        for item in items:
            part = item if isinstance(item, FilePart) else None
            path = Path(part.path) if part is not None else item
            assert isinstance(path, Path)
            self.files.append(str(path))
            quick = quick_file(path) if self.columnar and only_actors is None else None
            if quick is None:
                if part is not None:
                    raise InputFileError(Problem(
                        "file.changed", "changed while it was read (its first line is no "
                        "longer a header of format 1)", Location(file=str(path))))
                rows = self._rows(iter_records(path, position), only_actors)
                yield from in_chunks(rows) if chunked else rows
                position.end_file(path)
                continue
            form, header, offset = quick
            csv_file = form == "csv"
            first = 2 if csv_file else 1
            for block in blocks(path, header, part.start if part else offset,
                                part.line if part else first,
                                None if csv_file else jsoncolumns.block, origin=offset,
                                stop=part.stop if part else None):
                if isinstance(block, int):  # the rest of the file, row by row
                    self.read_to_end = part is not None
                    rest = (iter_csv if csv_file else iter_jsonl)(path, position, start=block)
                    rows = self._rows(rest, None, generic=True)
                    yield from in_chunks(rows) if chunked else rows
                    break
                position.offset = block.end
                yield from self._block(str(path), block)
            position.end_file(path)

    def _rows(self, records: Iterable[RawRecord], only_actors: frozenset[str] | None,
              generic: bool = False) -> Iterator[Incident | Reject]:
        """One file's records, row by row."""
        source: ModuleType | None = None
        first = not generic
        pending: list[tuple[RawRecord, Incident]] = []
        for rec in records:
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
            repeat = self._repeat(inc.id, rec)
            if repeat is not None:
                yield repeat
                continue
            self.seen[inc.id] = self._packed(rec.origin)
            pending.append((rec, inc))
            if len(pending) >= AREA_CHUNK:
                yield from self._area_checked(pending)
                pending = []
        yield from self._area_checked(pending)

    def _packed(self, o: Origin) -> int:
        return (len(self.files) - 1) << 32 | (o.line if o.line is not None else
                                              (1 << 31) | (o.feature or 0))

    def _repeat(self, ident: str, rec: RawRecord) -> Reject | None:
        if ident not in self.seen and ident not in self._used:
            return None
        first = self._used[ident] if ident in self._used else unpack(self.seen[ident], self.files)
        return self._reject(Reject(rec.origin, "row.duplicate_id",
                                   f"id {ident!r} was already used at {first}", rec.raw, "id"))

    def _block(self, name: str, block: Block) -> Iterator[IncidentColumns | Reject]:
        """A block of a format-1 CSV file: its quick lines parsed as columns, the others by the
        row reader's own steps; then ids, then the agreement's area, as row by row."""
        header = block.header
        parsed = parse(block, self.agreement.tz)
        quick_at = np.flatnonzero(block.quick)
        fast_at = quick_at[parsed.ok]
        slow = np.ones(len(block), dtype=bool)
        slow[fast_at] = False
        slow &= ~block.skip
        line_no = block.first + np.arange(len(block))
        rejects: list[tuple[int, Reject]] = []
        slow_inc: dict[int, Incident] = {}
        records: dict[int, RawRecord] = {}

        def record(i: int) -> RawRecord:
            rec = records.get(i)
            if rec is None:
                text = block.text(i)
                fields = dict(zip(header, text.split(","), strict=True)) \
                    if block.form == "csv" else json.loads(text)
                rec = records[i] = RawRecord(Origin(name, int(line_no[i])), fields, text)
            return rec

        before = self.counts.read
        self.counts.read += int((~block.skip).sum())
        split = csv_fields if block.form == "csv" else _json_fields
        for i in np.flatnonzero(slow).tolist():
            text = block.text(i)
            origin = Origin(name, int(line_no[i]))
            fields, error = split(text, header)
            if error is not None:
                rejects.append((i, self._reject(Reject(origin, "row.unreadable", error, text))))
                continue
            if fields is None:
                self.counts.read -= 1  # a blank row: the row reader skips it too
                continue
            rec = records[i] = RawRecord(origin, fields, text)
            try:
                slow_inc[i] = self._incident(rec, None)
            except RowError as exc:
                rejects.append((i, self._reject(_quirk(rec, exc))))
        unreadable = sum(1 for _, r in rejects if r.code == "row.unreadable")
        self.counts.by_source["generic"] = (self.counts.by_source.get("generic", 0)
                                            + self.counts.read - before - unreadable)
        # Every incident of the block in line order: `cand` positions, fast ones first in `src`.
        slow_at = np.array(sorted(slow_inc), dtype=np.int64)
        cand = np.concatenate([fast_at, slow_at])
        order = np.argsort(cand, kind="stable")
        cand = cand[order]
        ids_all = pa.concat_arrays([parsed.ids.filter(pa.array(parsed.ok)),
                                    pa.array([slow_inc[i].id for i in slow_at.tolist()],
                                             pa.string())]).take(pa.array(order))
        ids = ids_all.to_pylist()
        packed = ((len(self.files) - 1) << 32 | line_no[cand]).tolist()
        keep = np.ones(len(cand), dtype=bool)
        # Ids are nearly always new: taken in one step when none was seen before and none
        # repeats within the block (checked by the growth of `seen`), one by one otherwise.
        seen = self.seen
        size = len(seen)
        fresh = not self._used and not any(map(seen.__contains__, ids))
        if fresh:
            seen.update(zip(ids, packed, strict=True))
            if len(seen) != size + len(ids):
                for ident in ids:
                    seen.pop(ident, None)
                fresh = False
        if not fresh:
            for j, ident in enumerate(ids):
                repeat = self._repeat(ident, record(int(cand[j])))
                if repeat is not None:
                    keep[j] = False
                    rejects.append((int(cand[j]), repeat))
                else:
                    self.seen[ident] = packed[j]

        def floats(fast: np.ndarray, get: Callable[[Incident], float]) -> np.ndarray:
            both = np.concatenate([fast[parsed.ok], np.array([get(slow_inc[i]) for i in
                                                              slow_at.tolist()], dtype=float)])
            return both[order]

        lon = floats(parsed.lon, lambda i: i.lon)
        lat = floats(parsed.lat, lambda i: i.lat)
        made: dict[int, Incident] = {}

        def build(j: int) -> Incident:
            i = int(cand[j])
            return slow_inc[i] if i in slow_inc else self._incident(record(i), None)

        region = self.agreement.area_region
        if region is not None and cand.size:
            x, y = self.agreement.projection.xy(lon, lat)
            inside = shapely.contains_xy(region, x, y)
            for j in np.flatnonzero(~inside & keep).tolist():
                inc = made[j] = build(j)
                if not self._near_enough(region, inc, float(x[j]), float(y[j])):
                    keep[j] = False
                    rejects.append((int(cand[j]), self._reject(
                        self._outside(record(int(cand[j])), inc, float(x[j]), float(y[j])))))
        rejects.sort(key=lambda r: r[0])
        yield from (r for _, r in rejects)
        take = np.flatnonzero(keep)
        if not take.size:
            return
        self.counts.incidents += int(take.size)
        pick = pa.array(take)

        def strings(name: str) -> pa.DictionaryArray:
            fast = parsed.text[name].filter(pa.array(parsed.ok))
            rest = pa.array([getattr(slow_inc[i], name) for i in slow_at.tolist()], pa.string())
            return pa.concat_arrays([fast, rest]).take(pa.array(order)).take(pick) \
                .dictionary_encode()

        # The objects already made (the row reader's, and those the area check needed).
        known = {j: slow_inc[int(cand[j])] for j in np.flatnonzero(np.isin(cand, slow_at)).tolist()}
        known |= made
        prefill = {int(np.searchsorted(take, j)): inc for j, inc in known.items() if keep[j]}
        # Only the row reader's records can name two sides without saying which acted: the
        # quick parse hands every record with a `sides` field to it.
        either = np.concatenate([np.zeros(len(fast_at), bool), np.array(
            [slow_inc[i].either_side for i in slow_at.tolist()], bool)])[order][take]
        yield IncidentColumns(
            ids_all.take(pick), lon[take], lat[take],
            floats(parsed.precision_m, lambda i: i.precision_m)[take],
            floats(parsed.start, lambda i: i.span.start)[take],
            floats(parsed.end, lambda i: i.span.end)[take],
            {name: strings(name) for name in TEXT},
            LazyIncidents(int(take.size), lambda k: build(int(take[k])), prefill),
            either if either.any() else None)

    def used_ids(self) -> list[tuple[str, str]]:
        """The ids the last `iter` used, in order, with where each was first used."""
        return [(ident, unpack(packed, self.files)) for ident, packed in self.seen.items()]

    def read(self, paths: Iterable[str | Path], used: dict[str, str] | None = None
             ) -> tuple[list[Incident], list[Reject]]:
        incidents: list[Incident] = []
        rejects: list[Reject] = []
        for item in self.iter(paths, used=used):
            (rejects if isinstance(item, Reject) else incidents).append(item)  # type: ignore[arg-type]
        return incidents, rejects

    def in_area(self, records: list[tuple[RawRecord, Incident]]) -> list[Incident | Reject]:
        """Incidents made elsewhere (by the API, from JSON records), checked against the
        agreement's area exactly as a file's rows are."""
        return list(self._area_checked(records))

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
            fields = self._geocode(fields, rec.origin.feature is not None)
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

    def _geocode(self, fields: dict[str, Any], feature: bool = False) -> dict[str, Any]:
        place = str(fields.get("place") or fields.get("location") or "").strip()
        if not place:
            raise RowError("row.missing", "the feature has no geometry, and its properties give "
                           "no `lon`, `lat` or place name" if feature else
                           "no coordinates (`lon`, `lat`) and no place name", "lat")
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
        swapped_inside = -90 <= inc.lon <= 90 and bool(shapely.contains_xy(
            a.area_region, float(sx[0]), float(sy[0])))
        if gap > SWAP_GAP_M and swapped_inside:
            return Reject(rec.origin, "row.swapped_coordinates",
                          f"lon {inc.lon}, lat {inc.lat} lies {gap / 1000:.0f} km outside the "
                          f"agreement's area, but lon {inc.lat}, lat {inc.lon} lies inside it: "
                          "latitude and longitude look swapped", rec.raw, "lon")
        # Nearer, both readings may be real places: still set aside as outside, but the other
        # reading is told, so a swapped pair is easy to see.
        other = (f"; lon {inc.lat}, lat {inc.lon} (the pair exchanged) would lie inside"
                 if swapped_inside else "")
        return Reject(rec.origin, "row.outside_area",
                      f"lon {inc.lon}, lat {inc.lat} lies {gap / 1000:.0f} km outside the "
                      f"agreement's area{other}; check the coordinates (or the agreement's "
                      "`area`)", rec.raw, "lon")


@functools.lru_cache(maxsize=64)
def _file_name(path: str) -> str:
    """The file's name, the `dataset` of its rows when they name none (one Path per file,
    not per row: that was an eighth of the time spent reading)."""
    return Path(path).name


def quick_file(path: Path) -> tuple[str, list[str], int] | None:
    """A CSV or JSON Lines file in the fields of format 1 (id, time, lon, lat; for JSON Lines,
    in its first record) goes to the columnar reader: its form, its header and where its
    rows start; None for any other file."""
    try:
        if not path.is_file() or path.suffix.lower() == ".tsv":
            return None
        form = detect_form(path)
    except InputFileError:
        return None
    if form == "csv":
        found = header_of(path)
        # A file whose records may name two sides without saying which acted goes to the
        # row reader, which checks and keeps `sides` (the quick parse reads format 1's own).
        if found is None or not _generic(found[0]) or "sides" in found[0]:
            return None
        return "csv", *found
    if form == "jsonl":
        keys = jsoncolumns.first_keys(path)
        if keys is None or not _generic(keys[0]):
            return None
        return "jsonl", [], keys[1]
    return None


def _generic(keys: Iterable[str]) -> bool:
    keyset = set(keys)
    return {"id", "time", "lon", "lat"} <= keyset and recognise(keyset) is None


def _json_fields(text: str, _header: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    return json_fields(text)  # a JSON line names its own fields; the header is CSV's
