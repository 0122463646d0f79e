"""Format-1 JSON Lines files read into columns, a block of lines at a time, with Arrow's JSON
reader.

The block is split into lines as `jig.readers.csvcolumns` splits a CSV file. A line is read
here when it is one object on its own (it starts with `{` and ends with `}`) and holds no
`\\u0000` or surrogate escape (which make a NUL or a lone surrogate, refused by name by the
row reader; other escapes, such as Arabic written by Python's `json.dumps`, are read here);
Arrow reads those lines' id, time, lon, lat, precision_m, actor, target, act and weapon as
columns (strings, and numbers for the coordinates and radius, or strings for all of them),
ignoring every other key. Values become the text `csvcolumns.parse` checks, so the quick
parse and what it hands on are those of a CSV file: null and missing as empty; a number as
its shortest round-trip digits (parsed back to the same double, or not read here when Arrow
writes it with an exponent). When Arrow cannot read the lines with either schema (a key
given twice, a number for an id, a string for one line's lon and a number for the next,
`NaN`, a number beyond double range), the lines are halved until the few it cannot read
are found; those go through the row reader's own steps, which say what is wrong or read
them as they always did.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json

from jig.readers.csvcolumns import FIELDS, Block, lines_of

NUMBERS = ("lon", "lat", "precision_m")
SMALLEST = 8  # lines: a piece Arrow cannot read that is this small goes to the row reader
_SCHEMAS = [pa.schema([(name, pa.float64() if name in NUMBERS and numbers else pa.string())
                       for name in FIELDS] + [("sides", pa.string())])
            for numbers in (True, False)]
_BLANK = np.zeros(256, dtype=bool)
_BLANK[[9, 10, 13, 32]] = True


def first_keys(path: Path) -> tuple[set[str], int] | None:
    """The keys of the file's first record and the byte offset after a BOM, or None when
    its first line that is not blank is not a JSON object (the row reader then says why)."""
    with path.open("rb") as fh:
        start = 3 if fh.read(3) == b"\xef\xbb\xbf" else 0
        fh.seek(start)
        for raw in fh:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                return None
            return (set(obj), start) if isinstance(obj, dict) else None
    return None


def _risky_escapes(buf: np.ndarray) -> np.ndarray:
    """Where a `\\u0000` (a NUL) or a `\\uD800`-`\\uDFFF` (half of a surrogate pair, or a
    lone one) begins: the escapes that make what Arrow cannot hold or the row reader refuses
    by name. Others (`\\u0627`, as Python's json writes Arabic and Russian by default) are
    read here. A backslash that is itself escaped is counted too: a line sent to the row
    reader for nothing is slower, never wrong."""
    out = np.zeros(len(buf), dtype=bool)
    n = len(buf) - 5
    if n <= 0:
        return out
    u = (buf[:n] == 92) & (buf[1:n + 1] == 117)  # a backslash, then u
    hi = buf[2:n + 2] | 0x20  # lower case
    nul = (buf[2:n + 2] == 48) & (buf[3:n + 3] == 48) & (buf[4:n + 4] == 48) \
        & (buf[5:n + 5] == 48)
    third = buf[3:n + 3] | 0x20
    surrogate = (hi == 100) & (((third >= 56) & (third <= 57)) | ((third >= 97) & (third <= 102)))
    out[:n] = u & (nul | surrogate)
    return out


def block(data: bytes, first: int, header: list[str], end: int) -> Block | None:
    """A block of JSON Lines (see the module's doc); None when the rest of the file must go to
    the row reader."""
    lines = lines_of(data)
    if lines is None:
        return None
    buf, starts, stops, ends = lines
    blank = np.add.reduceat(~_BLANK[buf], starts, dtype=np.int64) == 0
    escapes = np.add.reduceat(_risky_escapes(buf), starts, dtype=np.int64)
    last = np.maximum(stops - 1, starts)
    quick = ~blank & (buf[starts] == 123) & (buf[last] == 125) & (escapes == 0)
    cells: dict[str, pa.Array] = {}
    if quick.any():
        # A record naming two sides without saying which acted (`sides`, however its key is
        # spelt) is the row reader's, which checks and keeps the field.
        parts = [(at[plain], t.filter(pa.array(plain))) for at, t in
                 _tables(data, starts, ends, np.flatnonzero(quick))
                 for plain in [t.column("sides").is_null().to_numpy(zero_copy_only=False)]]
        quick[:] = False
        if parts:
            for at, _ in parts:
                quick[at] = True
            cells = {name: pa.concat_arrays([_text(t.column(name).combine_chunks())
                                             for _, t in parts]) for name in FIELDS}
    # Blank lines (ASCII blanks only; a line of other blanks is found blank by the row
    # reader's steps) hold no record.
    return Block(first, end, data, starts, stops, blank, quick, cells, list(FIELDS), "jsonl")


def _tables(data: bytes, starts: np.ndarray, ends: np.ndarray, at: np.ndarray
            ) -> list[tuple[np.ndarray, pa.Table]]:
    """The lines `at` read by Arrow, in order, as (lines, table) pieces. Lines Arrow cannot
    read together are halved until the piece it cannot read is a few lines, which are left
    out (to the row reader's steps): one odd line costs its neighbours, not its block."""
    body = b"".join(data[s:e + 1] for s, e in zip(starts[at].tolist(), ends[at].tolist(),
                                                  strict=True))
    table = _read(body)
    if table is not None and table.num_rows == len(at):
        return [(at, table)]
    if len(at) <= SMALLEST:
        return []
    mid = len(at) // 2
    return _tables(data, starts, ends, at[:mid]) + _tables(data, starts, ends, at[mid:])


def _read(body: bytes) -> pa.Table | None:
    for schema in _SCHEMAS:
        try:
            return pa_json.read_json(
                pa.py_buffer(body), read_options=pa_json.ReadOptions(block_size=len(body) + 1),
                parse_options=pa_json.ParseOptions(explicit_schema=schema,
                                                   unexpected_field_behavior="ignore"))
        except pa.ArrowInvalid:
            continue
    return None


def _text(values: pa.Array) -> pa.Array:
    """A column as the text a CSV file would give: a number as its shortest round-trip
    digits, null (or a key not given) as empty. Always a string column: the quick parse's
    string functions refuse a null-typed one (what Arrow infers for a key with no value in
    a block when it is not given the types)."""
    if values.type != pa.string():
        values = values.cast(pa.string())
    return values.fill_null("")
