"""Times as the format reads them: instants, whole days and spans, in the agreement's timezone.

Format 1 says a date means the whole of that day in the agreement's timezone, a date-time
without an offset is read in that timezone, and `start/end` is an interval whose date ends mean
whole days. Everything is turned into a `Span` of POSIX seconds, half-open `[start, end)`;
an exact instant has `start == end`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

# A date in any ISO 8601 form: calendar (2016-07-31, 20160731), week (2016-W31-1, 2016W311),
# ordinal (2016-213, 2016213), or a week without its day (2016-W31), which is the whole week.
_DATE_RE = re.compile(r"^\d{4}(-\d{2}-\d{2}|\d{4}|-?W\d{2}(-?\d)?|-?\d{3})$")
_WEEK_RE = re.compile(r"^\d{4}-?W\d{2}$")
_ORDINAL_RE = re.compile(r"^(\d{4})-?(\d{3})(?=$|[T ])")


@dataclass(frozen=True, slots=True)
class Span:
    """A time known to lie in `[start, end)`; `start == end` for an exact instant."""

    start: float
    end: float

    @property
    def exact(self) -> bool:
        return self.start == self.end

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Window:
    """A validity window `[start, end)`; either end may be open (infinite)."""

    start: float = -math.inf
    end: float = math.inf

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    def covers(self, span: Span) -> bool:
        """The whole span lies inside the window."""
        if span.exact:
            return self.contains(span.start)
        return self.start <= span.start and span.end <= self.end

    def misses(self, span: Span) -> bool:
        """No part of the span lies inside the window."""
        if span.exact:
            return not self.contains(span.start)
        return span.end <= self.start or span.start >= self.end

    # The same three tests for many spans at once (arrays of starts and ends).

    def contains_many(self, t: np.ndarray) -> np.ndarray:
        return (self.start <= t) & (t < self.end)

    def covers_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return np.where(start == end, self.contains_many(start),
                        (self.start <= start) & (end <= self.end))

    def misses_many(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return np.where(start == end, ~self.contains_many(start),
                        (end <= self.start) | (start >= self.end))


def zone_info(name: str) -> tzinfo:
    """The IANA timezone `name`, or ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}; use an IANA name such as Asia/Damascus") \
            from exc


def _day_start(d: date, tz: tzinfo) -> float:
    return datetime.combine(d, time(0), tzinfo=tz).timestamp()


def parse_day(text: str) -> date:
    """A calendar day written YYYY-MM-DD (a command's --from, --to, --date); ValueError says
    whether the text is no date at all or a day the calendar does not have."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"{text!r} is not a date: write the day as YYYY-MM-DD, for instance "
                         "2016-09-12")
    return _parse_date(text.strip())  # says which day the calendar does not have


def _parse_date(text: str) -> date:
    ordinal = _ORDINAL_RE.match(text)
    try:
        if ordinal is None:
            return date.fromisoformat(text)
        # Python reads every ISO 8601 date form but the ordinal one.
        year, day = int(ordinal[1]), int(ordinal[2])
        d = date(year, 1, 1) + timedelta(days=day - 1)
        if day < 1 or d.year != year:
            raise ValueError(text)
        return d
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r} (no such day in the calendar)") from exc


def _parse_one(text: str, tz: tzinfo) -> tuple[float, float]:
    """One ISO 8601 date or date-time -> (start, end) of what it denotes."""
    text = text.strip()
    if not text:
        raise ValueError("empty time")
    if _DATE_RE.match(text):
        # A date is a whole day in every form (ruling 7); a week without its day, a week.
        d = _parse_date(text)
        days = 7 if _WEEK_RE.match(text) else 1
        return _day_start(d, tz), _day_start(d + timedelta(days=days), tz)
    ordinal = _ORDINAL_RE.match(text)
    if ordinal:
        # An ordinal date-time: Python reads the time once the date is a calendar date.
        text = _parse_date(ordinal[0]).isoformat() + text[ordinal.end():]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
            _parse_date(text[:10])  # names an impossible calendar day precisely
        raise ValueError(
            f"not an ISO 8601 date or date-time: {text!r} (write 2016-09-12 or "
            "2016-09-12T14:30 or 2016-09-12T14:30+03:00)") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    t = dt.timestamp()
    return t, t


# 20/07/2016, 7/20/2016 10:15, 20.07.2016: what spreadsheets write, never an ISO interval.
_LOCAL_DATE_RE = re.compile(
    r"^(\d{1,2})([/.])(\d{1,2})\2(\d{4})([ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def _local_date(text: str, m: re.Match[str]) -> str:
    """Why a date written the local way is refused, with the ISO 8601 it may stand for."""
    a, b, year, clock = int(m[1]), int(m[3]), m[4], (m[5] or "").strip()
    at = f"T{clock:0>5}" if len(clock) <= 5 else f"T{clock:0>8}"
    at = at if clock else ""
    readings = [f"{year}-{b:02d}-{a:02d}{at}"] if a > 12 else \
        [f"{year}-{a:02d}-{b:02d}{at}"] if b > 12 else \
        [f"{year}-{b:02d}-{a:02d}{at}", f"{year}-{a:02d}-{b:02d}{at}"]
    return (f"{text!r} is a date written the local way, not ISO 8601: write "
            + " or ".join(readings) + (" (day/month or month/day: the text does not say)"
                                       if len(readings) > 1 else ""))


def parse_time(text: str, tz: tzinfo) -> Span:
    """Parse an incident or notice time: a date, a date-time, or an interval `start/end`."""
    local = _LOCAL_DATE_RE.match(text.strip())
    if local:
        raise ValueError(_local_date(text, local))
    if "/" in text:
        left, _, right = text.partition("/")
        try:
            a0, _ = _parse_one(left, tz)
            b0, b1 = _parse_one(right, tz)
        except ValueError as exc:
            # Quote the whole value: `05/03/2024` is a date written the local way, not an
            # interval whose start is '05'.
            raise ValueError(f"{text!r}, read as an interval start/end: {exc}") from None
        # An end day that closes exactly where the start begins ("2020-03-10/2020-03-09")
        # lies wholly before it too: not an instant.
        if b1 < a0 or (b1 == a0 and b0 < b1):
            raise ValueError(f"interval {text!r} ends before it starts")
        return Span(a0, b1)
    a, b = _parse_one(text, tz)
    return Span(a, b)


def parse_bound(value: object, tz: tzinfo) -> float:
    """A validity bound (`from`, `until`, `valid_from`, `valid_until`): the instant it starts.

    A date means the start of that day in the agreement's timezone; for an `until` that makes
    the bound exclusive of the named day, as format 1 says of `in_force.until`.
    """
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=tz)
        return dt.timestamp()
    if isinstance(value, date):
        return _day_start(value, tz)
    text = str(value).strip()
    return _parse_one(text, tz)[0]


def deadline_of(value: object, tz: tzinfo) -> float:
    """A deadline (`by:` of a must_by clause): a date means by the end of that day, a
    date-time that instant."""
    if isinstance(value, datetime):
        return parse_bound(value, tz)
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    return parse_time(text, tz).end


def format_instant(t: float, tz: tzinfo) -> str:
    """An instant as ISO 8601 in the given timezone, to the minute."""
    if math.isinf(t):
        return "open" if t > 0 else "always"
    return datetime.fromtimestamp(t, tz).isoformat(timespec="minutes")


def format_span(span: Span, tz: tzinfo) -> str:
    if span.exact:
        return format_instant(span.start, tz)
    return f"{format_instant(span.start, tz)}/{format_instant(span.end, tz)}"



