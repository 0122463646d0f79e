"""A library of real arrangements, each an agreement file (format 1) shipped with jig.

`catalogue()` reads `catalogue.yaml`: for each arrangement its status, PA-X id, clause ids
(current and retired, never reused) and the provenance of every fact; `agreement_path(name)`
is its agreement file, next to its zones and README (arrangements/NAME/).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

HERE = Path(str(files("jig.library")))
ARRANGEMENTS = HERE / "arrangements"
STATUSES = ("in force", "superseded", "lapsed")


class Fact(BaseModel):
    """One fact an agreement file states, with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: str = Field(description="in_force, parties, status, zones, clause:ID, zone:ID, ...")
    text: str
    date: date | None
    source: str
    confidence: Literal["high", "medium", "low"]


class Entry(BaseModel):
    """One arrangement of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    region: str
    signed: date
    status: Literal["in force", "superseded", "lapsed"]
    status_since: date
    status_note: str
    pax_id: str | None
    pax_note: str
    clauses: list[str]
    retired_clauses: list[str]
    facts: list[Fact]

    @property
    def directory(self) -> Path:
        return ARRANGEMENTS / self.name

    @property
    def agreement_path(self) -> Path:
        return self.directory / "agreement.yaml"

    @property
    def status_records(self) -> Path:
        """Verification records of its must_by clauses (may not exist)."""
        return self.directory / "status.csv"

    @property
    def readme(self) -> Path:
        return self.directory / "README.md"


@cache
def catalogue() -> tuple[Entry, ...]:
    """Every arrangement of the library, in catalogue order."""
    raw = yaml.safe_load((HERE / "catalogue.yaml").read_text(encoding="utf-8"))
    return tuple(Entry.model_validate(e) for e in raw)


def entry(name: str) -> Entry:
    """The catalogue entry `name`; KeyError naming the arrangements there are."""
    for e in catalogue():
        if e.name == name:
            return e
    raise KeyError(f"no arrangement {name!r} in the library; there are: "
                   + ", ".join(e.name for e in catalogue()))


def agreement_path(name: str) -> Path:
    return entry(name).agreement_path


__all__ = ["ARRANGEMENTS", "STATUSES", "Entry", "Fact", "agreement_path", "catalogue", "entry"]
