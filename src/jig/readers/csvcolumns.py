"""Format-1 CSV files read into columns, a block of lines at a time, with Arrow compute.

A block is split into lines where the bytes say so (one record a line: a line with an odd
number of quotes would continue a record on the next line, and hands the rest of the file to
the row reader). Lines without quotes are split on commas; their id, time, lon, lat,
precision_m, actor, target, act and weapon are parsed and checked for the whole block at once.
What the quick parse is not sure of (a quoted line, a field count that does not match, a
number or time it does not read, a value out of range, a date on which the clocks change) is
marked for the row reader, which gives the same incident or the reject with its message, so
nothing changes but the speed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from jig.readers.fields import EPOCH_DAY, MAX_ID, MAX_RADIUS_M
from jig.records import INCIDENT_ACTS
from jig.times import parse_time

BLOCK = 1 << 22  # bytes of lines read at a time
# What str.strip() removes: every character Python counts as whitespace.
SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
         "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_MINUTE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
FIELDS = ("id", "time", "lon", "lat", "precision_m", "actor", "target", "act", "weapon")


@dataclass
class Block:
    """One block of a file's lines: where each line is in `data`, which lines are blank, and
    for the lines the quick parse took (no quotes, the header's field count), their format-1
    fields as columns of raw text."""

    first: int  # line number of the block's first line
    end: int  # offset in the file after the block
    data: bytes
    starts: np.ndarray  # each line's first byte
    stops: np.ndarray  # each line's end (before \r\n)
    skip: np.ndarray  # blank lines: no record (as the row reader skips them)
    quick: np.ndarray
    cells: dict[str, pa.Array]
    header: list[str]
    form: str = "csv"  # or "jsonl": how the row reader's steps split a line into fields

    def __len__(self) -> int:
        return len(self.starts)

    def text(self, i: int) -> str:
        return self.data[self.starts[i]:self.stops[i]].decode("utf-8")


def header_of(path: Path) -> tuple[list[str], int] | None:
    """The header's names (stripped, as the row reader keeps them) and the byte offset after
    it, or None when the file is not one for the quick path."""
    with path.open("rb") as fh:
        first = fh.readline()
    start = 3 if first.startswith(b"\xef\xbb\xbf") else 0
    body = first[start:]
    if not body.endswith(b"\n") or body.count(b'"') % 2 or b"\r" in body[:-2] or b"\0" in body:
        return None
    try:
        names = next(csv.reader([body.decode("utf-8")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    return [h.strip() for h in names], len(first)


def blocks(path: Path, header: list[str], offset: int, line: int = 2,
           make: Callable[[bytes, int, list[str], int], Block | None] | None = None,
           origin: int | None = None, stop: int | None = None) -> Iterator[Block | int]:
    """The file's blocks from byte `offset` (line `line`) on, each made by `make` (a CSV
    block by default); an int (the line number to go on from) when the rest of the file
    must go to the row reader.

    A part of a file (`jig.readers.parts`) starts at the end of a block read from `origin`
    (where the file's rows start) and stops at the end of a later one, `stop`: its reads are
    aligned on `origin`, so its blocks are the very blocks the whole file is read in. Nothing
    past `stop` is read: a `stop` inside a block ends the file there."""
    make = make or _block
    rest = b""
    with path.open("rb") as fh:
        fh.seek(offset)
        size = BLOCK - (offset - origin) % BLOCK if origin is not None else BLOCK
        while True:
            chunk = fh.read(size if stop is None else min(size, stop - fh.tell()))
            size = BLOCK
            data = rest + chunk
            if not chunk:
                if data and not data.endswith(b"\n"):
                    data += b"\n"
                rest = b""
            else:
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
            if data:
                block = make(data, line, header, fh.tell() - len(rest))
                if block is None:
                    yield line
                    return
                yield block
                line += len(block)
                if block.end == stop:
                    return
            if not chunk and not rest:
                return


def block_ends(path: Path, offset: int) -> list[tuple[int, int]]:
    """Where each block `blocks` reads from `offset` ends but the last (which ends with the
    file), with the lines from `offset` to there, found without reading a line: the places
    the file can be cut into parts."""
    ends = []
    lines = 0
    with path.open("rb") as fh:
        fh.seek(offset)
        at = offset
        while chunk := fh.read(BLOCK):
            cut = chunk.rfind(b"\n")
            lines += chunk.count(b"\n")
            if cut >= 0:
                ends.append((at + cut + 1, lines))
            at += len(chunk)
    return [(e, n) for e, n in ends if e < at]


def _per_line(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """How many bytes of each line (its line end included) `mask` marks."""
    return np.add.reduceat(mask, starts, dtype=np.int32)


def lines_of(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """A block's bytes, and each line's start, stop (before \r\n) and end (its \n); None
    when the row reader must read it: it holds a NUL, a carriage return that ends a line on
    its own, or bytes that are not UTF-8 (the row reader says where)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    cr = np.flatnonzero(buf == 13)
    if np.any(buf == 0) or (cr.size and not np.all(buf[np.minimum(cr + 1, len(buf) - 1)] == 10)):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
    stops = ends - (buf[np.maximum(ends - 1, 0)] == 13) * (ends > starts)
    return buf, starts, stops, ends


def _block(data: bytes, first: int, header: list[str], end: int) -> Block | None:
    lines = lines_of(data)
    if lines is None:
        return None
    buf, starts, stops, ends = lines
    quotes = _per_line(buf == 34, starts) if b'"' in data else \
        np.zeros(len(ends), dtype=np.int32)
    if np.any(quotes % 2):
        return None  # a record that goes on over the next line
    commas = _per_line(buf == 44, starts)
    quick = (quotes == 0) & (commas + 1 == len(header))
    # Nothing but commas: a blank row, which the row reader skips. (Lines of other blanks,
    # such as spaces, are found blank by the row reader's own steps.)
    skip = quick & (stops - starts == commas)
    quick &= ~skip
    cells: dict[str, pa.Array] = {}
    if quick.any():
        # The quick lines' bytes, one after another, read by Arrow's CSV reader as plain text.
        keep = np.repeat(quick, ends + 1 - starts)
        body = buf[keep].tobytes()
        wanted = {name: j for j, name in enumerate(header) if name in FIELDS}  # last one wins
        names = [f"c{j}" for j in range(len(header))]
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=max(len(body), 1)),
            parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={names[j]: pa.string() for j in wanted.values()},
                include_columns=[names[j] for j in wanted.values()],
                strings_can_be_null=False))
        if table.num_rows != int(quick.sum()):
            return None
        cells = {name: table.column(names[j]).combine_chunks() for name, j in wanted.items()}
    return Block(first, end, data, starts, stops, skip, quick, cells, header)


@dataclass
class Parsed:
    """The quick lines' incidents: `ok` marks those parsed here (in the order of `quick`)."""

    ok: np.ndarray
    ids: pa.Array
    time: pa.Array
    lon: np.ndarray
    lat: np.ndarray
    precision_m: np.ndarray
    start: np.ndarray
    end: np.ndarray
    text: dict[str, pa.Array]


def _trim(a: pa.Array) -> pa.Array:
    return pc.utf8_trim(a, characters=SPACE)


def _number(a: pa.Array | None, m: int, ok: np.ndarray, default: float | None
            ) -> np.ndarray:
    """A number column: ok is cleared where the quick parse does not read it."""
    if a is None:
        if default is None:
            ok[:] = False
        return np.full(m, default if default is not None else np.nan)
    t = _trim(a)
    good = pc.match_substring_regex(t, _NUMBER).to_numpy(zero_copy_only=False)
    empty = pc.equal(pc.utf8_length(t), 0).to_numpy(zero_copy_only=False)
    if default is None:
        ok &= good
    else:
        ok &= good | empty
    safe = pc.if_else(pa.array(good), t, "0")
    x = pc.cast(safe, pa.float64()).to_numpy(zero_copy_only=False)
    if default is not None:
        x = np.where(empty, default, x)
    return x


def parse(block: Block, tz: tzinfo) -> Parsed:
    """id, time, place and the words of the quick lines, checked as `to_incident` checks."""
    m = int(block.quick.sum())
    c = block.cells
    ok = np.ones(m, dtype=bool)
    if "id" not in c or "time" not in c:
        ok[:] = False
    ids = _trim(c["id"]) if "id" in c else pa.array([""] * m, pa.string())
    size = pc.utf8_length(ids)
    # Empty, too long, or holding a control character: the row reader says which.
    ok &= pc.and_(pc.greater(size, 0), pc.less_equal(size, MAX_ID)).to_numpy(zero_copy_only=False)
    ok &= ~pc.match_substring_regex(ids, "[\\x00-\\x1f\\x7f]").to_numpy(zero_copy_only=False)
    lon = _number(c.get("lon"), m, ok, None)
    lat = _number(c.get("lat"), m, ok, None)
    ok &= (lat >= -90) & (lat <= 90) & (lon >= -180) & (lon <= 180)
    prec = _number(c.get("precision_m"), m, ok, 0.0)
    ok &= (prec >= 0) & (prec <= MAX_RADIUS_M)
    prec = np.where(prec == 0, 0.0, prec)  # "-0" is 0, as `number(...) or 0.0` makes it
    text: dict[str, pa.Array] = {}
    for name in ("actor", "target", "act", "weapon"):
        if name in c:
            t = _trim(c[name])
            text[name] = pc.if_else(pc.equal(pc.utf8_length(t), 0), pa.scalar(None, pa.string()), t)
        else:
            text[name] = pa.nulls(m, pa.string())
    # No act: a sighting when a weapon is named, else unknown (as `to_incident` reads it).
    text["act"] = pc.coalesce(text["act"], pc.if_else(pc.is_null(text["weapon"]), "unknown",
                                                      "other"))
    ok &= pc.is_in(text["act"], value_set=pa.array(INCIDENT_ACTS)).to_numpy(zero_copy_only=False)
    when = _trim(c["time"]) if "time" in c else pa.array([""] * m, pa.string())
    start, end, good = spans(when, tz)
    ok &= good
    return Parsed(ok, ids, when, lon, lat, prec, start, end, text)


def spans(when: pa.Array, tz: tzinfo) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each time as a span (start, end), and where it was read: `parse_time` itself for each
    distinct text, except date-times to the minute or second, read for all at once in the
    agreement's timezone on days when its clocks do not change."""
    coded = pc.dictionary_encode(when)
    words = coded.dictionary
    codes = coded.indices.to_numpy(zero_copy_only=False)
    u = len(words)
    start, end = np.full(u, np.nan), np.full(u, np.nan)
    done = np.zeros(u, dtype=bool)
    minute = pc.match_substring_regex(words, _MINUTE).to_numpy(zero_copy_only=False)
    if minute.any():
        at = np.flatnonzero(minute)
        w = pc.utf8_replace_slice(words.take(pa.array(at)), 10, 11, "T")
        w = pc.if_else(pc.equal(pc.utf8_length(w), 16), pc.binary_join_element_wise(w, ":00", ""),
                       w)
        ts = pc.strptime(w, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
        # strptime rolls 30 February over into March: only a time that prints back as
        # written is taken here.
        back = pc.strftime(ts, format="%Y-%m-%dT%H:%M:%S")
        valid = pc.fill_null(pc.equal(back, w), False).to_numpy(zero_copy_only=False)
        local = ts.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        day = local // 86400
        shift = {d: _steady_offset(d, tz) for d in np.unique(day[valid]).tolist()}
        off = np.array([shift.get(d) if shift.get(d) is not None else np.nan
                        for d in day.tolist()], dtype=float)
        fast = valid & ~np.isnan(off)
        t = local - np.nan_to_num(off)
        start[at[fast]] = t[fast]
        end[at[fast]] = t[fast]
        done[at[fast]] = True
    for k in np.flatnonzero(~done).tolist():
        try:
            span = parse_time(words[k].as_py(), tz)
        except ValueError:
            continue  # the row reader says why
        start[k], end[k] = span.start, span.end
    start, end = start[codes], end[codes]
    good = ~np.isnan(start) & ~((EPOCH_DAY[0] <= start) & (start < EPOCH_DAY[1]))
    return start, end, good


def _steady_offset(day: int, tz: tzinfo) -> float | None:
    """The UTC offset (seconds) of local day `day` (days since 1970-01-01), or None when the
    clocks change on it."""
    d0 = datetime(1970, 1, 1) + timedelta(days=day)
    a = d0.replace(tzinfo=tz).utcoffset()
    b = (d0 + timedelta(days=1)).replace(tzinfo=tz).utcoffset()
    if a is None or a != b:
        return None
    return a.total_seconds()
