"""Place names to places, for records that give only a name ("near Raqqa, 4 strikes").

A gazetteer is built from point lists (a CSV with name, latitude, longitude and optionally
region, such as the Syrian Archive's) and from named polygons (GeoJSON admin units such as
OCHA's, or city neighbourhoods). A name is matched in three tiers, most certain first:

1. the same name once spelling noise is removed (case, accents, apostrophes, hyphens, a
   leading Arabic article: "Ar-Raqqa" = "Raqqa"), after a few known misreadings
   (`OVERRIDES`);
2. a known English exonym (`ALIASES`: "Kobani" is "Ain al Arab");
3. the same consonant skeleton ("Manbij" = "Menbij", "Deir-ez-Zor" = "Dayr Az Zawr"), of at
   least four consonants.

A record that gives its region (governorate) is only matched to places in that region.

The most specific match wins (a point before a subdistrict before a district before a
governorate). The location is the point, or the polygon's representative point, and the
precision radius covers what was matched: a point is read as a town (5 km), a polygon as the
smallest disc around that point that holds it. A name that matches nothing, or places far
apart, is reported, never guessed.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from jig.errors import InputFileError, Location, Problem
from jig.geo import geodesic_m
from jig.readers.tables import GAZETTEER_POINT_M

# English exonyms and press spellings for places the admin layers name otherwise.
ALIASES = {
    "kobani": "ain al arab", "kobane": "ain al arab", "ayn al arab": "ain al arab",
    "palmyra": "tadmor", "tadmur": "tadmor", "bukamal": "abu kamal", "albukamal": "abu kamal",
    "shadaddi": "shadadah", "shaddadi": "shadadah", "shaddadah": "shadadah",
    "jisr al shughur": "jisr ash shugur", "maarat al numan": "ma arrat an nu man",
    "hawl": "hole", "ayn isa": "ein issa", "ain issa": "ein issa",
}
# Spellings that the same-name tier would read wrongly: tried first. The CJTF-OIR releases'
# "Mar'a" is Mare' in northern Aleppo, not al-Ma'ra in Idlib; a record that gives Idlib as its
# region still reaches al-Ma'ra (a region outranks these).
OVERRIDES = {"mara": "mare"}
_ARTICLE = re.compile(r"^(al|el|ar|as|ash|at|ad|az|an|ath|adh)[\s-]+")
_SPECIFICITY = {"point": 0, "neighbourhood": 1, "adm3": 2, "adm2": 3, "adm1": 4, "adm0": 5}
AMBIGUOUS_M = 15_000.0  # candidates farther apart than this make a name ambiguous
MIN_SKELETON = 4  # shorter consonant skeletons ("sbh") match too many unrelated names


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[’'`ʿʾ]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return _ARTICLE.sub("", text)


def skeleton(name: str) -> str:
    """Consonants only, doubled letters collapsed, articles dropped: transliterations agree
    on these ("Ma'arrat al-Numan" = "Ma'arrat An Nu'man")."""
    words = [w for w in normalise(name).split() if not _ARTICLE.match(w + " ")]
    s = re.sub(r"[aeiouyw]", "", "".join(words))
    return re.sub(r"(.)\1+", r"\1", s)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str  # point, neighbourhood, adm3, adm2, adm1, adm0
    lon: float
    lat: float
    radius_m: float
    region: str | None
    source: str
    # Names in other scripts (the Arabic one the Syrian Archive and OCHA give): `jig extract`
    # finds places in Arabic prose by these; `lookup` keeps to the Latin `name`.
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    place: Place
    how: str  # "name", "alias" or "skeleton"


class Gazetteer:
    def __init__(self, places: list[Place]):
        self.places = places
        self._by_name: dict[str, list[Place]] = {}
        self._by_skeleton: dict[str, list[Place]] = {}
        for p in places:
            self._by_name.setdefault(normalise(p.name), []).append(p)
            sk = skeleton(p.name)
            if len(sk) >= MIN_SKELETON:
                self._by_skeleton.setdefault(sk, []).append(p)

    def __len__(self) -> int:
        return len(self.places)

    @classmethod
    def from_files(cls, paths: list[str | Path]) -> Gazetteer:
        """Points from CSV files, polygons from GeoJSON files (OCHA admin layers or any with
        `NAME_EN` or `name`)."""
        places: list[Place] = []
        for path in map(Path, paths):
            if not path.exists():
                raise InputFileError(Problem("file.missing", "no such gazetteer file",
                                             Location(file=str(path))))
            if path.suffix.lower() in (".geojson", ".json"):
                places.extend(_polygons(path))
            else:
                places.extend(_points(path))
        return cls(places)

    def lookup(self, name: str, region: str | None = None) -> Match:
        """The place `name` denotes; ValueError saying why when none or several fit."""
        key = normalise(name)
        if not key:
            if name.strip():
                # Arabic or Cyrillic: names are matched here by their Latin spelling.
                raise ValueError(f"the place name {name.strip()!r} has no Latin letters: the "
                                 "gazetteer is searched by Latin names; give lon and lat, or "
                                 "the name in Latin letters")
            raise ValueError("the place name is empty")
        def aliased(table: dict[str, str]) -> list[Place]:
            target = table.get(key) or table.get(key.replace(" ", ""))
            return self._by_name.get(target, []) if target else []

        tiers = [("alias", aliased(OVERRIDES)), ("name", self._by_name.get(key, [])),
                 ("alias", aliased(ALIASES)),
                 ("skeleton", self._by_skeleton.get(skeleton(name), []))]
        for how, found in tiers:
            if region:
                # A record that says where it is must not be placed in another governorate.
                found = [p for p in found if _same_region(p, region)]
            if not found:
                continue
            best = min(_SPECIFICITY[p.kind] for p in found)
            found = [p for p in found if _SPECIFICITY[p.kind] == best]
            first = found[0]
            if len(found) > 1:
                d = geodesic_m(first.lon, first.lat, np.array([p.lon for p in found]),
                               np.array([p.lat for p in found]))
                if float(d.max()) > AMBIGUOUS_M:
                    names = "; ".join(f"{p.name} ({p.region or p.kind})" for p in found[:4])
                    raise ValueError(f"place {name!r} is ambiguous: it matches {names}; give "
                                     "coordinates or a region")
            return Match(first, how)
        where = f" in {region}" if region else ""
        raise ValueError(f"place {name!r}{where} is not in the gazetteer ({len(self)} places)")


def _same_region(place: Place, region: str) -> bool:
    if not place.region:
        return False
    a, b = skeleton(place.region), skeleton(region)
    return a == b or a in b or b in a


def _not_a_gazetteer(path: Path, what: str) -> InputFileError:
    """A gazetteer that places nothing: said at once, not as every place-only row rejected
    with "is not in the gazetteer (0 places)"."""
    return InputFileError(Problem("gazetteer.unusable", f"is not a gazetteer: {what}",
                                  Location(file=str(path))))


def _points(path: Path) -> list[Place]:
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = {k.strip().lower() for k in reader.fieldnames or () if k}
        missing = [c for c in ("name", "latitude", "longitude") if c not in header
                   and not (c == "name" and "name_en" in header)]
        if missing:
            raise _not_a_gazetteer(path, "a gazetteer's columns are name (or name_en), "
                                   f"latitude and longitude; missing: {', '.join(missing)} (it "
                                   f"has: {', '.join(sorted(header))[:200] or 'nothing'})")
        for row in reader:
            keys = {k.lower(): v for k, v in row.items() if k}
            try:
                lat, lon = float(keys["latitude"]), float(keys["longitude"])
            except (KeyError, TypeError, ValueError):
                continue  # a gazetteer row without coordinates names nothing we can place
            name = keys.get("name") or keys.get("name_en") or ""
            if name.strip():
                arabic = (keys.get("arabic_name") or keys.get("name_ar") or "").strip()
                out.append(Place(name.strip(), "point", lon, lat, GAZETTEER_POINT_M,
                                 keys.get("region") or None, path.name,
                                 (arabic,) if arabic else ()))
    if not out:
        raise _not_a_gazetteer(path, "no row has a name and a latitude and longitude")
    return out


def _kind(path: Path, props: dict[str, object]) -> str:
    stem = path.stem.lower()
    for level in ("adm3", "adm2", "adm1", "adm0"):
        if level in stem or f"admin{level[-1]}" in stem:
            return level
    if "neighbourhood" in stem or "AREA_EN" in props:
        return "neighbourhood"
    return "adm3"


def _polygons(path: Path) -> list[Place]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputFileError(Problem("file.syntax", f"not valid JSON: {exc.msg}",
                                     Location(file=str(path), line=exc.lineno))) from exc
    out = []
    for feat in doc.get("features", []):
        props = feat.get("properties") or {}
        name = str(props.get("NAME_EN") or props.get("name") or "").strip()
        if not name or not feat.get("geometry"):
            continue
        geom = shape(feat["geometry"])
        centre = geom.representative_point()
        # Metres from the centre to the farthest vertex: the disc that holds the unit.
        coords = shapely.get_coordinates(geom)
        radius = float(geodesic_m(centre.x, centre.y, coords[:, 0], coords[:, 1]).max())
        region = props.get("ADM1_EN") or props.get("region")
        arabic = str(props.get("NAME_AR") or "").strip()
        out.append(Place(name, _kind(path, props), centre.x, centre.y, radius,
                         str(region) if region else None, path.name,
                         (arabic,) if arabic else ()))
    if not out:
        raise _not_a_gazetteer(path, "no feature has a geometry and a NAME_EN or name "
                               "property")
    return out
