"""An input cut into parts that each read, on their own, as they read within the whole.

A CSV or JSON Lines file in the fields of format 1 is cut where its columnar reader's blocks
end (`csvcolumns.block_ends`): a part reads the very blocks the whole file is read in, so its
incidents, rejects, line numbers and counts are those of reading the whole file, over its
lines. Every other file (an export, GeoJSON, Parquet) is one part. Ids repeated across parts
are the caller's to reject (`jig.partitions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jig.readers import csvcolumns
from jig.readers.files import FilePart, expand_paths
from jig.readers.incidents import quick_file

Part = str | FilePart  # a whole file, or a run of its blocks


def cut(paths: Iterable[str | Path], size: int | None = None) -> list[Part]:
    """The input's files (a folder standing for its files), each in parts of at least `size`
    bytes where it can be cut (default: a part per block), in input order."""
    # A block is BLOCK bytes give or take a line, so "at least BLOCK" would join every other
    # pair: parts of one and two blocks, and a worker left alone with a long last one.
    size = size or 1
    out: list[Part] = []
    for path in expand_paths(paths):
        quick = quick_file(path)
        if quick is None:
            out.append(str(path))
            continue
        form, _, offset = quick
        first = 2 if form == "csv" else 1
        start, line = offset, first
        for end, lines in csvcolumns.block_ends(path, offset):
            if end - start >= size:
                out.append(FilePart(str(path), start, end, line))
                start, line = end, first + lines
        out.append(FilePart(str(path), start, None, line))
    return out
