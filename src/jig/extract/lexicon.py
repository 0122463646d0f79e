"""The words prose is read by: acts, weapons, actors, places' modifiers and times, per language.

They live in `lexicon.yaml` beside this module (data, not code); `Lexicon` compiles each phrase
list once into a matcher that returns the spans it found.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

LANGS = ("en", "ru", "ar")
# Arabic glues conjunctions, prepositions and the article to the word: "وبالرقة" is "and in
# al-Raqqa". A phrase may be preceded by these.
_AR_PREFIX = r"(?:[وف]?[بلك]?(?:ال)?)"
_WORD = r"[^\W_]"
_GAP = r"[\s\-]+"


def phrase_regex(phrase: str, lang: str) -> str:
    """A phrase as a regex group: words apart by spaces or hyphens, a word ending in `*` takes
    any ending, whole words only."""
    parts = []
    for word in phrase.split():
        core = re.escape(word.rstrip("*")).replace(r"\-", r"[\s\-]?")
        parts.append(core + (_WORD + "*" if word.endswith("*") else ""))
    pre = _AR_PREFIX if lang == "ar" else ""
    body = _GAP.join(parts)
    return rf"(?<!{_WORD}){pre}({body})(?!{_WORD})"


def alternation(words: list[str]) -> str:
    """Phrases as one regex alternation, longest first; a trailing `*` takes any ending."""
    return "|".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
                    for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    text: str
    key: Any


class Matcher:
    """Finds every phrase of a {key: [phrases]} table; longest first, never overlapping."""

    def __init__(self, table: dict[Any, Iterable[str]], lang: str):
        pairs = [(p, k) for k, ps in table.items() for p in ps]
        pairs.sort(key=lambda pk: -len(pk[0]))
        self._keys = [k for _, k in pairs]
        self._re = re.compile("|".join(f"(?:{phrase_regex(p, lang)})" for p, _ in pairs),
                              re.IGNORECASE) if pairs else None

    def find(self, text: str) -> list[Hit]:
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            # The one group that matched tells which phrase (and so which key) it was.
            i = next(i for i, g in enumerate(m.groups()) if g is not None)
            out.append(Hit(m.start(i + 1), m.end(i + 1), m.group(i + 1), self._keys[i]))
        return out


@dataclass(frozen=True)
class Lexicon:
    data: dict[str, Any]

    def table(self, part: str, lang: str) -> dict[Any, Any]:
        """A part that maps phrases or keys to values, for one language."""
        return dict((self.data.get(part) or {}).get(lang) or {})

    def words(self, part: str, lang: str) -> list[str]:
        """A part that lists phrases (near, km, night), for one language."""
        return list((self.data.get(part) or {}).get(lang) or [])

    @functools.cache  # noqa: B019  (a Lexicon lives as long as the process; few of them)
    def matcher(self, part: str, lang: str) -> Matcher:
        raw = (self.data.get(part) or {}).get(lang) or {}
        # acts, weapons, actors map a key to phrases; the other parts are phrases themselves
        # (a list, or a mapping of phrase to value).
        if part in ("acts", "weapons", "actors"):
            return Matcher(raw, lang)
        return Matcher({p: [p] for p in raw}, lang)

    def value(self, part: str, lang: str, key: str) -> Any:
        return self.table(part, lang).get(key)

    def __hash__(self) -> int:
        return id(self)


def parse_lexicon(text: str) -> Lexicon:
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError("a lexicon is a mapping of parts (acts, weapons, ...) to languages")
    return Lexicon(data)


@functools.cache
def default_lexicon() -> Lexicon:
    """The lexicon shipped with jig (package data: reading it is part of importing jig)."""
    return parse_lexicon(files("jig.extract").joinpath("lexicon.yaml").read_text("utf-8"))
