"""Errors a user can act on: where, what, and what would be right.

Every error jig raises about user input is a `JigError` carrying a stable `code`, the place it
refers to (file, line, feature) and a message safe to show to anyone. The CLI and the service turn
them into messages or JSON through one handler each, so the wording lives here only once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def did_you_mean(given: str, choices: Iterable[str]) -> str | None:
    """"did you mean 'x'?" when `given` is a slip away from one of `choices` (a letter or two
    of a word, or its case); None when it is far from all of them, rather than a wild guess."""
    # In any case: `SY_Gov` is a slip of `SY_GOV`, though most of its letters differ in case.
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(given.lower(), list(by_lower), n=3, cutoff=0.75)
    if not close:
        return None

    def ratio(c: str) -> float:
        return difflib.SequenceMatcher(None, given.lower(), c).ratio()

    # Two as near are both named: "RUS" is as near RU as US (an operator's review).
    best = [c for c in close if ratio(c) == ratio(close[0])]
    return f"did you mean {' or '.join(repr(by_lower[c]) for c in sorted(best))}?"


def slips(given: Iterable[Any], wanted: Sequence[str],
          synonyms: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(key, meant) for each of the `given` keys that is a slip (a letter or two, any case)
    or a synonym of one of `wanted` the keys lack: a misspelt field that would be kept as an
    unread extra. A key beside the one it looks like is somebody's own."""
    keys = list(given)
    missing = [w for w in wanted if w not in keys]
    out = []
    for key in keys:
        if not isinstance(key, str) or key in wanted:
            continue
        meant = (synonyms or {}).get(key.lower())
        close = ([meant] if meant in missing else
                 difflib.get_close_matches(key.lower(), missing, n=1, cutoff=0.8))
        if close:
            out.append((key, close[0]))
    return out


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the user's input a problem lies. Any part may be unknown."""

    file: str | None = None
    line: int | None = None
    feature: str | None = None
    path: str | None = None  # dotted path inside a document, e.g. clauses[2].rule

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.feature is not None:
            parts.append(f"feature {self.feature}")
        if self.path:
            parts.append(self.path)
        return ", ".join(parts) if parts else "input"

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in (("file", self.file), ("line", self.line),
                                  ("feature", self.feature), ("path", self.path)) if v is not None}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: a code, where it is, what is wrong, how to fix it."""

    code: str
    message: str
    where: Location = field(default_factory=Location)
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message,
                                  "where": self.where.as_dict()}
        if self.hint:
            out["hint"] = self.hint
        return out


class JigError(Exception):
    """Base of every error about user input. Carries one or more `Problem`s."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AgreementError(JigError):
    """The agreement file (or a GeoJSON file it names) is invalid."""


class InputFileError(JigError):
    """A file could not be read at all (missing, unreadable, not the format it claims)."""


class RowError(ValueError):
    """One incident or notice row is bad; the reader keeps it aside and goes on."""

    def __init__(self, code: str, message: str, field: str | None = None):
        self.code = code
        self.field = field
        super().__init__(message)
