"""The three file forms of format 1 (CSV with a header, JSON Lines, GeoJSON), and Parquet
partitions of large datasets, row by row.

Each yields `RawRecord`s: the fields of one record, where it was (file and line, or feature
index) and its raw text, so a bad record can be kept aside exactly as the user gave it.
Reading is streaming for CSV and JSON Lines; a GeoJSON file is one JSON document and is parsed
whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from jig.errors import InputFileError, Location, Problem, slips
from jig.records import JUDGED_FIELDS, Origin

FORMS = ("csv", "jsonl", "geojson", "parquet")
# Python's JSON parser recurses on nesting; a line nested some thousands deep is a bad row,
# not a crash of the whole read.
DEEP = "nested too deeply to read (JSON)"
SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".geojson", ".parquet", ".pq")
# A field as long as a whole article (UCDP's `source_article`, a monitor's notes) is data: the
# csv module's default limit (128 KiB) rejected its row, while the columnar path read it. Raised
# for the process, never lowered (another user of `csv` may have set it higher).
FIELD_LIMIT = 1 << 28
csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))


@dataclass(frozen=True, slots=True)
class RawRecord:
    origin: Origin
    fields: dict[str, Any] | None  # None when the record could not even be split into fields
    raw: str
    error: str | None = None  # why the record could not be split
    geometry: Any = None  # GeoJSON geometry, for features


class ReadPosition:
    """How many bytes of the input have been read, for a progress display: the files finished
    plus the offset in the current one (buffered, so ahead of the last record by a few KB)."""

    def __init__(self, paths: Iterable[str | Path] = ()):
        self.total = sum(p.stat().st_size for p in map(Path, paths) if p.is_file())
        self.finished = 0
        self.offset = 0

    @property
    def done(self) -> int:
        return self.finished + self.offset

    def end_file(self, path: Path) -> None:
        self.finished += path.stat().st_size if path.is_file() else 0
        self.offset = 0


@dataclass(frozen=True)
class FilePart:
    """The rows of a file from byte `start` (line `line`) to byte `stop` (None: its end), cut
    where its columnar reader's blocks end (`jig.readers.parts`), or after a line for a
    look at its start (`jig.partitions._head`)."""

    path: str
    start: int
    stop: int | None
    line: int


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Input paths, a folder standing for the files in it that jig reads (sorted by name)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [f for f in sorted(p.iterdir()) if f.is_file() and f.suffix.lower() in SUFFIXES]
        else:
            out.append(p)
    return out


def detect_form(path: Path) -> str:
    """The file form, from the extension, or from the first character for unknown extensions."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".geojson",):
        return "geojson"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".json":
        with _open(path) as fh:
            head = fh.read(4096).lstrip()
        return "geojson" if head.startswith("{") and '"FeatureCollection"' in head else "jsonl"
    raise InputFileError(Problem("file.form", f"cannot tell the form of {path.name!r} from its "
                                 "extension", Location(file=str(path)),
                                 "name it .csv, .jsonl or .geojson"))


def _open(path: Path, errors: str = "strict") -> TextIO:
    try:
        return path.open(encoding="utf-8-sig", newline="", errors=errors)
    except OSError as exc:
        raise InputFileError(Problem("file.unreadable", f"cannot read: {exc.strerror or exc}",
                                     Location(file=str(path)))) from exc


class _Lines:
    """Feeds lines to `csv.reader` and remembers which lines made up the last record."""

    def __init__(self, fh: TextIO):
        self.fh = fh
        self.taken: list[str] = []
        self.line = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = next(self.fh)
        self.line += 1
        self.taken.append(text)
        return text


def _not_utf8(raw: str) -> tuple[str, str | None]:
    """A record's raw text, each byte that is not UTF-8 written as `\\xNN` (so it can be kept
    and shown), and what is wrong with it; None when it is all UTF-8. Files are read with
    `surrogateescape` so that a bad byte costs its record, not the rest of the file."""
    try:
        raw.encode("utf-8")
        return raw, None
    except UnicodeEncodeError as exc:
        bad = raw.encode("utf-8", "surrogateescape")[exc.start:exc.start + 1]
        shown = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        return shown, (f"is not UTF-8 text: byte 0x{bad.hex()} at character {exc.start + 1} "
                       "(save the file as UTF-8; most spreadsheet programs offer this)")


def iter_csv(path: Path, at: ReadPosition, start: int = 2) -> Iterator[RawRecord]:
    """The records of a CSV file, from line `start` on (the columnar reader hands the rest
    of a file it cannot split by lines to this one)."""
    with _open(path, "surrogateescape") as fh:
        raw_fh = fh.buffer  # type: ignore[attr-defined]
        lines = _Lines(fh)
        dialect: Any = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        reader = csv.reader(lines, dialect)
        try:
            header = next(reader)
        except StopIteration:
            return
        if _not_utf8("".join(lines.taken))[1]:  # without its header, no row can be read
            raise _encoding_error(path, 1)
        header = [h.strip() for h in header]
        name = str(path)
        for _ in range(start - 1 - lines.line):
            next(lines, None)
        while True:
            lines.taken.clear()
            first = lines.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield RawRecord(Origin(name, first), None, _not_utf8("".join(lines.taken))[0],
                                f"cannot split the line into CSV fields: {exc}")
                continue
            raw = "".join(lines.taken).rstrip("\r\n")
            at.offset = raw_fh.tell()
            raw, not_utf8 = _not_utf8(raw)
            if not_utf8:
                yield RawRecord(Origin(name, first), None, raw, not_utf8)
                continue
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                why = f"has {len(row)} fields but the header has {len(header)}"
                if lines.line > first:
                    # A quoted field may hold line breaks, so an unclosed quote takes in the
                    # lines after it, up to the next quote or the end of the file: say so,
                    # since those lines' rows are in this record, not lost.
                    why += (f", and runs on to line {lines.line}: a quote in it is probably "
                            "not closed (the lines after it are kept in this row)")
                yield RawRecord(Origin(name, first), None, raw, why)
                continue
            yield RawRecord(Origin(name, first), dict(zip(header, row, strict=True)), raw)


def _encoding_error(path: Path, line: int) -> InputFileError:
    return InputFileError(Problem("file.encoding", "is not UTF-8 text",
                                  Location(file=str(path), line=line),
                                  "save it as UTF-8 (most spreadsheet programs offer this)"))


def iter_jsonl(path: Path, at: ReadPosition, start: int = 1) -> Iterator[RawRecord]:
    """The records of a JSON Lines file, from line `start` on (the columnar reader hands
    the rest of a file it cannot split by lines to this one)."""
    name = str(path)
    with _open(path, "surrogateescape") as fh:
        raw_fh = fh.buffer  # type: ignore[attr-defined]
        n = 0
        while True:
            text = fh.readline()
            if not text:
                return
            n += 1
            if n < start:
                continue
            at.offset = raw_fh.tell()
            raw, not_utf8 = _not_utf8(text.rstrip("\r\n"))
            if not_utf8:
                yield RawRecord(Origin(name, n), None, raw, not_utf8)
                continue
            obj, why = json_fields(raw)
            if why is not None:
                yield RawRecord(Origin(name, n), None, raw, why)
            elif obj is not None:
                yield RawRecord(Origin(name, n), obj, raw)


def json_fields(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON line's fields (None and None: a blank line), or None and why not. Shared with
    the columnar reader, which hands it the lines Arrow could not read."""
    if not text.strip():
        return None, None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, DEEP
    if not isinstance(obj, dict):
        return None, "is not a JSON object"
    return obj, None


def csv_fields(text: str, header: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    """One CSV line's fields as `iter_csv` splits them (None and None: a blank row), or None
    and why not: for the columnar reader's lines that its quick parse handed back."""
    try:
        row = next(csv.reader([text]), [])
    except csv.Error as exc:
        return None, f"cannot split the line into CSV fields: {exc}"
    if not row or all(not c.strip() for c in row):
        return None, None
    if len(row) != len(header):
        return None, f"has {len(row)} fields but the header has {len(header)}"
    return dict(zip(header, row, strict=True)), None


def iter_geojson(path: Path, at: ReadPosition) -> Iterator[RawRecord]:
    name = str(path)
    try:
        with _open(path) as fh:
            doc = json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputFileError(Problem("file.syntax", f"not valid JSON: {exc.msg}",
                                     Location(file=name, line=exc.lineno))) from exc
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, 1) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or \
            not isinstance(doc.get("features"), list):
        raise InputFileError(Problem("file.not_collection", "is not a GeoJSON FeatureCollection",
                                     Location(file=name)))
    size = path.stat().st_size
    count = max(len(doc["features"]), 1)
    for i, feat in enumerate(doc["features"]):
        at.offset = size * (i + 1) // count  # parsed whole: shown in proportion to features
        raw = json.dumps(feat, ensure_ascii=False)
        origin = Origin(name, feature=i)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            yield RawRecord(origin, None, raw, "is not a GeoJSON Feature")
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            yield RawRecord(origin, None, raw, "its properties are not an object")
            continue
        fields = dict(props)
        if fields.get("id") in (None, "") and feat.get("id") not in (None, ""):
            fields["id"] = feat["id"]  # the Feature's own id (RFC 7946; QGIS writes one)
        yield RawRecord(origin, fields, raw, geometry=feat.get("geometry"))


def iter_parquet(path: Path, at: ReadPosition) -> Iterator[RawRecord]:
    """Rows of a Parquet file (a partition of a larger dataset); `line` is the row number
    counted from 1, and `raw` the row as JSON."""
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow says why in its own words
        raise InputFileError(Problem("file.parquet", f"not a readable Parquet file: {exc}",
                                     Location(file=name))) from exc
    n = 0
    size, rows = path.stat().st_size, max(pf.metadata.num_rows, 1)
    for batch in pf.iter_batches(batch_size=8192):
        at.offset = size * min(n + batch.num_rows, rows) // rows
        for row in batch.to_pylist():
            n += 1
            fields = {k: ("" if v is None else v) for k, v in row.items()}
            yield RawRecord(Origin(name, n), fields, json.dumps(row, default=str,
                                                                  ensure_ascii=False))


def iter_records(path: str | Path, at: ReadPosition | None = None) -> Iterator[RawRecord]:
    """The records of a file of any of the three forms; `at` follows the bytes read."""
    path = Path(path)
    if path.is_dir():
        raise InputFileError(Problem("file.folder", "is a folder, not a file of records",
                                     Location(file=str(path))))
    if not path.exists():
        raise InputFileError(Problem("file.missing", "no such file", Location(file=str(path))))
    form = detect_form(path)
    return {"csv": iter_csv, "jsonl": iter_jsonl, "geojson": iter_geojson,
            "parquet": iter_parquet}[form](path, at or ReadPosition())


def misspelt_fields(path: Path) -> list[tuple[str, str]]:
    """(given, meant) for each column (CSV) or key (the first JSON line) of a format-1 file
    that looks like a slip of a judged field the file lacks: `precison_m` was read as an extra
    column, the 10 km disc lost and an uncertain act a breach (a new user's review). The
    exports jig recognises, and files it cannot read, give none."""
    from jig.readers.incidents import recognise

    try:
        form = detect_form(path)
        with _open(path, errors="replace") as fh:
            first = fh.readline()
    except (InputFileError, OSError):
        return []
    if form == "csv":
        keys = next(csv.reader([first]), [])
    elif form == "jsonl":
        try:
            record = json.loads(first)
        except ValueError:
            return []
        keys = list(record) if isinstance(record, dict) else []
    else:
        return []
    keys = [k.strip() for k in keys]
    if recognise(keys) is not None:
        return []
    return slips(keys, sorted(JUDGED_FIELDS))
