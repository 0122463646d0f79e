"""Message catalogs shared by the CLI (`--lang`), the API (`Accept-Language`) and the UI.

The catalogs are gettext `.po` files under `locales/` (domain `jig`), compiled to `.mo` beside
them (`scripts/i18n` does it; a test checks the two agree). English is the source language: its
messages are the msgids, so it needs no catalog.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ru", "ar")
RTL = frozenset({"ar"})
DOMAIN = "jig"
LOCALES = Path(__file__).parent / "locales"


def check_language(lang: str) -> str:
    """`lang` if jig speaks it, or ValueError naming the ones it does."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    return lang


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog for `lang` (English: the messages as written)."""
    check_language(lang)
    if lang == "en":
        return NullTranslations()
    found = Translations.load(str(LOCALES), [lang], DOMAIN)
    if not isinstance(found, Translations):  # Babel falls back silently; we would rather know
        raise FileNotFoundError(f"no compiled catalog for {lang!r} in {LOCALES} (run scripts/i18n)")
    return found


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The best of our languages for an HTTP `Accept-Language` header (RFC 9110 weights)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and q > 0:
            ranked.append((-q, i, base))
    return min(ranked)[2] if ranked else default


# A time or interval inside a sentence, kept left to right on a right-to-left page: without
# it the bidi algorithm set "2016-08-26T12:00+03:00" as "26T12:00+03:00-08-2016".
_TIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?)?"
_LTR_RUN = re.compile(f"{_TIME}(?:/{_TIME})?")


def isolate(text: str, lang: str) -> str:
    """A left-to-right value (an id, a time, a point, a file name) as one Unicode isolate in
    a right-to-left language (U+2066 … U+2069, which browsers, Pango and Typst honour), so
    the bidi algorithm keeps "lat, lon" in that order; as it is in any other."""
    return f"\u2066{text}\u2069" if lang in RTL and text != "" else text


def isolate_runs(text: str, lang: str) -> str:
    """`text` with each of its times and intervals isolated (`isolate`)."""
    if lang not in RTL:
        return text
    return _LTR_RUN.sub(lambda m: isolate(m.group(0), lang), text)


def direction(lang: str) -> str:
    """`rtl` or `ltr`: the writing direction of `lang`, for HTML's dir attribute."""
    return "rtl" if lang in RTL else "ltr"
