"""Left-to-right runs inside right-to-left sentences, isolated so the bidi algorithm keeps them
whole.

A reason or a commitment's wording in Arabic keeps its values as written: ids, zone labels,
an obligation or a status source in English ("Turkish Ministry of National Defence (a
signatory) (SOCHI-S1, 2018-10-10…)"). Left to the bidi algorithm, such a run's neutral
characters (parentheses, commas, colons) take the Arabic direction around them: a review
found "(SOCHI-S1 ,of National Defence (a signatory)" and a zone label's parenthesis mirrored
to the wrong end. `jig.i18n.isolate_runs` isolates times only; this isolates every Latin
run, its inner parentheses balanced, as one unit.
"""

from __future__ import annotations

import re

from jig.i18n import RTL, isolate

# A run: from a Latin letter or digit (or an opening bracket or quote before one) through
# anything but right-to-left letters, to its last Latin letter, digit or closing mark.
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RUN = re.compile(rf"[(\[\"“‘']*[A-Za-z0-9][^{_RTL_CHARS}\u2066-\u2069]*")
_TAIL = re.compile(r"[^A-Za-z0-9)\]\"”’'%°]+$")


def _balanced(run: str) -> str:
    """`run` without an unmatched opening bracket at its start or closing one at its end (a
    bracket the surrounding sentence opened or closes stays with it)."""
    while run and run[0] in "([" and run.count("(") + run.count("[") > \
            run.count(")") + run.count("]"):
        run = run[1:]
    while run and run[-1] in ")]" and run.count(")") + run.count("]") > \
            run.count("(") + run.count("["):
        run = run[:-1]
    return run


def isolate_ltr(text: str, lang: str) -> str:
    """`text` with each left-to-right run (Latin words, ids, numbers, times, with the
    brackets and punctuation between them) as one Unicode isolate, in a right-to-left
    language; as it is in any other."""
    if lang not in RTL or not text:
        return text

    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        core = _balanced(_TAIL.sub("", run))
        if not core:
            return run
        start = run.index(core)
        return run[:start] + isolate(core, lang) + run[start + len(core):]

    return _RUN.sub(one, text)
