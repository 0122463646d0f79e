"""Agreements read before, kept in the user's cache: reading and checking an agreement of a
thousand zones takes two seconds (YAML or JSON, the file model, every ring's validity, the
content hash), paid by every command before any incident is judged and, with
`jig check --threads`, before the workers start. The parsed agreement is kept as a pickle,
keyed by everything that decides it: the file's bytes and the name it was given, the folder
its GeoJSON files are read from, the bytes of those files, and jig's own code and libraries.

A pickle runs code when read, so an entry is read only from a folder that is the user's own
and that nobody else can write (as ssh treats its keys); anything amiss, and the file is
read again as if the cache were empty.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

from jig.agreement.load import load_agreement
from jig.agreement.model import Agreement

MIN_SECONDS = 0.2  # a file read faster than this is not worth a cache entry
KEEP = 16  # entries kept; the least recently used beyond are removed
FORMAT = 1  # bump when what an entry holds changes


def load_agreement_cached(path: str | Path, directory: Path | None) -> Agreement:
    """`load_agreement(path)`, from `directory` when it holds this very agreement; an
    agreement that took long to read is kept there for the next run. Problems are raised as
    `load_agreement` raises them (a file with problems is never kept)."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError:
        return load_agreement(path)  # which says what is wrong
    if directory is None:
        return load_agreement(path)
    entry = Path(directory) / "agreements" / f"{_key(path, text)}.pickle"
    hit = _read(entry)
    if hit is not None:
        return hit
    began = time.process_time()
    agreement = load_agreement(path)
    if time.process_time() - began >= MIN_SECONDS:
        _write(entry, agreement)
    return agreement


@cache
def _code() -> bytes:
    """What jig's code and the libraries that build an agreement are, as of this process:
    every module file of the package by size and modification time, and their versions."""
    import pydantic
    import shapely

    import jig

    digest = hashlib.sha256(f"{FORMAT} {sys.version} {pydantic.VERSION} {shapely.__version__} "
                            f"{shapely.geos_version_string}".encode())
    root = Path(jig.__file__).parent
    for f in sorted(root.rglob("*.py")):
        st = f.stat()
        digest.update(f"{f.relative_to(root)} {st.st_size} {st.st_mtime_ns}\n".encode())
    return digest.digest()


def _key(path: Path, text: bytes) -> str:
    digest = hashlib.sha256(_code())
    # The name as given (problems and features name it) and the folder GeoJSON files are
    # read from; the files themselves are checked when the entry is read.
    digest.update(f"{path}\0{path.resolve().parent}\0".encode())
    digest.update(text)
    return digest.hexdigest()


def _fingerprint(sources: tuple[str, ...]) -> list[tuple[str, str]] | None:
    try:
        return [(s, hashlib.sha256(Path(s).read_bytes()).hexdigest()) for s in sources]
    except OSError:
        return None


def _trusted(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(entry: Path) -> Agreement | None:
    try:
        if not (_trusted(entry.parent.stat()) and _trusted(entry.stat())):
            return None
        with entry.open("rb") as fh:
            sources, agreement = pickle.load(fh)
        if not isinstance(agreement, Agreement) or _fingerprint(agreement.sources) != sources:
            return None
        os.utime(entry)  # recently used: kept when older ones are removed
    except Exception:  # missing, truncated, from another jig: read the file again
        return None
    return agreement


def _write(entry: Path, agreement: Agreement) -> None:
    sources = _fingerprint(agreement.sources)
    if sources is None:
        return
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((sources, agreement), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)  # a reader never sees half an entry
        entries = sorted(entry.parent.glob("*.pickle"), key=lambda f: f.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs the next run the reading
