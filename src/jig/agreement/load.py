"""Reading an agreement: YAML + GeoJSON -> validated file model -> the engine's `Agreement`.

All problems found are collected and raised together as one `AgreementError`, each naming the
file and line (YAML) or feature (GeoJSON) and what would be right.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing
from pathlib import Path as FsPath
from typing import Any

import shapely
from pydantic import BaseModel, ValidationError
from shapely.geometry.base import BaseGeometry

from jig.agreement import fileformat as ff
from jig.agreement.features import read_features
from jig.agreement.model import (
    Actor,
    Agreement,
    Clause,
    EvidenceRequirement,
    ExceptionRule,
    Feature,
    NoticeRequirement,
    Party,
    Selector,
)
from jig.agreement.yamlsource import (
    Path,
    YamlLimits,
    YamlProblem,
    dotted,
    line_of,
    load_with_lines,
)
from jig.air.model import FEET, Separation
from jig.errors import AgreementError, Location, Problem, did_you_mean
from jig.geo import LocalProjection
from jig.times import Window, deadline_of, parse_bound, zone_info

COLLECTIONS = ("zones", "sites", "targets")
AREA_MARGIN_M = 10_000.0  # borders are drawn roughly; events just across them are kept


def load_agreement(path: str | FsPath) -> Agreement:
    """Read an agreement file (and the GeoJSON files it names next to it)."""
    path = FsPath(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgreementError(Problem("file.unreadable", f"cannot read the agreement: "
                                     f"{exc.strerror or exc}", Location(file=str(path)))) from exc
    except UnicodeDecodeError as exc:
        raise AgreementError(Problem("file.encoding", "is not UTF-8 text",
                                     Location(file=str(path)))) from exc
    return parse_agreement(text, name=str(path), base_dir=path.parent)


def agreement_document(text: str, base_dir: FsPath | None = None,
                       yaml_limits: YamlLimits | None = None) -> str:
    """The agreement as one JSON document, GeoJSON files inlined: what a store keeps as a
    version. Call it on text that `parse_agreement` accepted; it parses back to the same
    agreement (same content hash)."""
    data, _ = _json_fast(text)
    if data is None:
        data, _ = load_with_lines(text, yaml_limits)
    for coll in (*COLLECTIONS, "area"):
        if isinstance(data.get(coll), str):
            data[coll] = json.loads(((base_dir or FsPath(".")) / data[coll]).read_text("utf-8"))
    return json.dumps(data, ensure_ascii=False, default=str)


def parse_agreement(text: str, name: str = "agreement.yaml",
                    base_dir: FsPath | None = None,
                    yaml_limits: YamlLimits | None = None, stored: bool = False) -> Agreement:
    """Parse agreement YAML text; GeoJSON file references are resolved against `base_dir`.
    `yaml_limits` bounds what the YAML may make the parser build (aliases, nesting).
    `stored`: a document a store holds (or a worker is sent), taken before; checks added
    since (a feature outside the area) apply to new ones only, so a stored version still
    loads."""
    data, lines = _json_fast(text)
    if data is None:
        try:
            data, lines = load_with_lines(text, yaml_limits)
        except YamlProblem as exc:
            hint = "check indentation and quoting on that line" if exc.code == "yaml.syntax" \
                else None
            raise AgreementError(Problem(exc.code, str(exc), Location(file=name, line=exc.line),
                                         hint)) from exc
    if not isinstance(data, dict):
        raise AgreementError(Problem("agreement.not_mapping",
                                     "the agreement must be a YAML mapping (jig: 1, id: ..., ...)",
                                     Location(file=name, line=1)))

    def at(path: Path) -> Location:
        nonlocal lines
        if lines is None:
            # Read fast as JSON: the lines are only needed to place a problem.
            try:
                lines = load_with_lines(text, yaml_limits)[1]
            except YamlProblem:  # JSON nested too deep for YAML's limits: no lines, then
                lines = {}
        return Location(file=name, line=line_of(lines, path), path=dotted(path) or None)

    try:
        doc = ff.AgreementFile.model_validate(data)
    except ValidationError as exc:
        raise AgreementError([_pydantic_problem(err, at) for err in exc.errors()]) from exc

    problems: list[Problem] = []
    raw_features: dict[str, list[tuple[ff.FeatureProperties, Any]]] = {}
    resolved: dict[str, Any] = {}
    for coll in (*COLLECTIONS, "area"):
        raw_features[coll], resolved[coll] = _collection(coll, getattr(doc, coll), base_dir,
                                                         at, name, problems)
    try:
        tz = zone_info(doc.timezone)
    except ValueError as exc:
        problems.append(Problem("agreement.timezone", str(exc), at(("timezone",))))
        tz = zone_info("UTC")
    files = {coll: str((base_dir or FsPath(".")) / src) if isinstance(src, str) else name
             for coll in COLLECTIONS if (src := getattr(doc, coll)) is not None}
    agreement = _build(doc, raw_features, tz, at, problems, files, new=not stored)
    if problems:
        raise AgreementError(problems)
    canonical = doc.model_dump(mode="json", by_alias=True, exclude_none=True) | resolved
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()
    object.__setattr__(agreement, "content_hash", digest)
    object.__setattr__(agreement, "sources", tuple(
        str((base_dir or FsPath(".")) / src) for coll in (*COLLECTIONS, "area")
        if isinstance(src := getattr(doc, coll), str)))
    return agreement


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


def _json_fast(text: str) -> tuple[Any, dict[Path, int] | None]:
    """An agreement written as JSON (valid YAML too), read by the JSON parser: with thousands
    of coordinates inline, ten times faster than YAML's. (None, None) when the text is not
    plain JSON, or repeats a key: the YAML reader then reads it and names what is wrong."""
    if not text.lstrip().startswith("{"):
        return None, None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates), None
    except (ValueError, RecursionError):
        return None, None


def _pydantic_problem(err: Any, at: Any) -> Problem:
    loc: Path = tuple(err["loc"])
    kind = err["type"]
    where = at(loc)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"allowed here: {', '.join(allowed)}" if allowed else "remove it"
        return Problem("agreement.unknown_key", f"unknown key {loc[-1]!r} in format 1", where, hint)
    if kind == "missing":
        return Problem("agreement.missing", f"`{loc[-1]}` is required here", at(loc[:-1]),
                       f"add `{loc[-1]}:`")
    if kind == "literal_error" and loc == ("jig",):
        return Problem("agreement.version", f"unsupported format version {err['input']!r}",
                       where, "this jig reads `jig: 1`")
    return Problem("agreement.invalid", f"{err['msg']} (got {err['input']!r})", where,
                   _nearest_choice(err) or _as_list(err))


def _nearest_choice(err: Any) -> str | None:
    """'did you mean' for a word a slip away from one the format allows."""
    if err["type"] not in ("literal_error", "enum") or not isinstance(err["input"], str):
        return None
    return did_you_mean(err["input"], re.findall(r"'([^']*)'",
                                                 str(err.get("ctx", {}).get("expected", ""))))


def _as_list(err: Any) -> str | None:
    """A single word where a list is asked for: how to write it as one."""
    if err["type"] != "list_type" or not isinstance(err["input"], str | int | float):
        return None
    return f"write it as a list: [{err['input']}]"


def _allowed_keys(path: Path) -> list[str]:
    """The keys a format-1 model accepts at `path`, for 'did you mean' hints."""
    model: Any = ff.AgreementFile
    for part in path:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return []
        model = _model_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _collection(coll: str, source: Any, base_dir: FsPath | None, at: Any, name: str,
                problems: list[Problem]) -> tuple[list[tuple[ff.FeatureProperties, Any]], Any]:
    if source is None:
        return [], []
    if isinstance(source, str):
        fpath = (base_dir or FsPath(".")) / source
        try:
            raw = json.loads(fpath.read_text(encoding="utf-8"))
        except OSError as exc:
            problems.append(Problem("geojson.unreadable",
                                    f"cannot read {coll} file {source!r}: {exc.strerror or exc}",
                                    at((coll,)), "give a path relative to the agreement file"))
            return [], None
        except json.JSONDecodeError as exc:
            problems.append(Problem("geojson.syntax", f"not valid JSON: {exc.msg}",
                                    Location(file=str(fpath), line=exc.lineno)))
            return [], None

        def where(i: int, fid: str | None) -> Location:
            return Location(file=str(fpath), feature=fid if fid is not None else f"#{i}")
    else:
        raw = source
        # Inline features: a list, or a FeatureCollection whose `features` holds them.
        inside = (coll, "features") if isinstance(source, dict) else (coll,)

        def where(i: int, fid: str | None) -> Location:
            loc = at((*inside, i)) if i >= 0 else at((coll,))
            return Location(file=name, line=loc.line,
                            feature=fid if fid is not None else (f"#{i}" if i >= 0 else None))
    return read_features(coll, raw, where, problems), raw


def _selector(sel: ff.ZoneSelector | None) -> Selector | None:
    if sel is None:
        return None
    return Selector(frozenset(sel.kind) if sel.kind is not None else None,
                    frozenset(sel.id) if sel.id is not None else None)


def _window(props: ff.FeatureProperties, in_force: Window, tz: Any, loc: Location,
            problems: list[Problem], in_force_ok: bool = True) -> Window:
    start, end = in_force.start, in_force.end
    for key, value in (("valid_from", props.valid_from), ("valid_until", props.valid_until)):
        if value is None:
            continue
        try:
            bound = parse_bound(value, tz)
        except ValueError as exc:
            problems.append(Problem("geojson.validity", f"{key}: {exc}", loc))
            return in_force
        start, end = (bound, end) if key == "valid_from" else (start, bound)
    own = props.valid_from is not None and props.valid_until is not None
    # A bound taken from an `in_force` already reported as wrong would only echo that error.
    if end <= start and (in_force_ok or own):
        problems.append(Problem("geojson.validity", "valid_until is not after valid_from", loc))
    return Window(start, end)


def _build(doc: ff.AgreementFile, raw_features: dict[str, list[Any]], tz: Any, at: Any,
           problems: list[Problem], files: dict[str, str], new: bool = True) -> Agreement:
    start, end, in_force_ok = 0.0, None, True
    for key, value in (("from", doc.in_force.from_), ("until", doc.in_force.until)):
        if value is None:
            continue
        try:
            bound = parse_bound(value, tz)
        except ValueError as exc:
            problems.append(Problem("agreement.in_force", str(exc), at(("in_force", key))))
            start, end, in_force_ok = 0.0, None, False
            break
        start, end = (bound, end) if key == "from" else (start, bound)
    in_force = Window(start, end if end is not None else float("inf"))
    if in_force.end <= in_force.start:
        in_force_ok = False
        problems.append(Problem("agreement.in_force", "in_force.until is not after in_force.from",
                                at(("in_force", "until")), "until is exclusive: the day after the last day"))

    actors = {aid: Actor(aid, a.name, tuple(a.match)) for aid, a in doc.actors.items()}
    parties = {pid: Party(pid, p.name, frozenset(p.answers_for)) for pid, p in doc.parties.items()}

    def need_actor(aid: str, path: Path) -> None:
        if aid not in actors:
            problems.append(Problem("agreement.unknown_actor", f"unknown actor {aid!r}", at(path),
                                    did_you_mean(aid, actors)
                                    or f"declared actors: {', '.join(actors)}"))

    for pid, p in doc.parties.items():
        for j, aid in enumerate(p.answers_for):
            need_actor(aid, ("parties", pid, "answers_for", j))

    all_geoms = [g for coll in (*COLLECTIONS, "area") for _, g in raw_features[coll]]
    projection = LocalProjection.around(all_geoms)
    area = area_region = None
    if raw_features["area"]:
        area = shapely.union_all([g for _, g in raw_features["area"]])
        area_region = projection.project(area).buffer(AREA_MARGIN_M)
        shapely.prepare(area_region)
    features: dict[str, list[Feature]] = {c: [] for c in COLLECTIONS}
    for coll in COLLECTIONS:
        for props, geom in raw_features[coll]:
            loc = Location(file=files.get(coll), feature=props.id, path=coll)
            if props.agreed_by:
                for pid in props.agreed_by:
                    if pid not in parties:
                        problems.append(Problem("geojson.unknown_party",
                                                f"agreed_by names unknown party {pid!r}", loc,
                                                f"parties: {', '.join(parties)}"))
            if props.group is not None and props.group not in actors:
                problems.append(Problem("geojson.unknown_actor",
                                        f"group names unknown actor {props.group!r}", loc))
            core = region = projection.project(geom)
            if props.radius_m > 0:
                # Kept for areas and indexes; containment and distances use the core and the
                # radius exactly (ruling 6: radii are true circles).
                region = core.buffer(props.radius_m, quad_segs=32)
            if new and area_region is not None and not region.intersects(area_region):
                problems.append(_outside_area(coll, props.id, geom, region, area_region,
                                              projection, loc))
            extra = props.model_extra or {}
            features[coll].append(Feature(
                id=props.id, collection=coll, geometry=geom, region=region,
                window=_window(props, in_force, tz, loc, problems, in_force_ok), name=props.name,
                kind=props.kind, radius_m=props.radius_m, group=props.group,
                agreed_by=frozenset(props.agreed_by or ()),
                properties=props.model_dump(exclude_none=True) | dict(extra), core=core))

    zones = tuple(features["zones"])
    exc_ids = {e.id for e in doc.exceptions}

    def check_selector(sel: ff.ZoneSelector | None, path: Path) -> Selector | None:
        s = _selector(sel)
        if s is None or not raw_features["zones"]:
            return s
        # A zone id, like an actor or an exception, must name one (a slip in a list of ids
        # would leave the clause covering less than it says, without a word).
        ids = [z.id for z in zones]
        unknown = sorted((s.ids or set()) - set(ids))
        if unknown:
            problems.append(Problem(
                "agreement.unknown_zone",
                f"zone selector names {', '.join(map(repr, unknown))}, which no zone is",
                at(path), did_you_mean(unknown[0], ids) or "zone ids: " + ", ".join(ids[:20])
                + (f", … ({len(ids)} in all)" if len(ids) > 20 else "")))
        elif not any(s.selects(z) for z in zones):
            problems.append(Problem("agreement.empty_selector",
                                    f"zone selector ({s.describe()}) selects no zone", at(path),
                                    "zone kinds present: " + ", ".join(
                                        sorted({z.kind or '-' for z in zones}))))
        return s

    clauses: list[Clause] = []
    seen: set[str] = set()
    for i, c in enumerate(doc.clauses):
        if c.id in seen:
            problems.append(Problem("agreement.duplicate_id", f"clause id {c.id!r} used twice",
                                    at(("clauses", i, "id"))))
        seen.add(c.id)
        for j, aid in enumerate(c.bound):
            need_actor(aid, ("clauses", i, "bound", j))
        for j, aid in enumerate(c.against or ()):
            need_actor(aid, ("clauses", i, "against", j))
        if c.against is not None and c.rule in ("no_flights_in", "must_by"):
            problems.append(Problem("agreement.invalid", f"`against` is for rules on acts, not "
                                    f"{c.rule}", at(("clauses", i, "against"))))
        for j, eid in enumerate(c.exceptions):
            if eid not in exc_ids:
                problems.append(Problem("agreement.unknown_exception",
                                        f"unknown exception {eid!r}",
                                        at(("clauses", i, "exceptions", j)),
                                        did_you_mean(eid, exc_ids) or "declared exceptions: "
                                        f"{', '.join(sorted(exc_ids)) or 'none'}"))
        if c.rule in ("no_strikes_in", "no_weapons_in", "no_flights_in") and c.zones is None:
            problems.append(Problem("agreement.missing", f"rule {c.rule} needs `zones:`",
                                    at(("clauses", i)), "for example zones: {kind: designated}"))
        deadline = None
        if c.rule == "must_by":
            deadline = _deadline(c, in_force, tz, at(("clauses", i)), problems)
        elif c.by is not None or c.within_days is not None or c.obligation is not None:
            problems.append(Problem("agreement.invalid", "`by`, `within_days` and `obligation` "
                                    f"belong to rule must_by, not {c.rule}", at(("clauses", i))))
        if c.rule == "no_weapons_in" and not c.weapons:
            problems.append(Problem("agreement.missing", "rule no_weapons_in needs `weapons:`",
                                    at(("clauses", i)), "for example weapons: [tank, mlrs]"))
        clauses.append(Clause(
            id=c.id, rule=c.rule, bound=frozenset(c.bound), acts=frozenset(c.acts), quote=c.quote,
            selector=check_selector(c.zones, ("clauses", i, "zones")),
            weapons=frozenset(c.weapons) if c.weapons else None, exceptions=tuple(c.exceptions),
            against=frozenset(c.against) if c.against is not None else None,
            near_m=(c.near_km or 5.0) * 1000.0, obligation=c.obligation, deadline=deadline,
            summary=c.summary))

    exceptions: dict[str, ExceptionRule] = {}
    for i, e in enumerate(doc.exceptions):
        if e.id in exceptions:
            problems.append(Problem("agreement.duplicate_id", f"exception id {e.id!r} used twice",
                                    at(("exceptions", i, "id"))))
        for key, ids in (("for", e.for_), ("against", e.against)):
            for j, aid in enumerate(ids):
                need_actor(aid, ("exceptions", i, key, j))
        notice = evidence = None
        if e.requires.notice is not None:
            notice = NoticeRequirement(e.requires.notice.within_h * 3600.0)
        ev = e.requires.evidence
        if ev is not None:
            base: Path = ("exceptions", i, "requires", "evidence")
            need_actor(ev.actor, (*base, "actor"))
            for j, aid in enumerate(ev.target or ()):
                need_actor(aid, (*base, "target", j))
            if ev.inside is not None and ev.outside is not None:
                problems.append(Problem("agreement.invalid", "give `inside` or `outside`, not both",
                                        at(base)))
            evidence = EvidenceRequirement(
                actor=ev.actor, targets=frozenset(ev.target) if ev.target else None,
                inside=check_selector(ev.inside, (*base, "inside")),
                outside=check_selector(ev.outside, (*base, "outside")),
                within_m=ev.within_km * 1000.0, before_s=ev.before_h * 3600.0)
        exceptions[e.id] = ExceptionRule(e.id, frozenset(e.for_), frozenset(e.against), e.quote,
                                         notice, evidence, e.summary)

    overrides = doc.precision.model_dump(exclude_none=True) if doc.precision else {}
    if doc.mappings:
        overrides |= doc.mappings.model_dump(exclude_none=True)
    return Agreement(
        id=doc.id, title=doc.title, in_force=in_force, timezone_name=doc.timezone, tz=tz,
        parties=parties, actors=actors, zones=zones, sites=tuple(features["sites"]),
        targets=tuple(features["targets"]), clauses=tuple(clauses), exceptions=exceptions,
        projection=projection, precision=overrides, area=area, area_region=area_region,
        area_names=tuple(p.name or p.id for p, _ in raw_features["area"]),
        separation=_separation(doc.air))


def _outside_area(coll: str, fid: str, geom: BaseGeometry, region: BaseGeometry,
                  area_region: BaseGeometry, projection: LocalProjection,
                  where: Location) -> Problem:
    """A zone, site or target wholly outside the agreement's `area` (and its 10 km margin)
    can never be judged: an incident there is set aside as outside the area. Most often its
    coordinates were written latitude first."""
    km = region.distance(area_region) / 1000.0
    swapped = projection.project(shapely.transform(geom, lambda xy: xy[:, ::-1]))
    hint = ("its coordinates look swapped: with longitude and latitude exchanged it lies in "
            "the area (GeoJSON puts longitude first)" if swapped.intersects(area_region)
            else "move it into the area, or widen the area")
    what = {"zones": "zone", "sites": "site", "targets": "target"}.get(coll, coll)
    return Problem("geojson.outside_area",
                   f"{what} {fid!r} lies wholly outside the agreement's area ({km:,.0f} km "
                   "beyond its 10 km margin): no incident there could be judged", where, hint)


def _deadline(c: ff.Clause, in_force: Window, tz: Any, where: Location,
              problems: list[Problem]) -> float | None:
    """A must_by clause's deadline: `by` (a date: by the end of that day) or `within_days` of
    the agreement's entry into force; exactly one of them."""
    if (c.by is None) == (c.within_days is None):
        problems.append(Problem("agreement.missing", "rule must_by needs a deadline: `by` or "
                                "`within_days`, one of them", where,
                                "for example by: 2018-10-10, or within_days: 14"))
        return None
    if c.within_days is not None:
        return in_force.start + c.within_days * 86400.0
    try:
        return deadline_of(c.by, tz)
    except ValueError as exc:
        problems.append(Problem("agreement.invalid", f"`by`: {exc}", where))
        return None


def _separation(air: ff.Air | None) -> Separation:
    if air is None:
        return Separation()
    return Separation(air.horizontal_km * 1000.0, air.vertical_ft * FEET, air.time_min * 60.0)
