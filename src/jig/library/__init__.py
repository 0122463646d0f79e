"""A library of real arrangements, each an agreement file (format 1) shipped with jig.

`catalogue()` reads `catalogue.yaml`: for each arrangement its status, PA-X id, clause ids
(current and retired, never reused) and the provenance of every fact; `agreement_path(name)`
is its agreement file, next to its zones and README (arrangements/NAME/).

An entry whose status is `PROPOSAL` was never agreed (a leaked draft kept as the worked
example): `signed` is null, and its verdicts are about a proposal with illustrative zones and
targets, not about an agreement in force; `jig library list`, `show` and `check` say so.
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
PROPOSAL = "proposal (never agreed)"
STATUSES = ("in force", "superseded", "lapsed", PROPOSAL)


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
    signed: date | None = Field(description="null for a proposal that was never agreed")
    status: Literal["in force", "superseded", "lapsed", "proposal (never agreed)"]
    status_since: date
    status_note: str
    status_caveat: str | None = Field(
        None, description="what limits the status as stated (for instance, not re-checked "
        "since a date); `jig library list` prints it beside the status")
    pax_id: str | None
    pax_note: str
    clauses: list[str]
    retired_clauses: list[str]
    facts: list[Fact]

    @property
    def is_proposal(self) -> bool:
        """Never agreed: its verdicts are about a proposal, not an agreement in force."""
        return self.status == PROPOSAL

    @property
    def status_shown(self) -> str:
        """The status with its caveat, as `jig library list` prints it."""
        return f"{self.status} ({self.status_caveat})" if self.status_caveat else self.status

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


__all__ = ["ARRANGEMENTS", "PROPOSAL", "STATUSES", "Entry", "Fact", "agreement_path", "catalogue",
           "entry"]
