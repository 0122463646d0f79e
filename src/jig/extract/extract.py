"""Prose to candidate incidents: who did what, where, when and how many, each field with the
span of text it came from and a confidence. Pure: text, agreement and places in, candidates out.

A document is cut into sentences (a release's lines are sentences too). In each sentence the
acts, places, actors, weapons and times are found by the lexicon and the place index; each
place named becomes one candidate, with the act nearest to it and that act's count as said
("Near Raqqa, four strikes ..." is one candidate of count 4). A sentence that names an act but
no known place still gives a candidate, its place left empty with the words that may name it.
A sentence that names no act gives none. Actor and time carry over from earlier sentences of
the same document when a sentence does not give its own (a bulletin names its date once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from jig.agreement import Agreement
from jig.extract.actors import actor_hits, roles
from jig.extract.lexicon import LANGS, Hit, Lexicon, alternation, default_lexicon
from jig.extract.places import PlaceHit, PlaceIndex, offset_disc
from jig.extract.times import TimeHit, document_date, find_times
from jig.geo import geodesic_m

# A sentence ends at . ! ? ؟ or a line break; "U.S. aircraft" does not end one (lower case next).
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+(?=[\"'«(\-–—]?[^\W_a-zа-яё])|\n+")
# Abbreviations a capital or a digit follows within a sentence (what comes before the period).
_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "st",
    "mr", "mrs", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "no",
    "н.п", "г", "гг", "пос", "ул", "р-н", "т.е", "ген", "им",
}
# Not "U.S.": "according to the U.S. Russian jets struck" is two sentences as often as "the
# U.S. Central Command" is one, and two merged give one act's actor to the other.
# "Raqqa and Tabqa", "Ракка и Табка", "الرقة والطبقة": two places, neither qualifies the other.
_CONJUNCTION = re.compile(r"\b(?:and|or|и|или)\b|(?:^|\s)و|\s(?:أو)\s")
# "Maarat al-Numan, Idlib province", "в провинции Идлиб", "بريف إدلب": a region, not a place hit.
_REGION_WORD = re.compile(r"(?i)\b(?:province|governorate|countryside|region)\b|провинци|"
                          r"област|ريف|محافظة")
_LIST_ITEM = re.compile(r"\s*(?:[-–—•*]|\d+[.)])\s")
# Words that introduce a place the gazetteers may not know ("in Kafr Nabl", "в районе Х").
_CAP = r"[A-Z][\w'’\-]+"
_CYR_CAP = r"[А-ЯЁ][\w\-]+"
_PLACE_CUE = {
    "en": re.compile(rf"\b(?i:in|near|at|on|outside|of|around)\s+(?:the\s+)?"
                     rf"({_CAP}(?:\s+(?:al-|el-|ash-|as-|ar-)?{_CAP}){{0,3}})"),
    "ru": re.compile(r"(?:\bв|\bу|\bпод|\bблиз|\bрайоне|\bнаселенного пункта|\bн\.п\.)\s+"
                     rf"({_CYR_CAP}(?:[\s\-]{_CYR_CAP}){{0,2}})"),
    "ar": re.compile(r"(?:بلدة|مدينة|قرية|حي|منطقة|ريف)\s+"
                     r"([\u0621-\u064a]+(?:\s+ال[\u0621-\u064a]+)?)"),
}
# A name right after the act's verb is what it hit ("shelled Maarat al-Numan", "обстреляла
# Кафр-Нубль"); Arabic names the place with a noun (بلدة, مدينة), which the cue above reads.
_AFTER_ACT = {
    "en": re.compile(rf"\s+({_CAP}(?:\s+(?:al-|el-|ash-|as-|ar-)?{_CAP}){{0,3}})"),
    "ru": re.compile(rf"\s+({_CYR_CAP}(?:[\s\-]{_CYR_CAP}){{0,2}})"),
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where in the document a field's value was read, and how sure the reading is (0-1)."""

    start: int
    end: int
    text: str
    confidence: float


@dataclass
class Candidate:
    """A candidate incident in the format's fields, waiting for a person to confirm it."""

    fields: dict[str, Any]
    evidence: dict[str, Evidence] = field(default_factory=dict)
    sentence: tuple[int, int] = (0, 0)

    def excerpt(self, text: str, gap: str = " … ") -> tuple[str, dict[str, Evidence]]:
        """The part of the document this candidate was read from (`text` is the whole
        document): its sentence, and the span of any field read elsewhere (a date given once
        in the dateline), joined by `gap`; and the evidence with its spans in that excerpt.
        What a person checks the candidate against, without the whole document each time."""
        ranges = sorted([self.sentence, *((e.start, e.end) for e in self.evidence.values()
                                          if e.end > e.start)])
        merged: list[list[int]] = []
        for a, b in ranges:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        pieces, starts, at = [], [], 0
        for a, b in merged:
            starts.append(at)
            pieces.append(text[a:b])
            at += b - a + len(gap)

        def moved(i: int) -> int:
            k = next(k for k, (a, b) in enumerate(merged) if a <= i <= b)
            return starts[k] + i - merged[k][0]

        return gap.join(pieces), {k: Evidence(moved(e.start), moved(e.end), e.text, e.confidence)
                                  for k, e in self.evidence.items()}

    def row(self) -> dict[str, Any]:
        """The fields, then per field its span and confidence (`evidence`)."""
        return {**self.fields, "evidence": {
            k: {"start": e.start, "end": e.end, "text": e.text, "confidence": e.confidence}
            for k, e in self.evidence.items()}}


def detect_language(text: str) -> str:
    arabic = len(re.findall("[\u0600-\u06ff]", text))
    cyrillic = len(re.findall("[а-яёА-ЯЁ]", text))
    latin = len(re.findall("[A-Za-z]", text))
    return max((latin, "en"), (cyrillic, "ru"), (arabic, "ar"))[1]


def sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        word = re.search(r"(\S+)\.$", text[start:m.start()])
        # "2 августа 2016 г. Позднее": "г." after a year ends most Russian bulletins' sentences.
        year = re.search(r"\d{4}\s+гг?\.$", text[start:m.start()])
        if word and not year and "\n" not in m.group() \
                and word.group(1).lower().lstrip("(«\"") in _ABBREVIATIONS:
            continue  # "on Aug. 3", "н.п. Кафр-Нубль", "г. Алеппо"
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def extract(text: str, agreement: Agreement, places: PlaceIndex, *, lang: str = "auto",
            doc_date: date | None = None, lexicon: Lexicon | None = None,
            id_prefix: str = "x", source: str = "jig extract") -> list[Candidate]:
    """The candidate incidents a document's prose reports."""
    lex = lexicon or default_lexicon()
    if lang == "auto":
        lang = detect_language(text)
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use auto, {', '.join(LANGS)}")
    doc = doc_date or document_date(text, lang, lex)
    stop = {p.rstrip("*").lower() for part in ("acts", "actors", "weapons")
            for ps in lex.table(part, lang).values() for p in ps}
    stop |= {w.lower() for part in ("place_words", "not_places") for w in lex.words(part, lang)}
    out: list[Candidate] = []
    last_actor: tuple[str, Evidence] | None = None
    last_time: TimeHit | None = None
    in_list = False
    for s0, s1 in sentences(text):
        sent = text[s0:s1]
        item = in_list and bool(_LIST_ITEM.match(sent))
        in_list = item or sent.rstrip().endswith(":")
        # Every act word, for whose act a "by" is (`roles`); the acts themselves without the
        # generic and weak words another act's words make redundant.
        said = lex.matcher("acts", lang).find(sent)
        acts = _drop_weak(_drop_generic(said, sent, lex.matcher("generic_acts", lang).find(sent)),
                          lex.matcher("weak_acts", lang).find(sent))
        actors = actor_hits(sent, lang, lex, agreement, acts)
        times = find_times(sent, lang, lex, doc)
        if times:
            last_time = times[0]
            time_shift = s0
        # A line that introduces a list ("... conducted 9 strikes in Syria:") sums up its
        # items; each item is an act, the summary is not another one.
        if not acts or sent.rstrip().endswith(":"):
            if actors:
                a = actors[0]
                last_actor = (a[0], Evidence(s0 + a[1].start, s0 + a[1].end, a[1].text, 0.6))
            continue
        # A place inside an act's or an actor's words is not one ("Нусра" is not Nasr).
        words = [*acts, *(h for _, h in actors)]
        found = _drop_qualifiers([p for p in places.find(sent, lang, stop)
                                  if not any(a.start < p.end and p.start < a.end for a in words)],
                                 sent, {w.lower() for w in lex.words("place_parts", lang)})
        found = [_as_region(p, sent, places) for p in found]
        if not found:
            found = _unknown_places(sent, lang, stop, acts)
        weapons = lex.matcher("weapons", lang).find(sent)
        numbers = lex.matcher("numbers", lang).find(sent)
        targets = [p for p in found] or [None]
        for place in targets:
            anchor = place.start if place else acts[0].start
            act = min(acts, key=lambda a: abs(a.start - anchor))
            c = Candidate({"id": f"{id_prefix}-{len(out) + 1}", "time": None, "lon": None,
                           "lat": None, "precision_m": None, "place": None, "place_ref": None,
                           "place_note": None, "actor": None,
                           "target": None, "act": act.key, "weapon": None, "count": None,
                           "source": source, "notes": " ".join(sent.split())},
                          sentence=(s0, s1))
            c.evidence["act"] = Evidence(s0 + act.start, s0 + act.end, act.text, 0.8)
            count = _count(sent, act, numbers, lang, lex)
            if count is not None:
                c.fields["count"] = count[0]
                c.evidence["count"] = Evidence(s0 + count[1], s0 + count[2],
                                               sent[count[1]:count[2]], 0.9)
            if place is not None:
                _place(c, sent, s0, place, lang, lex)
            _actors(c, sent, s0, act, actors, last_actor if item else None, lang, said)
            if weapons:
                w = min(weapons, key=lambda h: abs(h.start - act.start))
                c.fields["weapon"] = w.key
                c.evidence["weapon"] = Evidence(s0 + w.start, s0 + w.end, w.text, 0.7)
            if times:
                t = min(times, key=lambda h: abs(h.start - act.start))
                c.fields["time"] = t.iso()
                c.evidence["time"] = Evidence(s0 + t.start, s0 + t.end, t.text, t.confidence)
            elif last_time is not None:
                c.fields["time"] = last_time.iso()
                c.evidence["time"] = Evidence(time_shift + last_time.start,
                                              time_shift + last_time.end, last_time.text, 0.6)
            elif doc is not None:
                # Nothing said: the document's own date, the least certain reading.
                c.fields["time"] = doc.isoformat()
                c.evidence["time"] = Evidence(s0, s0, "", 0.4)
            out.append(c)
        if actors and not item:  # a list's items do not change who heads it
            a = actors[0]
            last_actor = (a[0], Evidence(s0 + a[1].start, s0 + a[1].end, a[1].text, 0.6))
    return out


# A name that stands for its governorate or countryside: "Idlib governorate", "the Idlib
# countryside", "провинции Идлиб", "محافظة إدلب", "ريف إدلب".
_REGION_AFTER = re.compile(r"(?i)\s+(?:governorate|province|countryside|region)\b")
_REGION_BEFORE = re.compile(r"(?i)(?:\bprovince of|\bgovernorate of|\bcountryside of|"
                            r"провинци[ияйюе]|област[ьиюя]|محافظة|ريف)\s+$")


def _as_region(p: PlaceHit, sent: str, places: PlaceIndex) -> PlaceHit:
    """A place named as a governorate or countryside is that region, not its city: placed on
    the governorate's own extent when a gazetteer given holds its boundary, else left unplaced
    with its words (placing it on the city's 5 km gave certain breaches for a whole province)."""
    if p.ref is None or p.ref.kind in ("adm1", "adm2"):
        return p
    if not (_REGION_AFTER.match(sent, p.end) or _REGION_BEFORE.search(sent[:p.start])):
        return p
    region = places.region(p.text)
    if region is not None:
        return PlaceHit(p.start, p.end, p.text, region, p.how, p.confidence * 0.9)
    return PlaceHit(p.start, p.end, p.text, None,
                    "a governorate or countryside: no gazetteer given holds its boundary "
                    "(give the governorates' boundaries with --gazetteer)", 0.0)


def _drop_weak(acts: list[Hit], weak: list[Hit]) -> list[Hit]:
    """The acts without the weak words (`weak_acts`) when any other act is named."""
    spans = {(w.start, w.end) for w in weak}
    strong = [a for a in acts if (a.start, a.end) not in spans]
    return strong or acts


def _drop_generic(acts: list[Hit], sent: str, generic: list[Hit]) -> list[Hit]:
    """Acts without a generic verb right after another act's words: "a car bomb struck" is an
    explosion, not an explosion and an air strike."""
    spans = {(g.start, g.end) for g in generic}
    return [a for a in acts if (a.start, a.end) not in spans
            or not any(b.end <= a.start and not sent[b.end:a.start].strip() for b in acts)]


def _drop_qualifiers(found: list[PlaceHit], sent: str,
                     parts: set[str] = frozenset()) -> list[PlaceHit]:  # type: ignore[assignment]
    """"Kafr Nabl in rural Idlib", "Kafr Nabl, Idlib": the second name says where the first
    is, it is not a second place struck. A larger place right after a smaller one that lies
    within it is dropped, and so is a direction right after a place ("حلب الشرقية", eastern
    Aleppo), though a village bears its name. Names in a list ("Kafr Nabl, Hass and Saraqib",
    "سراقب، سرمين، بنش") are each a place struck, and so is a name that is itself qualified
    ("Salma (Latakia province)")."""
    listed = _listed(found, sent)
    out: list[PlaceHit] = []
    for i, p in enumerate(found):
        prev = out[-1] if out else None
        gap = sent[prev.end:p.start] if prev is not None else ""
        if prev is not None and not gap.strip() and p.text.lower() in parts:
            continue
        after = sent[p.end:found[i + 1].start] if i + 1 < len(found) else sent[p.end:p.end + 16]
        qualified = i + 1 < len(found) and bool(_REGION_WORD.search(after))
        if prev is not None and prev.ref is not None and p.ref is not None \
                and not listed[i] and not qualified \
                and len(gap.strip()) <= 25 and not _CONJUNCTION.search(gap) \
                and (p.ref.radius_m >= prev.ref.radius_m or p.ref.kind == prev.ref.kind
                     or _REGION_WORD.search(gap + " " + after[:16])) \
                and float(geodesic_m(prev.ref.lon, prev.ref.lat, np.array([p.ref.lon]),
                                     np.array([p.ref.lat]))[0]) <= max(p.ref.radius_m, 60_000):
            continue
        out.append(p)
    return out


_LIST_GAP = re.compile(r"\s*[,،]\s*|\s*,?\s*(?:and|or|и|или)\s+|\s*[,،]?\s*و|\s+و\s*")


def _listed(found: list[PlaceHit], sent: str) -> list[bool]:
    """Which names stand in a list of three or more, or of two joined by "and": runs of names
    apart only by commas and conjunctions ("Kafr Nabl, Hass, Maarat al-Numan and Khan
    Shaykhun"). Two names apart by a comma alone are a place and where it is."""
    joined = [i > 0 and bool(_LIST_GAP.fullmatch(sent[found[i - 1].end:found[i].start]))
              for i in range(len(found))]
    listed = [False] * len(found)
    i = 0
    while i < len(found):
        j = i
        while j + 1 < len(found) and joined[j + 1]:
            j += 1
        run = range(i, j + 1)
        gaps = [sent[found[k - 1].end:found[k].start] for k in run[1:]]
        if len(run) >= 3 or any(_CONJUNCTION.search(g) for g in gaps):
            for k in run:
                listed[k] = True
        i = j + 1
    return listed


def _count(sent: str, act: Hit, numbers: list[Hit], lang: str,
           lex: Lexicon) -> tuple[int, int, int] | None:
    """The number said with the act: right before it ("four strikes", "23 explosions"), or in
    the Arabic noun's own form (غارتين, two strikes)."""
    forms = lex.table("counted_forms", lang)
    word = act.text.lower()
    bounds = lex.matcher("bounds", lang)
    if lang == "ar":
        for form, n in forms.items():
            if word.endswith(form):
                before = sent[:act.start].rstrip()
                m = re.search(r"(\d+)$", before)
                if m and n != 2:
                    # "أكثر من 20 غارة", more than 20 strikes: a bound, not a count.
                    if any(b.end >= m.start() - 1 for b in bounds.find(before[:m.start()])):
                        return None
                    return int(m.group(1)), m.start(), act.end
                return int(n), act.start, act.end
    before = sent[:act.start]
    months = {m.lower() for m in lex.table("months", lang)}
    m = re.search(r"(\d+)\s+(?:([^\W\d]+)\s+)?$", before)
    # "1 сентября обстреляли": a number before a month is a day; "more than 30" is a bound;
    # "في 1 أيلول 2016 شنت": a number after a month is a year.
    if m and (m.group(2) or "").lower() not in months and \
            not before[:m.start()].rstrip().lower().endswith(tuple(months)) and \
            not any(b.end >= m.start() - 1 for b in bounds.find(before[:m.start()])):
        return int(m.group(1)), m.start(1), act.end
    for n in reversed(numbers):  # the nearest first: "a dozen strikes" is twelve, not one
        gap = sent[n.end:act.start]
        if re.fullmatch(r"\s+(?:[^\W\d]+\s+)?", gap):
            value = lex.value("numbers", lang, n.key)
            if value is not None:
                return int(value), n.start, act.end
    if lang == "ar":
        after = re.match(r"\s*(\d+)", sent[act.end:])
        if after:
            return int(after.group(1)), act.start, act.end + after.end()
    return None


def _place(c: Candidate, sent: str, s0: int, place: PlaceHit, lang: str, lex: Lexicon) -> None:
    c.fields["place"] = place.text
    if place.ref is None:
        c.evidence["place"] = Evidence(s0 + place.start, s0 + place.end, place.text, 0.0)
        c.fields["place_note"] = place.how
        return
    # What stands before the name in its clause: "3-5 km south-west of", "near".
    clause_start = max(sent.rfind(ch, 0, place.start) for ch in ",;:")
    window_start = max(clause_start + 1, place.start - 90)
    window = sent[window_start:place.start]
    km = alternation(lex.words("km", lang))
    dist = re.search(rf"(\d+(?:[.,]\d+)?)(?:\s*(?:-|–|—|to|до|و|إلى)\s*(\d+(?:[.,]\d+)?))?\s*(?:{km})\b",
                     window.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")), re.I)
    direction = lex.matcher("directions", lang).find(window)
    near = lex.matcher("near", lang).find(window)
    lo = hi = None
    bearing = None
    start = place.start
    if dist:
        a = float(dist.group(1).replace(",", "."))
        b = float(dist.group(2).replace(",", ".")) if dist.group(2) else a
        lo, hi = min(a, b) * 1000, max(a, b) * 1000
        start = window_start + dist.start()
    if direction and dist:
        bearing = float(lex.value("directions", lang, direction[-1].key))
    near_m = float(lex.data.get("near_km", 10)) * 1000 if near else 0.0
    if near and not dist:
        start = window_start + near[-1].start
    lon, lat, radius = offset_disc(place.ref.lon, place.ref.lat, place.ref.radius_m, near_m,
                                   lo, hi, bearing, float(lex.data.get("sector_deg", 45)))
    c.fields.update(lon=round(lon, 5), lat=round(lat, 5), precision_m=round(radius))
    c.fields["place_ref"] = f"{place.ref.name} ({place.ref.source}, {place.how})"
    conf = place.confidence * (0.9 if (dist or near) else 1.0)
    c.evidence["place"] = Evidence(s0 + start, s0 + place.end, sent[start:place.end], conf)


def _unknown_places(sent: str, lang: str, stop: set[str], acts: list[Hit]) -> list[PlaceHit]:
    """Words that name a place the index does not know: kept as text, never placed."""
    cues = [*_PLACE_CUE[lang].finditer(sent)]
    if lang in _AFTER_ACT:
        cues += [m for a in acts if (m := _AFTER_ACT[lang].match(sent, a.end))]
    for m in sorted(cues, key=lambda m: m.start(1)):
        name = m.group(1)
        if name.lower() in stop or any(w.lower() in stop for w in name.split()):
            continue
        return [PlaceHit(m.start(1), m.end(1), name, None, "not found", 0.0)]
    return []


def _actors(c: Candidate, sent: str, s0: int, act: Hit, actors: list[tuple[str, Hit]],
            last: tuple[str, Evidence] | None, lang: str, acts: list[Hit]) -> None:
    """Who acted and who was hit (`jig.extract.actors.roles`). A list item that names no one
    takes the actor of the line that introduced the list (`last`, given only then): a
    release's "Coalition forces conducted ...:" heads its lines."""
    doer, target = roles(sent, act, actors, lang, acts)
    if target is not None:
        c.fields["target"] = target[0]
        c.evidence["target"] = Evidence(s0 + target[1].start, s0 + target[1].end,
                                        target[1].text, 0.6)
    if doer is not None:
        c.fields["actor"] = doer[0]
        c.evidence["actor"] = Evidence(s0 + doer[1].start, s0 + doer[1].end, doer[1].text, 0.8)
    elif last is not None:
        c.fields["actor"] = last[0]
        c.evidence["actor"] = last[1]
