"""Places named in prose: the agreement's own zones, sites and targets, and gazetteer places by
their Latin, Arabic or Cyrillic spelling; "3-5 km south-west of X" and "near X" as discs.

Latin names match as the gazetteer matches them (same name once spelling noise is gone, a known
exonym, or the same consonant skeleton). Arabic names match the gazetteers' Arabic names once
diacritics, alef forms and glued prefixes ("وبالرقة") are set aside. Cyrillic names are
transliterated and matched on a looser consonant key that also absorbs Russian case endings
("в Ракке" = Raqqa). A name that is ambiguous is left unplaced, with its text, never guessed.
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
             "ul", "adh", "ath"}
_RU_ENDINGS = ("ом", "ем", "ой", "ей", "ах", "ях", "ами")
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
                sk = skeleton(latin)
                if len(sk) >= MIN_SKELETON:
                    self.skel.setdefault(sk, []).append(ref)
                ph = phonetic(latin)
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
            keys = [phonetic(latin)]
            for ending in _RU_ENDINGS:
                if span.lower().endswith(ending):
                    keys.append(phonetic(cyrillic_to_latin(span[: -len(ending)])))
            for k in keys:
                if len(k) >= 2 and k in self.phon:
                    return _hit(text, start, end, self.phon[k], "cyrillic", loose(latin))
            return None
        if not span[0].isupper():
            return None
        key = normalise(span)
        override = OVERRIDES.get(key)
        if override and override in self.latin:
            return _hit(text, start, end, self.latin[override], "alias")
        if key in self.latin:
            return _hit(text, start, end, self.latin[key], "name")
        target = ALIASES.get(key) or ALIASES.get(key.replace(" ", ""))
        if target and target in self.latin:
            return _hit(text, start, end, self.latin[target], "alias")
        sk = skeleton(span)
        if len(sk) >= MIN_SKELETON and sk in self.skel:
            return _hit(text, start, end, self.skel[sk], "skeleton")
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
