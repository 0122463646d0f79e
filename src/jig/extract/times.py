"""When prose says an act happened, as a span of local time in the agreement's timezone.

Dates are read relative to the document's date: "yesterday", "last night", "on 3 August"
(the year is the document's, or the one before when that would put the day after the
document), "on the night of 2 to 3 August" / "в ночь на 3 августа" / "ليلة 2-3 آب" (18:00 to
06:00), "مساء أمس" (yesterday evening).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from jig.extract.lexicon import Lexicon

_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
# Arabic months are written with and without hamza and madda ("آب" and "اب", "أيلول" and
# "ايلول", "أبريل" and "ابريل"): text and months are compared with these folded (one letter
# for one, so offsets hold).
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
NIGHT = (18, 30)  # a night: 18:00 to 06:00 the next day


@dataclass(frozen=True, slots=True)
class TimeHit:
    start: int
    end: int
    text: str
    first: datetime  # local, naive: the agreement's timezone
    last: datetime
    confidence: float

    def iso(self) -> str:
        """The format's `time`: a date for a whole day, else an interval start/end."""
        if self.first.time() == time(0) and self.last - self.first == timedelta(days=1):
            return self.first.date().isoformat()
        return f"{self.first.isoformat(timespec='minutes')}/{self.last.isoformat(timespec='minutes')}"


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _year(day: int, month: int, year: int | None, doc: date | None) -> date | None:
    if year is None:
        if doc is None:
            return None
        year = doc.year
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        # A report does not announce acts of the coming weeks: "on 30 December" in a January
        # bulletin is last year's.
        return d.replace(year=year - 1) if d > doc + timedelta(days=1) else d
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _hours(day: date, h0: int, h1: int) -> tuple[datetime, datetime]:
    base = datetime.combine(day, time(0))
    return base + timedelta(hours=h0), base + timedelta(hours=h1)


def find_times(text: str, lang: str, lexicon: Lexicon, doc: date | None) -> list[TimeHit]:
    """Every time expression in `text` that resolves to a span, in text order."""
    t = text.translate(_EASTERN_DIGITS)  # same length: offsets hold
    months = lexicon.table("months", lang)
    if lang == "ar":
        months = {k.translate(_AR_FOLD): v for k, v in months.items()}
    # Months are sought in the folded text; the lexicon's other phrases as written.
    tm = t.translate(_AR_FOLD) if lang == "ar" else t
    mon = _alt(list(months))
    hits: list[TimeHit] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, first: datetime, last: datetime, conf: float) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        hits.append(TimeHit(start, end, text[start:end], first, last, conf))

    def month(m: re.Match[str], group: str) -> int:
        return int(months[m.group(group).lower()]) if m.group(group).lower() in months else \
            int(next(v for k, v in months.items() if k.lower() == m.group(group).lower()))

    night = _alt(lexicon.words("night", lang))
    day1, day2 = r"(?P<d1>\d{1,2})", r"(?P<d2>\d{1,2})"
    year = r"(?P<y>\d{4})"
    th = r"(?:st|nd|rd|th)?"
    night_re = {
        "en": rf"(?:{night})\s+(?:the\s+)?{day1}{th}(?:\s*(?:to|-|–|and|/)\s*{day2}{th})?"
              rf"\s+(?:of\s+)?(?P<m>{mon})(?:,?\s+{year})?",
        "ru": rf"(?:в\s+ночь\s+с\s+{day1}\s+на\s+{day2}|в\s+ночь\s+на\s+(?P<d3>\d{{1,2}}))"
              rf"\s+(?P<m>{mon})(?:\s+{year})?",
        "ar": rf"(?:{night})\s+{day1}(?:\s*(?:-|–|/|و|على)\s*{day2})?\s+(?:من\s+)?(?:شهر\s+)?"
              rf"(?P<m>{mon})(?:\s+(?:عام\s+)?{year})?",
    }[lang]
    for m in re.finditer(night_re, tm, re.IGNORECASE):
        y = int(m.group("y")) if m.group("y") else None
        gd = m.groupdict()
        if gd.get("d3"):  # "в ночь на 3": the night that ends on the 3rd
            end_day = _year(int(gd["d3"]), month(m, "m"), y, doc)
            if end_day is None:
                continue
            first = datetime.combine(end_day - timedelta(days=1), time(NIGHT[0]))
        else:
            d1 = _year(int(m.group("d1")), month(m, "m"), y, doc)
            if d1 is None:
                continue
            first = datetime.combine(d1, time(NIGHT[0]))
        add(m.start(), m.end(), first, first + timedelta(hours=NIGHT[1] - NIGHT[0]), 0.85)

    day = r"(?P<d>\d{1,2})"
    date_res = {
        "en": [rf"{day}{th}\s+(?:of\s+)?(?P<m>{mon})\b\.?(?:,?\s+{year})?",
               rf"\b(?P<m>{mon})\.?\s+{day}{th}\b(?:,?\s+{year})?"],
        "ru": [rf"{day}\s+(?P<m>{mon})(?:\s+{year})?"],
        # Arabic media pair the Levantine and the Egyptian month: "20 أيلول/سبتمبر 2016".
        "ar": [rf"{day}\s+(?:من\s+)?(?:شهر\s+)?(?P<m>{mon})(?![\u0621-\u064a])"
               rf"(?:\s*/\s*(?:{mon}))?(?:\s+(?:عام\s+|لعام\s+)?{year})?"],
    }[lang]
    numeric = [
        r"\b(?P<iso>(?P<y>\d{4})-(?P<mm>\d\d)-(?P<d>\d\d))\b",
        # Year first, as Arabic bulletins write it: 2016/9/20.
        r"\b(?P<y>\d{4})[/.](?P<mm>\d{1,2})[/.](?P<d>\d{1,2})\b",
        # Day first, as Russian bulletins (20.09.2016) and Arabic and British ones write it
        # (Arabic also with hyphens: 3-8-2016; in English 8-3-2016 is as unsure as 8/3/2016).
        r"\b(?P<d>\d{1,2})(?P<sep>[./-])(?P<mm>\d{1,2})(?P=sep)(?P<y>\d{4})\b",
    ]
    for pattern in [*date_res, *numeric]:
        for m in re.finditer(pattern, tm, re.IGNORECASE):
            # 03/04/2016 is 3 April or March 4 by who wrote it: in English only a day
            # above 12 tells, or the dots Americans do not use.
            if (lang == "en" and m.groupdict().get("sep") in ("/", "-")
                    and int(m.group("d")) <= 12):
                continue
            y = int(m.group("y")) if m.group("y") else None
            mo = int(m.group("mm")) if m.groupdict().get("mm") else month(m, "m")
            when = _year(int(m.group("d")), mo, y, doc)
            if when is not None:
                add(m.start(), m.end(), *_hours(when, 0, 24), 0.9)

    if doc is not None:
        for hit in lexicon.matcher("relative", lang).find(t):
            back, h0, h1 = lexicon.value("relative", lang, hit.key)
            add(hit.start, hit.end, *_hours(doc + timedelta(days=int(back)), int(h0), int(h1)),
                0.8)
        # "on Tuesday", "во вторник", "يوم الثلاثاء": the last such day on or before the
        # document's date, less sure than a date.
        for hit in lexicon.matcher("weekdays", lang).find(t):
            wanted = lexicon.value("weekdays", lang, hit.key)
            if wanted is not None:
                when = doc - timedelta(days=(doc.weekday() - int(wanted)) % 7)
                add(hit.start, hit.end, *_hours(when, 0, 24), 0.7)
    return sorted(hits, key=lambda h: h.start)


def document_date(text: str, lang: str, lexicon: Lexicon) -> date | None:
    """The first full date (with a year) the text gives: a bulletin's dateline."""
    for hit in find_times(text, lang, lexicon, None):
        if hit.last - hit.first == timedelta(days=1):
            return hit.first.date()
    return None
