"""How well `jig extract` reads prose, measured: `python -m bench.extract_eval`.

1. Every Syrian line of the CJTF-OIR strike releases (../shared/data/cjtf_oir_strike_releases):
   the prose `line` alone is extracted and compared with the same row's structured `location`
   and `number`. A place is right when the extracted point lies within the place the
   gazetteers give the row's `location` (5 km of a town's point, or within the disc of the
   admin unit it names), or, for the few locations no gazetteer knows, when the extracted
   words name it (same spelling once noise is removed). A count is right when equal.
2. The labelled passages in bench/extract_passages.yaml (English, Russian and Arabic, each with
   its public source): per language and field, precision and recall of place (within 5 km),
   time (the span contains the true day), actor, act and count.

Precision = right / extracted, recall = right / labelled; a passage gives each field at most
one right answer (its best candidate).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from jig.agreement import Agreement, load_agreement
from jig.extract import PlaceIndex, extract
from jig.geo import geodesic_m
from jig.readers import Gazetteer
from jig.readers.gazetteer import normalise, skeleton
from jig.times import parse_time

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
              ROOT.parent / "shared" / "data")
RELEASES = SHARED / "cjtf_oir_strike_releases" / "centcom_oir_strikes_all-edited-refined.csv"
SYRIA_GAZETTEERS = [SHARED / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv",
                    SHARED / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson",
                    SHARED / "admin_boundaries" / "syr_adm2_districts_ocha_2016.geojson",
                    SHARED / "admin_boundaries" / "syr_adm1_governorates_ocha_2016.geojson"]
PASSAGES = ROOT / "bench" / "extract_passages.yaml"
WITHIN_M = 5_000.0
FIELDS = ("place", "time", "actor", "act", "count")


@dataclass
class Score:
    right: int = 0
    extracted: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
                f"({self.right} right of {self.extracted} extracted, {self.labelled} labelled)")


def _near(lon: float | None, lat: float | None, point: tuple[float, float],
          within_m: float = WITHIN_M) -> bool:
    if lon is None or lat is None:
        return False
    return float(geodesic_m(point[0], point[1], np.array([lon]), np.array([lat]))[0]) <= within_m


def _same_name(a: str | None, b: str) -> bool:
    return bool(a) and (normalise(a) == normalise(b) or skeleton(a) == skeleton(b))


def releases(path: Path = RELEASES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["country"].strip() == "Syria"]


def evaluate_releases(rows: Iterable[dict[str, str]], agreement: Agreement,
                      gazetteer: Gazetteer) -> dict[str, Score]:
    index = PlaceIndex(agreement, [gazetteer])
    scores = {"place": Score(), "count": Score()}
    for row in rows:
        day = datetime.strptime(row["date"].strip(), "%m/%d/%Y").date()
        found = extract(row["line"], agreement, index, lang="en", doc_date=day)
        try:
            m = gazetteer.lookup(row["location"]).place
            truth: tuple[float, float] | None = (m.lon, m.lat)
            within = max(WITHIN_M, m.radius_m)
        except ValueError:
            truth, within = None, WITHIN_M
        place_ok = [(c.fields["lon"] is not None and truth is not None
                     and _near(c.fields["lon"], c.fields["lat"], truth, within))
                    or (truth is None and _same_name(c.fields["place"], row["location"]))
                    for c in found]
        _tally(scores["place"], [c.fields["place"] is not None for c in found], place_ok)
        number = int(row["number"])
        _tally(scores["count"], [c.fields["count"] is not None for c in found],
               [c.fields["count"] == number for c in found])
    return scores


def _tally(score: Score, given: list[bool], right: list[bool]) -> None:
    score.labelled += 1
    score.extracted += sum(given)
    score.right += 1 if any(r and g for r, g in zip(right, given, strict=True)) else 0


def evaluate_passages(path: Path = PASSAGES,
                      show: Callable[[str], None] | None = None) -> dict[str, dict[str, Score]]:
    """Per language, per field: the labelled passages' scores."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    setups: dict[str, tuple[Agreement, Gazetteer, PlaceIndex]] = {}
    out: dict[str, dict[str, Score]] = {}
    for p in doc["passages"]:
        setup = p.get("setup", "syria")
        if setup not in setups:
            spec = doc["setups"][setup]
            a = _agreement(spec["agreement"])
            gaz = Gazetteer.from_files([_path(g) for g in spec["gazetteers"]])
            setups[setup] = (a, gaz, PlaceIndex(a, [gaz]))
        a, gaz, index = setups[setup]
        lang = p["lang"]
        scores = out.setdefault(lang, {f: Score() for f in FIELDS})
        found = extract(p["text"], a, index, lang=lang, doc_date=_day(p["date"]))
        truth = p["truth"]
        tpoint = _truth_point(truth, gaz)
        tday = _day(truth["day"]) if truth.get("day") else None
        checks: dict[str, tuple[list[bool], list[bool]]] = {
            "place": ([c.fields["lon"] is not None for c in found],
                      [tpoint is not None and _near(c.fields["lon"], c.fields["lat"], tpoint)
                       for c in found]),
            "time": ([c.fields["time"] is not None for c in found],
                     [tday is not None and _contains(c.fields["time"], tday, a) for c in found]),
            "actor": ([c.fields["actor"] is not None for c in found],
                      [c.fields["actor"] == truth.get("actor") for c in found]),
            "act": ([True for _ in found], [c.fields["act"] == truth.get("act") for c in found]),
            "count": ([c.fields["count"] is not None for c in found],
                      [c.fields["count"] == truth.get("count") for c in found]),
        }
        if show is not None:
            for field in FIELDS:
                given, right = checks[field]
                if truth.get(field) is not None and \
                        not any(g and r for g, r in zip(given, right, strict=True)):
                    show(f"{p['id']} {field}: want {truth.get(field)}, got "
                         f"{[c.fields.get(field) for c in found]}"
                         f"{[c.fields.get('place_ref') for c in found] if field == 'place' else ''}")
        for field in FIELDS:
            given, right = checks[field]
            labelled = {"place": tpoint is not None, "time": tday is not None,
                        "actor": truth.get("actor") is not None,
                        "act": truth.get("act") is not None,
                        "count": truth.get("count") is not None}[field]
            s = scores[field]
            s.extracted += sum(given)
            if labelled:
                s.labelled += 1
                s.right += 1 if any(g and r for g, r in zip(given, right, strict=True)) else 0
    return out


def _path(ref: str) -> Path:
    return SHARED / ref[len("shared:"):] if ref.startswith("shared:") else ROOT / ref


def _agreement(ref: str) -> Agreement:
    if ref.startswith("library:"):
        from jig.library import entry

        return load_agreement(entry(ref[len("library:"):]).agreement_path)
    return load_agreement(_path(ref))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _truth_point(truth: dict[str, Any], gaz: Gazetteer) -> tuple[float, float] | None:
    """The labelled place: a town's point when a point list has it (an admin unit's
    representative point can lie far from the town it is named for), else the admin unit's."""
    if truth.get("lon") is not None:
        return float(truth["lon"]), float(truth["lat"])
    if not truth.get("place"):
        return None
    points = Gazetteer([p for p in gaz.places if p.kind == "point"])
    for g in (points, gaz):
        try:
            m = g.lookup(truth["place"]).place
            return m.lon, m.lat
        except ValueError:
            continue
    # A label no gazetteer can place is a mistake in the set, not a miss of the extractor.
    raise ValueError(f"label place {truth['place']!r} is not in the setup's gazetteers")


def _contains(time_text: str, day: date, a: Agreement) -> bool:
    span = parse_time(time_text, a.tz)
    lo = parse_time(day.isoformat(), a.tz)
    # The span holds the true day when it overlaps it and is at most two days long.
    return span.start < lo.end and lo.start < span.end and \
        span.end - span.start <= timedelta(days=2).total_seconds()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--releases", type=Path, default=RELEASES)
    ap.add_argument("--passages", type=Path, default=PASSAGES)
    ap.add_argument("--misses", action="store_true", help="Print each passage field missed.")
    args = ap.parse_args(argv)
    a = load_agreement(ROOT / "examples" / "syria-2016-jig" / "agreement.yaml")
    gaz = Gazetteer.from_files(SYRIA_GAZETTEERS)
    rows = releases(args.releases)
    print(f"CJTF-OIR releases, {len(rows)} Syrian lines ({args.releases.name}):")
    for field, s in evaluate_releases(rows, a, gaz).items():
        print(f"  {field:6} {s}")
    if args.passages.exists():
        print(f"Labelled passages ({args.passages.name}):")
        misses: list[str] = []
        results = evaluate_passages(args.passages, misses.append if args.misses else None)
        for line in misses:
            print("  miss", line)
        for lang, scores in results.items():
            for field, s in scores.items():
                print(f"  {lang} {field:6} {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
