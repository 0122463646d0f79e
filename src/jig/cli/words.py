"""jig's words on the terminal in the reader's language (`--lang`): outcomes, headings,
reasons, where a record came from. English where the catalog has none, so nothing is lost.
Files written for machines (JSON Lines, CSV, GeoJSON) keep the format's English codes."""

from __future__ import annotations

from typing import Annotated

import typer

from jig.cli.common import err
from jig.i18n import LANGUAGES, direction
from jig.records import Origin

LangOpt = Annotated[str, typer.Option(
    help="en, ru or ar: what is printed for people in that language (files written for "
    "machines keep jig's English codes).")]


class Words:
    """`words(text)`: one of jig's words or sentences in the language. The reports' catalog is
    loaded only when a language other than English is asked for."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            err.print(f"[bold red]error[/] --lang {lang!r}: use one of {', '.join(LANGUAGES)}")
            raise typer.Exit(2)
        self.lang = lang
        # What leads to what: in right-to-left text an arrow is not mirrored, so Arabic's
        # points the way it is read.
        self.arrow = "←" if direction(lang) == "rtl" else "→"
        self._words: dict[str, str] = {}
        if lang != "en":
            from jig.i18n import translations
            from jig.report.reasons import TERMINAL_WORDS, VERDICT_NAMES

            gettext = translations(lang).gettext
            # Outcomes by the verdicts' names; headings as the reports word them.
            self._words = {code: gettext(msgid) for code, msgid in VERDICT_NAMES.items()} | {
                text: gettext(msgid) for text, msgid in TERMINAL_WORDS.items()}

    def __call__(self, text: str) -> str:
        if self.lang == "en":
            return text
        from jig.report.reasons import in_language

        return self._words.get(text) or in_language(text, self.lang)

    def number(self, text: str) -> str:
        """A number as jig writes it ("p=0.35") with the language's decimal sign ("p=0,35")."""
        if self.lang == "en":
            return text
        from babel.numbers import get_decimal_symbol

        return text.replace(".", get_decimal_symbol(self.lang))

    def incidents_change(self, n: int) -> str:
        """`jig diff`'s count, "5 incidents change", in the language's plural forms."""
        from jig.report.reasons import incidents_change

        return incidents_change(n, self.lang)

    def origin(self, origin: Origin) -> str:
        if self.lang == "en":
            return str(origin)
        from jig.report.render import origin_text

        return origin_text(origin, self.lang)


ENGLISH = Words("en")


def words_for(lang: str, fmt: str) -> Words:
    """The words of `lang` for output in `fmt`: another language than English only for the
    table printed for people, refused (not ignored) for the formats programs read."""
    words = Words(lang)
    if lang != "en" and fmt != "table":
        err.print(f"[bold red]error[/] --lang {lang} is for the table printed for people; "
                  f"-f {fmt} keeps jig's English codes and reasons, which programs read")
        raise typer.Exit(2)
    return words
