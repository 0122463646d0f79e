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
    return f"{p:.0%}" if 0.01 <= p <= 0.99 else f"{p:.1%}"
