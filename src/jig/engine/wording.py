"""The words of reasons: distances, acts, actors and times as a person reads them."""

from __future__ import annotations

from datetime import tzinfo

from jig.records import Incident
from jig.times import Span, Window, format_instant, format_span

ACT_WORDS = {
    "air_strike": "air strike", "shelling": "shelling", "ground_attack": "ground attack",
    "explosion": "explosion", "other": "act", "unknown": "act of unknown kind",
}


def distance(metres: float) -> str:
    metres = abs(metres)
    if metres < 1000:
        return f"{metres:.0f} m"
    return f"{metres / 1000:.1f} km"


def act_phrase(inc: Incident, actor_id: str | None) -> str:
    who = actor_id or (repr(inc.actor) if inc.actor else "an unnamed actor")
    return f"{ACT_WORDS.get(inc.act, inc.act)} by {who}"


def window_phrase(window: Window, tz: tzinfo) -> str:
    return f"from {format_instant(window.start, tz)} until {format_instant(window.end, tz)}"


def span_phrase(span: Span, tz: tzinfo) -> str:
    return format_span(span, tz)


def percent(p: float) -> str:
    """A probability as a person reads it; never 0.0% or 100.0% for one that is neither (the
    exact value stays in the finding's `p`)."""
    if 0.01 <= p <= 0.99:
        return f"{p:.0%}"
    if 0 < p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{p:.1%}"
