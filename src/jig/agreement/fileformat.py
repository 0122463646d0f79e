"""The agreement file, format 1, as validated models: exactly what `agreement-format.md` fixes.

These models check shape and types and give the JSON Schema (`jig schema`). Facts that span the
file (an actor named in a clause exists, a selector selects something) are checked afterwards
by `jig.agreement.load`, which also turns these into the engine's domain objects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

ACTS = ("air_strike", "shelling", "ground_attack", "explosion", "other", "any")
RULES = ("no_strikes_in", "only_agreed_targets", "no_strikes_near_sites", "no_weapons_in",
         "no_flights_in", "must_by")

Act = Literal["air_strike", "shelling", "ground_attack", "explosion", "other", "any"]
Rule = Literal["no_strikes_in", "only_agreed_targets", "no_strikes_near_sites", "no_weapons_in",
               "no_flights_in", "must_by"]
Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")]


def _number_as_text(value: Any) -> Any:
    """YAML reads an unquoted `20160731` as a number, which pydantic would take as seconds
    since 1970: kept as the text it was, it is the ISO 8601 basic date it looks like (ruling
    7), and any other number is refused as the text it was, naming where."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Bound = Annotated[date | datetime | str, BeforeValidator(_number_as_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class InForce(_Strict):
    from_: Bound = Field(alias="from", description="first day (start of it, in `timezone`)")
    until: Bound | None = Field(None, description="exclusive: the start of this day ends it")


class Party(_Strict):
    name: str
    answers_for: list[Ident] = Field(description="actor ids this party answers for")


class Actor(_Strict):
    name: str
    match: list[str] = Field(default_factory=list,
                             description="shell-style patterns, case-sensitive, whole name")


def _one_or_many(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


class ZoneSelector(_Strict):
    """Selects zones whose properties match everything given."""

    kind: list[str] | None = None
    id: list[str] | None = None

    _norm = field_validator("kind", "id", mode="before")(_one_or_many)


SUMMARY = ("jig extension: the terms in the encoder's words, where no text of the agreement is "
           "at hand to quote (an unpublished text, a researcher's summary); shown as a summary, "
           "never as the agreement's words, and never judged")


class Clause(_Strict):
    id: Ident
    quote: str | None = None
    summary: str | None = Field(None, description=SUMMARY)
    rule: Rule
    bound: list[Ident] = Field(min_length=1)
    acts: list[Act] = Field(default_factory=lambda: ["any"])
    zones: ZoneSelector | None = None
    weapons: list[str] | None = None
    exceptions: list[Ident] = Field(default_factory=list)
    against: list[Ident] | None = Field(
        None, min_length=1, description="jig extension: the clause covers only acts against "
        "these actors (\"no attacks on the government\"); an act whose record names no target "
        "may be against them")
    near_km: float | None = Field(
        None, gt=0, description="jig extension: how near a site an act must be for "
        "no_strikes_near_sites to report it as complying (default 5 km)")
    obligation: str | None = Field(
        None, description="jig extension, must_by: what the bound actors must do, in words")
    by: Bound | None = Field(
        None, description="jig extension, must_by: the deadline; a date means by the end of it")
    within_days: float | None = Field(
        None, gt=0, description="jig extension, must_by: the deadline as days after in_force.from")


class NoticeRequirement(_Strict):
    within_h: float = Field(ge=0)


class EvidenceRequirement(_Strict):
    actor: Ident
    target: list[Ident] | None = None
    inside: ZoneSelector | None = None
    outside: ZoneSelector | None = None
    within_km: float = Field(gt=0)
    before_h: float = Field(ge=0)

    _norm = field_validator("target", mode="before")(_one_or_many)


class Requires(_Strict):
    notice: NoticeRequirement | None = None
    evidence: EvidenceRequirement | None = None


class ExceptionDef(_Strict):
    id: Ident
    quote: str | None = None
    summary: str | None = Field(None, description=SUMMARY)
    for_: list[Ident] = Field(alias="for", min_length=1)
    against: list[Ident] = Field(default_factory=list)
    requires: Requires = Field(default_factory=Requires)


class Precision(_Strict):
    """Overrides of the precision-code tables (jig extension of the `precision:` key)."""

    acled_geo_precision: dict[int, float | None] | None = None
    acled_time_precision: dict[int, str] | None = None
    ucdp_where_prec: dict[int, float | None] | None = None
    airwars_geolocation_precision: dict[str, float | None] | None = None


IncidentAct = Literal["air_strike", "shelling", "ground_attack", "explosion", "other", "unknown"]


class Air(_Strict):
    """Separation minima for deconfliction (jig extension, `air:`)."""

    horizontal_km: float = Field(9.26, ge=0, description="default 5 NM")
    vertical_ft: float = Field(1000, ge=0)
    time_min: float = Field(10, ge=0)


class Mappings(_Strict):
    """Overrides of how exports' event types become acts (jig extension, `mappings:`)."""

    acled_sub_event_type: dict[str, IncidentAct] | None = None
    acled_event_type: dict[str, IncidentAct] | None = None
    airwars_strike_type: dict[str, IncidentAct] | None = None


FeatureSource = str | list[dict[str, Any]] | dict[str, Any]


class AgreementFile(_Strict):
    jig: Literal[1] = Field(description="format version")
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    title: str | None = None
    in_force: InForce
    timezone: str = "UTC"
    parties: dict[Ident, Party] = Field(min_length=1)
    actors: dict[Ident, Actor] = Field(min_length=1)
    zones: FeatureSource | None = Field(
        None, description="GeoJSON FeatureCollection file next to this one, or inline features")
    sites: FeatureSource | None = None
    targets: FeatureSource | None = None
    clauses: list[Clause] = Field(min_length=1)
    exceptions: list[ExceptionDef] = Field(default_factory=list)
    precision: Precision | None = None
    mappings: Mappings | None = None
    air: Air | None = None
    area: FeatureSource | None = Field(
        None, description="jig extension: where the agreement applies (polygons); incidents "
        "farther than 10 km outside it are set aside as likely coordinate errors")


class FeatureProperties(BaseModel):
    """The properties jig reads from a zone, site or target feature; others are kept as given."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Annotated[str, Field(min_length=1)]
    name: str | None = None
    kind: str | None = None
    valid_from: Bound | None = None
    valid_until: Bound | None = None
    radius_m: float = Field(0.0, ge=0)
    group: str | None = None
    agreed_by: list[str] | None = None
    # jig extension: a zone reconstructed without an official map, its edge uncertain by approx_km
    approximate: bool | None = None
    approx_km: float | None = Field(None, gt=0)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v
