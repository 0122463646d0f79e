"""Places named in prose: the agreement's own zones, sites and targets, and gazetteer places by
their Latin, Arabic or Cyrillic spelling; "3-5 km south-west of X" and "near X" as discs.

Latin names match as the gazetteer matches them (same name once spelling noise is gone, a known
exonym, or the same consonant skeleton). Arabic names match the gazetteers' Arabic names once
diacritics, alef forms and glued prefixes ("وبالرقة") are set aside. Cyrillic names are
transliterated and matched on a looser consonant key that also absorbs Russian case endings
("в Ракке" = Raqqa), and must be spelt close to the place's name too, since a short key is
shared by many words. A name that is ambiguous is left unplaced, with its text, never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
import shapely

from jig.agreement import Agreement
from jig.geo import geodesic_m
from jig.readers.gazetteer import (
    ALIASES,
    AMBIGUOUS_M,
    MIN_SKELETON,
    OVERRIDES,
    Gazetteer,
    normalise,
    skeleton,
)

_RANK = {"agreement": -1, "point": 0, "neighbourhood": 1, "adm3": 2, "adm2": 3, "adm1": 4,
         "adm0": 5}
_CYR = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"})
_AR_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_ARTICLES = {"al", "el", "ar", "as", "ash", "at", "ad", "az", "an", "ez", "es", "ed", "er", "en",
             "esh", "et", "eth", "edh", "ush", "uz",
             "ul", "adh", "ath"}
_RU_ENDINGS = ("ом", "ем", "ой", "ей", "ах", "ях", "ами")
# Spellings the press uses that the gazetteers shipped spell otherwise ("Latakia" for
# LATTAKIA, "Raqqa" the city, not only the Ar-Raqqa sub-district of 58 km).
_PROSE_SPELLINGS = {"latakia": "lattakia", "latakiya": "lattakia", "douma": "duma",
                    "darayya": "daraya", "raqqa": "raqqah", "jisr al shughour": "jisr ash shugur",
                    "jisr ash shughur": "jisr ash shugur"}
_GLUE = {"and", "or", "in", "on", "at", "of", "to", "by", "и", "или", "в", "во", "на", "у",
         "с", "со", "по", "из", "к"}
_TOKEN = re.compile(r"[^\W\d_][\w'’ʿ\-]*")


def phonetic(latin: str) -> str:
    """A consonant key that transliterations from Arabic via English and via Russian share:
    "Raqqa" = "Rakka" (Ракка), "Deir ez-Zor" = "Deyr-ez-Zor" (Дейр-эз-Зор)."""
    words = [w for w in normalise(latin).split() if w not in _ARTICLES]
    s = "".join(re.sub(r"(?<=[aeiou])h$", "", w) for w in words)
    for a, b in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("dh", "z"), ("th", "t"),
                 ("q", "k"), ("c", "k"), ("x", "ks"), ("sch", "sh")):
        s = s.replace(a, b)
    s = re.sub(r"[aeiouyw]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)


def arabic_key(text: str) -> str:
    s = _AR_DIACRITICS.sub("", text).translate(_AR_FOLD)
    return " ".join(s.replace("-", " ").split())


def cyrillic_to_latin(text: str) -> str:
    return text.lower().translate(_CYR)


@dataclass(frozen=True, slots=True)
class Ref:
    """A place a name may denote: a point and the radius the name covers."""

    name: str
    kind: str
    lon: float
    lat: float
    radius_m: float
    source: str


@dataclass(frozen=True, slots=True)
class PlaceHit:
    """A place named in the text: where (start, end) and, when it was found, what it is."""

    start: int
    end: int
    text: str
    ref: Ref | None
    how: str  # name, alias, skeleton, arabic, cyrillic; or "not found" / "ambiguous: ..."
    confidence: float


_CONFIDENCE = {"name": 0.9, "alias": 0.85, "arabic": 0.85, "skeleton": 0.7, "cyrillic": 0.7}


def _feature_refs(agreement: Agreement) -> Iterable[tuple[Ref, tuple[str, ...]]]:
    for f in (*agreement.zones, *agreement.sites, *agreement.targets):
        names = [n for n in (f.name, *(str(f.properties.get(k) or "") for k in
                                       ("name_ar", "name_ru", "name_en", "NAME_AR")))
                 if n]
        if not names:
            continue
        centre = f.geometry.representative_point()
        coords = shapely.get_coordinates(f.geometry)
        extent = float(geodesic_m(centre.x, centre.y, coords[:, 0], coords[:, 1]).max())
        yield Ref(names[0], "agreement", centre.x, centre.y, extent + f.radius_m,
                  f"{f.collection} {f.id}"), tuple(names)


class PlaceIndex:
    """Every name a place goes by, keyed three ways (Latin, Arabic, phonetic)."""

    def __init__(self, agreement: Agreement, gazetteers: Iterable[Gazetteer] = ()):
        self.latin: dict[str, list[Ref]] = {}
        self.skel: dict[str, list[Ref]] = {}
        self.phon: dict[str, list[Ref]] = {}
        self.arabic: dict[str, list[Ref]] = {}
        # Names without a gazetteer's generic word ("Daraya" for "Daraya mantiqah"), tried
        # only when no place bears the name itself.
        self.stems: dict[str, list[Ref]] = {}
        entries = list(_feature_refs(agreement))
        for gaz in gazetteers:
            for p in gaz.places:
                entries.append((Ref(p.name, p.kind, p.lon, p.lat, p.radius_m, p.source),
                                (p.name, *p.other_names)))
        for ref, names in entries:
            for name in names:
                if re.search("[\u0600-\u06ff]", name):
                    key = arabic_key(name)
                    self.arabic.setdefault(key, []).append(ref)
                    if key.startswith("ال"):
                        self.arabic.setdefault(key[2:], []).append(ref)
                    continue
                latin = cyrillic_to_latin(name) if re.search("[а-яё]", name, re.I) else name
                self.latin.setdefault(normalise(latin), []).append(ref)
                if _stem(latin) != latin:
                    self.stems.setdefault(normalise(_stem(latin)), []).append(ref)
                sk = skeleton(latin)
                if len(sk) >= MIN_SKELETON:
                    self.skel.setdefault(sk, []).append(ref)
                for ph in {phonetic(latin), phonetic(_stem(latin))}:
                    if len(ph) >= 2:
                        self.phon.setdefault(ph, []).append(ref)

    def find(self, text: str, lang: str, stop: set[str] = frozenset()) -> list[PlaceHit]:  # type: ignore[assignment]
        """Every place named in `text`, longest names first, never overlapping."""
        tokens = [m for m in _TOKEN.finditer(text)]
        hits: list[PlaceHit] = []
        i = 0
        while i < len(tokens):
            found = None
            for n in (4, 3, 2, 1):
                if i + n > len(tokens):
                    continue
                first, last = tokens[i], tokens[i + n - 1]
                if n > 1 and last.group().lower() in _GLUE:
                    continue  # "Khan Shaykhun on", "Сармину и": the name ends before it
                if any(text[a.end():b.start()].strip(" -") for a, b in
                       zip(tokens[i:i + n - 1], tokens[i + 1:i + n], strict=True)):
                    continue  # a comma or other stop between words: not one name
                found = self._match(text, first.start(), last.end(), lang, stop)
                if found:
                    i += n
                    break
            if found:
                hits.append(found)
            else:
                i += 1
        return hits

    def region(self, name: str) -> Ref | None:
        """The governorate (else district) a name denotes, when a gazetteer given holds its
        boundary: what "Idlib governorate" and "the Idlib countryside" name, rather than the
        city. Found by the name's Arabic key, or its consonant key ("Idlib", "Idleb", "Идлиб")."""
        if re.search("[\u0600-\u06ff]", name):
            key = arabic_key(name)
            refs = [r for cut in _arabic_cuts(key) for r in self.arabic.get(cut, ())]
        else:
            latin = cyrillic_to_latin(name) if re.search("[а-яё]", name, re.I) else name
            refs = [r for k in {phonetic(latin), *(phonetic(latin[:-n]) for n in (1, 2))}
                    for r in self.phon.get(k, ())]
        regions = [r for r in refs if r.kind in ("adm1", "adm2")]
        if len({r.name for r in regions if r.kind == "adm1"}) > 1:
            return None  # two governorates share the key: not guessed
        return max(regions, key=lambda r: _RANK[r.kind]) if regions else None

    def _match(self, text: str, start: int, end: int, lang: str,
               stop: set[str]) -> PlaceHit | None:
        span = text[start:end]
        if span.lower() in stop:
            return None
        if re.search("[\u0600-\u06ff]", span):
            key = arabic_key(span)
            # Glued prefixes: و (and), ف, ب (in), ل (to), ك; then the article.
            for cut in _arabic_cuts(key):
                refs = self.arabic.get(cut)
                if refs:
                    shift = len(span) - len(span.lstrip()) + (len(key) - len(cut))
                    return _hit(text, start + max(0, shift), end, refs, "arabic")
            return None
        if re.search("[а-яё]", span, re.I):
            if not span[0].isupper():
                return None
            latin = cyrillic_to_latin(span)
            keys = [(phonetic(latin), latin)]
            for ending in (*_RU_ENDINGS, "а", "е", "у", "ы", "и", "ю"):
                if span.lower().endswith(ending):
                    stem = cyrillic_to_latin(span[: -len(ending)])
                    keys.append((phonetic(stem), stem))
            # A capital that only starts the sentence ("Утром", "Армия") is a common noun more
            # often than a place: its spelling must agree more closely.
            initial = not text[:start].strip(" \t\"«(-–—•*") and not re.search(r"[\s-]", span)
            close = 0.85 if initial else CYRILLIC_CLOSE
            refs = {id(r): r for k, _ in keys if len(k) >= 2 for r in self.phon.get(k, ())}
            return _cyrillic_hit(text, start, end, list(refs.values()),
                                 [probe for _, probe in keys], close) if refs else None
        if not span[0].isupper():
            return None
        key = normalise(span)
        override = OVERRIDES.get(key) or _PROSE_SPELLINGS.get(key)
        if override and (override in self.latin or override in self.stems):
            return _hit(text, start, end, self.latin.get(override) or self.stems[override],
                        "alias")
        if key in self.latin:
            return _hit(text, start, end, self.latin[key], "name")
        target = ALIASES.get(key) or ALIASES.get(key.replace(" ", ""))
        if target and target in self.latin:
            return _hit(text, start, end, self.latin[target], "alias")
        sk = skeleton(span)
        if len(sk) >= MIN_SKELETON and sk in self.skel:
            return _hit(text, start, end, self.skel[sk], "skeleton")
        if len(sk) >= MIN_SKELETON and key in self.stems:  # "Saraqib" for "Saraqib nahiyah"
            return _hit(text, start, end, self.stems[key], "name")
        return None


def _arabic_cuts(key: str) -> list[str]:
    out = [key]
    for pre in ("و", "ف"):
        if key.startswith(pre):
            out.append(key[1:])
    for k in list(out):
        for pre in ("ب", "ل", "ك"):
            if k.startswith(pre):
                out.append(k[1:])
    for k in list(out):
        if k.startswith("ال"):
            out.append(k[2:])
    return [k for k in out if len(k) >= 3]


def loose(latin: str) -> str:
    """A spelling with its vowels, for telling apart names that share a consonant key."""
    s = normalise(latin).replace(" ", "")
    for a, b in (("kh", "h"), ("q", "k"), ("ou", "u"), ("ah", "a"), ("eh", "e")):
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


# What some gazetteers add after a name ("Daraya mantiqah", "Saraqib nahiyah"): prose says
# "Дарайя", not "Дарайя мантика".
_GENERIC = re.compile(r"(?i)\s+(?:nahiyah|nahiya|mantiqah|mantiqa|district|sub-district|"
                      r"subdistrict|camp)$")


def _stem(name: str) -> str:
    return _GENERIC.sub("", name) or name


def _spelling(name: str) -> str:
    """`loose` without the article: "Ar Raqqah" is spelt "raka", as "Ракка" is."""
    if re.search("[а-яё]", name, re.I):
        name = cyrillic_to_latin(name)
    return loose(" ".join(w for w in normalise(name).split() if w not in _ARTICLES) or name)


# How close a Cyrillic name's spelling must be to a place's: a consonant key of two or three
# letters is shared by many words ("Утром", in the morning, and Al-Thawrah; "Сирии", of
# Syria, and Sur), so the spelling with its vowels must agree too.
CYRILLIC_CLOSE = 0.6


def _cyrillic_hit(text: str, start: int, end: int, refs: list[Ref], probes: list[str],
                  close: float = CYRILLIC_CLOSE) -> PlaceHit | None:
    """The places sharing a Cyrillic name's key (with or without its case ending: `probes`)
    whose spelling is closest to it, compared before their kind (the exact "Sarmin"
    sub-district over the village "Sormaniyah"); none when no spelling is `close`."""
    targets = [_spelling(p) for p in probes]
    # A name with a gazetteer's generic word ("Abu Kamal mantiqah") yields to the place that
    # bears the name alone ("Abu Kamal"), by a little.
    score = {r.name: max(SequenceMatcher(None, _spelling(_stem(r.name)), t).ratio()
                         for t in targets) - (0.01 if _stem(r.name) != r.name else 0.0)
             for r in refs}
    best = max(score.values())
    if best < close:
        return None
    # Names clearly less close drop out; those as close go on to `_hit`, which prefers the
    # most specific kind and leaves names far apart ambiguous.
    return _hit(text, start, end, [r for r in refs if score[r.name] > best - 0.1], "cyrillic")


def _hit(text: str, start: int, end: int, refs: list[Ref], how: str,
         probe: str | None = None) -> PlaceHit:
    best = min(_RANK.get(r.kind, 9) for r in refs)
    tied = [r for r in refs if _RANK.get(r.kind, 9) == best]
    if probe is not None and len({r.name for r in tied}) > 1:
        # Names that share a consonant key ("Raqqah", "Rakaya"): the closest spelling wins
        # when it is clearly closest; otherwise the name stays ambiguous.
        score = {r.name: SequenceMatcher(None, loose(r.name), probe).ratio() for r in tied}
        ranked = sorted(set(score.values()), reverse=True)
        if len(ranked) == 1 or ranked[0] - ranked[1] >= 0.1:
            tied = [r for r in tied if score[r.name] == ranked[0]]
    first = tied[0]
    if len(tied) > 1:
        d = geodesic_m(first.lon, first.lat, np.array([r.lon for r in tied]),
                       np.array([r.lat for r in tied]))
        if float(d.max()) > AMBIGUOUS_M:
            names = "; ".join(sorted({r.name for r in tied})[:4])
            return PlaceHit(start, end, text[start:end], None, f"ambiguous: {names}", 0.0)
    return PlaceHit(start, end, text[start:end], first, how, _CONFIDENCE[how])


def offset_disc(lon: float, lat: float, radius_m: float, near_m: float, lo_m: float | None,
                hi_m: float | None, bearing: float | None,
                sector_deg: float) -> tuple[float, float, float]:
    """(lon, lat, radius) of the disc that holds "lo-hi km <bearing> of" a place of `radius_m`.

    With a bearing, the disc holds the sector [lo, hi] x [bearing +- sector/2]; without one, the
    whole ring (the disc of radius hi). "near" alone adds `near_m` to the place's radius.
    """
    if hi_m is None:
        return lon, lat, radius_m + near_m
    lo = lo_m if lo_m is not None else hi_m
    if bearing is None:
        return lon, lat, radius_m + hi_m
    # A flat local frame is exact enough at tens of kilometres.
    half = math.radians(sector_deg / 2)
    b = math.radians(bearing)
    pts = [(d * math.sin(b + a), d * math.cos(b + a))
           for d in (lo, hi_m) for a in (-half, 0, half)]
    cx = sum(p[0] for p in pts) / len(pts)
    cy = sum(p[1] for p in pts) / len(pts)
    r = max(math.hypot(x - cx, y - cy) for x, y in pts)
    m_per_deg = 111_320.0
    return (lon + cx / (m_per_deg * math.cos(math.radians(lat))), lat + cy / m_per_deg,
            r + radius_m)
