"""Build the library's zone files from the shared OCHA boundaries and researched arrangements.

Run once, with ../shared beside the repository, when the researched facts change:

    .venv/bin/python scripts/build_library_zones.py [--shared ../shared]

It writes `zones.geojson` into each Syrian arrangement under src/jig/library/arrangements/;
those files are committed, so the library works without ../shared. Zones are the union of the
OCHA 2016 units the research lists (whole, most and partial coverage; marginal, fringe and
excluded units left out, and so are the three city sub-districts Damascus, Homs and Jebel Saman
whose "partial" means a suburb of a big city unit), or the approximate constructions of
`arrangements/approx_constructions.geojson`. Shapes are simplified to 0.0005° (about 50 m),
far inside the kilometres of uncertainty every one of these zones carries.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "jig" / "library" / "arrangements"
SIMPLIFY_DEG = 0.0005
INCLUDED = ("whole", "most", "partial")
CITY_UNITS = {"SY010000", "SY040100", "SY020000"}  # Damascus, Homs, Jebel Saman (Aleppo city)
OCHA = ("OCHA Syria COD-AB 2016 (HDX syr_admin_shp_utf8_18219, via romansul/syrian-civil-war; "
        "see shared/data/SOURCES.md section 4)")

# Places the research names as government-held inside units it grades `partial` (areas.json
# pcode_coverage), which the zones take whole: each with its point and where the point comes from
# (the shared data's own files). The build measures how deep inside its zone each lies, so the
# zone says how far beyond its approx_km a government-held place can be (docs/library.md).
GOVERNMENT_HELD = {
    "idlib": [
        ("Suran", "SY050101", 36.746128, 35.292326, "gazetteer_syrianarchive"),
        ("Maan", "SY050101", 36.79709, 35.35938, "ucdp_ged_syria 'Maan village'"),
        ("al-Hader", "SY020006", 37.051266, 35.990111, "airwars_syria 'Al Hader Hospital'"),
        ("Nubl", "SY020404", 36.994167, 36.375556, "ucdp_ged_syria 'Nubl town'"),
        ("Zahraa", "SY020404", 37.010667, 36.358583, "ucdp_ged_syria 'Zahraa town'")],
    "eastern-ghouta-jaysh-al-islam": [
        ("Adra town", "SY030200", 36.515455, 33.604037, "ucdp_ged_syria 'Adra town'"),
        ("Adra prison", "SY030200", 36.44056, 33.590134, "ucdp_ged_syria 'Adra Prison Complex'")],
    "south-west": [
        ("Izra town", "SY120300", 36.25453, 32.8706, "ucdp_ged_syria 'Izra town'"),
        ("Sheikh Miskine town", "SY120304", 36.15933, 32.82944,
         "ucdp_ged_syria 'Ash Shaykh Miskin town'"),
        ("Kherbet Ghazala town", "SY120002", 36.20467, 32.73641,
         "ucdp_ged_syria 'Khirbat Ghazalah town'"),
        ("Sanamayn town", "SY120200", 36.18382, 33.07227, "ucdp_ged_syria 'As Sanamayn town'"),
        ("Khan Arnaba", "SY140001", 35.89158, 33.18378, "ucdp_ged_syria 'Khan Arnabah town'"),
        ("Madinat al-Baath", "SY140001", 35.87311, 33.17204,
         "ucdp_ged_syria 'Madinat al-Baath town'"),
        ("Hadar", "SY140001", 35.83043, 33.28098, "ucdp_ged_syria 'Hadar town'")],
}
# The research cites PA-X on its test host; the record is the same on the production one.
PAX_TEST = "https://test.pax.peaceagreements.org/"
PAX = "https://pax.peaceagreements.org/"
# The 2018 Idlib lines after the offensives that moved them (areas.json: the Sochi dates_note and
# Astana's idlib_zone_1 dates_note); the zones keep the memorandum's 2018 extent.
STALE_2018 = ("drawn on the Sept-2018 contact line, which the government offensives of "
              "April–August 2019 (into the DMZ from 30 April 2019; Khan Shaykhun taken in August "
              "2019) and December 2019 – March 2020 moved: from 30 April 2019 the line is stale, "
              "and an act in ground the government had retaken is still judged as inside the zone "
              "(areas.json, sochi_memorandum_2018 and astana_memorandum_2017.idlib_zone_1 "
              "dates_note)")

# Eastern Ghouta had two follow-up deals: each sector starts from its own (areas.json dates_note).
GHOUTA_SECTORS = {
    "jaysh-al-islam": (("SY030200", "SY030201", "SY030204"), "2017-07-22T12:00",
                       "Cairo agreement with Jaysh al-Islam, ceasefire from 12:00 on 22 July 2017"),
    "faylaq-al-rahman": (("SY030105", "SY030106"), "2017-08-18T21:00",
                         "Geneva agreement with Faylaq al-Rahman, from 21:00 on 18 August 2017"),
}


def _grown(geom: Any, metres: float) -> Any:
    """`geom` (lon/lat) grown by `metres`, in an equidistant projection centred on it."""
    c = geom.centroid
    fwd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84",
                               always_xy=True)
    inv = Transformer.from_crs(fwd.target_crs, "EPSG:4326", always_xy=True)
    grown = shapely.transform(geom, lambda xy: _pairs(fwd, xy)).buffer(metres, quad_segs=16)
    return shapely.transform(grown, lambda xy: _pairs(inv, xy))


def _pairs(t: Transformer, xy: Any) -> Any:
    x, y = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _depth_km(zone: Any, lon: float, lat: float) -> float:
    """How far (km) the point lies from the zone's edge, in an equidistant projection on it."""
    fwd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84",
                               always_xy=True)
    edge = shapely.transform(zone.boundary, lambda xy: _pairs(fwd, xy))
    return float(edge.distance(Point(0, 0))) / 1000


def _deepest_km(zone: Any, part: Any) -> float:
    """How far from the zone's edge the deepest point of `part` (inside the zone) lies, on a
    500 m grid in an equidistant projection centred on the part."""
    c = part.centroid
    fwd = Transformer.from_crs("EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84",
                               always_xy=True)
    z = shapely.transform(zone, lambda xy: _pairs(fwd, xy))
    inside = shapely.transform(part, lambda xy: _pairs(fwd, xy)).intersection(z)
    x0, y0, x1, y1 = inside.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 500.0), np.arange(y0, y1, 500.0))
    pts = shapely.points(xs.ravel(), ys.ravel())
    pts = pts[shapely.contains(inside, pts)]
    return float(shapely.distance(z.boundary, pts).max()) / 1000 if len(pts) else 0.0


def _government_held(zid: str, geom: Any) -> list[str] | None:
    held = [f"{name} ({unit}; point from shared/data {src}): "
            + (f"{_depth_km(geom, lon, lat):.1f} km inside the zone's edge"
               if shapely.contains_xy(geom, lon, lat) else "outside the zone")
            for name, unit, lon, lat, src in GOVERNMENT_HELD.get(zid, [])]
    return held or None


def _round(geom: Any) -> Any:
    return shapely.set_precision(geom, 1e-5)


def _polygonal(geom: Any) -> Any:
    geom = shapely.make_valid(_round(geom.simplify(SIMPLIFY_DEG, preserve_topology=True)))
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    out = shapely.union_all(parts)
    assert out.is_valid and not out.is_empty
    return out


def _feature(geom: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {k: v for k, v in props.items() if v is not None},
            "geometry": mapping(_polygonal(geom))}


def _write(name: str, features: list[dict[str, Any]]) -> None:
    path = OUT / name / "zones.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(features)} zones, {len(text) // 1024} KB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    data = ap.parse_args().shared / "data"
    units: dict[str, Any] = {}
    names: dict[str, str] = {}
    for layer in ("syr_adm1_governorates_ocha_2016", "syr_adm3_subdistricts_ocha_2016"):
        for f in json.loads((data / "admin_boundaries" / f"{layer}.geojson").read_text())["features"]:
            units[f["properties"]["PCODE"]] = shape(f["geometry"])
            names[f["properties"]["PCODE"]] = f["properties"]["NAME_EN"]
    country = shape(json.loads((data / "admin_boundaries" / "syr_adm0_ocha_2016.geojson")
                               .read_text())["features"][0]["geometry"])
    areas = json.loads((data / "arrangements" / "areas.json").read_text())
    built = {f["properties"]["name"]: shape(f["geometry"]) for f in json.loads(
        (data / "arrangements" / "approx_constructions.geojson").read_text())["features"]}

    def unit_zone(zone: dict[str, Any], only: tuple[str, ...] | None = None) -> tuple[Any, list[str]]:
        chosen = [p for p, note in zone["pcode_coverage"].items()
                  if note.split(" ")[0] in INCLUDED and p not in CITY_UNITS
                  and (only is None or p in only)]
        return shapely.union_all([units[p] for p in chosen]), chosen

    def facts(zone: dict[str, Any], chosen: list[str] | None, construction: str,
              geom: Any = None, zid: str = "") -> dict[str, Any]:
        partial = [p for p in chosen or () if zone["pcode_coverage"][p].startswith("partial")]
        caveat = None
        if partial:
            deep = max(_deepest_km(geom, units[p]) for p in partial)
            caveat = (f"{len(partial)} unit(s) the research grades partial are taken whole "
                      f"(no line inside them in the data): their deepest point lies {deep:.1f} km "
                      "inside the zone's edge, so the true edge may be farther off than approx_km "
                      "says there; places the research names as government-held inside them are "
                      "in government_held_inside, with their depth")
        return {"approximate": True, "official_map": False, "construction": construction,
                "units": [f"{p} {names[p]} ({zone['pcode_coverage'][p].split(' ')[0]})"
                          for p in chosen] if chosen else None,
                "government_held_inside": _government_held(zid, geom) if chosen else None,
                "caveat": caveat,
                "confidence": zone["confidence"],
                "sources": [u.replace(PAX_TEST, PAX) for u in zone["sources"]] + [OCHA],
                "dates_note": zone.get("dates_note")}

    by_units = ("union of the OCHA 2016 sub-districts the research places in the zone (whole, "
                "most and partial coverage); no official map was published")
    astana = areas["astana_memorandum_2017"]
    idlib, idlib_units = unit_zone(astana["idlib_zone_1"])
    homs, homs_units = unit_zone(astana["northern_homs_zone_2"])
    south, south_units = unit_zone(astana["southern_zone_4_southwest"])
    zones = [_feature(idlib, id="idlib", name="Zone 1: Idlib and adjoining areas",
                      kind="deescalation", valid_from="2017-09-15", approx_km=5,
                      **facts(astana["idlib_zone_1"], idlib_units, by_units, idlib, "idlib")),
             _feature(homs, id="northern-homs", name="Zone 2: northern Homs",
                      kind="deescalation", valid_from="2017-08-03T12:00",
                      valid_until="2018-05-16", approx_km=5,
                      **facts(astana["northern_homs_zone_2"], homs_units, by_units, homs,
                              "northern-homs"))]
    ghouta = astana["eastern_ghouta_zone_3"]
    for sector, (only, start, deal) in GHOUTA_SECTORS.items():
        geom, chosen = unit_zone(ghouta, only)
        zid = f"eastern-ghouta-{sector}"
        zones.append(_feature(geom, id=zid,
                              name=f"Zone 3: Eastern Ghouta, {sector.replace('-', ' ')} sector",
                              kind="deescalation", valid_from=start, valid_until="2018-04-14",
                              approx_km=5, follow_up=deal,
                              **facts(ghouta, chosen, by_units, geom, zid)))
    sw = _feature(south, id="south-west", name="Zone 4: south-west (Daraa, Quneitra)",
                  kind="deescalation", valid_from="2017-07-09T12:00", valid_until="2018-07-31",
                  approx_km=5, **facts(astana["southern_zone_4_southwest"], south_units,
                                       by_units + "; the ISIS-held Yarmouk basin units excluded",
                                       south, "south-west"))
    zones.append(sw)
    _write("astana-2017", zones)
    _write("south-west-2017", [sw])

    sochi = areas["sochi_memorandum_2018"]["demilitarised_zone"]
    band = built["Sochi DMZ reconstruction, 15 km band, APPROXIMATE"]
    area = built["Idlib de-escalation area, opposition side of Sept-2018 contact line, APPROXIMATE"]
    how = ("15 km band inward from a hand-placed Sept-2018 contact line, on the opposition side "
           "(shared/data/arrangements/approx_constructions.geojson); expect ±3–5 km on the line")
    dmz = facts(sochi, None, how) | {"caveat": STALE_2018}
    # The memorandum was never renounced (its de facto end, 30 April 2019, is a status fact in
    # the catalogue): the zones run with its in_force, their 2018 lines marked stale after it.
    side = ("opposition side of the hand-placed Sept-2018 contact line within the zone-1 "
            "sub-districts")
    idlib_area = facts(sochi, None, side) | {"caveat": STALE_2018}
    _write("sochi-2018", [
        _feature(band, id="dmz", name="Idlib demilitarised zone (15 km reconstruction)",
                 kind="demilitarised", valid_from="2018-09-17", approx_km=5, **dmz),
        # The same belt once heavy weapons were due out (by 10 October 2018).
        _feature(band, id="dmz-heavy-weapons", name="Idlib DMZ, heavy weapons due out",
                 kind="heavy-weapons-free", valid_from="2018-10-11", approx_km=5, **dmz),
        _feature(area, id="idlib-area", name="Idlib de-escalation area, Sept 2018",
                 kind="deescalation", valid_from="2018-09-17", approx_km=5, **idlib_area)])

    m4 = areas["moscow_additional_protocol_2020"]["m4_security_corridor"]
    _write("moscow-2020", [
        _feature(built["M4 security corridor (6 km each side, Trumba-Ain al-Hawr), APPROXIMATE"],
                 id="m4-corridor",
                 name="M4 security corridor, 6 km each side (Trumba to Ain al-Hawr)",
                 kind="security-corridor", approx_km=3,
                 **facts(m4, None, "6 km either side of a centreline through waypoint towns "
                         "(approx_constructions.geojson); Ain al-Hawr's position is itself "
                         "estimated")),
        # Article 1 ceases military actions along the line of contact in the Idlib
        # de-escalation area (areas.json barred): no 2020 line is mapped, so the area is
        # sochi-2018's, with its provenance, from the protocol's start.
        _feature(area, id="idlib-area", name="Idlib de-escalation area (Sept-2018 line)",
                 kind="deescalation", approx_km=5,
                 **facts(sochi, None, side + " (sochi-2018's idlib-area, reused: the 2020 line "
                         "of contact is not mapped)") | {"caveat": STALE_2018 + "; by 6 March "
                         "2020 both offensives were over, so part of the area was government-held "
                         "when the protocol began"})])

    coh = areas["cessation_of_hostilities_2016"]["nationwide"]
    nationwide = {"approximate": False, "official_map": False,
                  "construction": "the whole country (OCHA admin 0): the cessation was nationwide "
                  "in form; its exclusion was of parties, not areas",
                  "confidence": coh["confidence"], "sources": [*coh["sources"][:4], OCHA]}
    _write("coh-2016", [_feature(country, id="syria", name="Syria (nationwide)",
                                 kind="nationwide", **nationwide)])

    road = shapely.LineString([(37.1336111, 36.2375), (37.15199, 36.25784)])
    castello = _grown(road, 3500)  # the heavy-weapons pull-back
    _write("castello-2016", [
        _feature(castello, id="castello-dmz", name="Castello Road demilitarised zone (3.5 km)",
                 kind="demilitarised", approximate=True, official_map=False, approx_km=2,
                 construction="3.5 km either side of the Castello Road between Bani Zeid "
                 "(gazetteer_syrianarchive id 17) and Airwars' 'Castello Road' point "
                 "(RS0986): the road's line is approximate",
                 confidence="low for the exact belt; high that the text set 3.5 km for heavy "
                 "weapons", sources=[
                     "https://beta.al-akhbar.com/Arab/219880 (AP text: heavy vehicles 3,500 m "
                     "north of the road)",
                     "https://en.alalam.ir/news/1862195 (tanks, artillery, mortars, APCs 3.5 km)",
                     "http://tass.com/politics/902557 (vacated area a 'demilitarized zone')",
                     "shared/data gazetteer_syrianarchive and airwars_syria (road points)"]),
        _feature(country, id="syria", name="Syria (nationwide)", kind="nationwide", **nationwide)])

    minsk_and_hodeidah()


# Towns along the line of contact of February 2015, west to east then south, placed by hand from
# their approximate positions (about ±5 km; no official line was published with the text).
MINSK_LINE = [(39.75, 48.67), (39.49, 48.65), (39.23, 48.74), (38.83, 48.65), (38.38, 48.63),
              (38.40, 48.34), (38.04, 48.33), (37.75, 48.14), (37.74, 48.07), (37.50, 47.94),
              (37.47, 47.73), (37.60, 47.45), (37.66, 47.09)]
MINSK_SOURCES = [
    "https://www.themoscowtimes.com/2015/02/12/the-minsk-deal-what-was-agreed-at-ukraine-peace-talks-a43848",
    "https://freeukrainenow.org/tag/line-of-contact/ (UNSCR 2202 (2015), annex 1)",
    "https://pax.peaceagreements.org/agreements/1364"]
HODEIDAH_SOURCES = ["https://osesgy.unmissions.org/hudaydah-agreement",
                    "https://pax.peaceagreements.org/agreements/2120"]


def minsk_and_hodeidah() -> None:
    line = shapely.LineString(MINSK_LINE)
    how = ("{} km either side of a hand-placed line of contact through towns (Stanytsia "
           "Luhanska, Shchastia, Popasna, Debaltseve, Horlivka, Avdiivka, Donetsk airport, "
           "Marinka, Shyrokyne); the text measures Ukraine's withdrawal from the de facto line "
           "and the other side's from the 19 September 2014 line, neither published as a map; "
           "the belt is not clipped at the Russian border")
    common = {"approximate": True, "official_map": False, "approx_km": 10,
              "confidence": "low for the line (hand-placed, ±5-10 km); high for the widths, "
              "which the text states", "sources": MINSK_SOURCES}
    _write("minsk-2-2015", [
        _feature(_grown(line, 25_000), id="security-zone-50km", kind="security-zone-50km",
                 name="Security zone 50 km wide (artillery of 100 mm and more)",
                 construction=how.format(25), **common),
        _feature(_grown(line, 35_000), id="security-zone-70km", kind="security-zone-70km",
                 name="Security zone 70 km wide (MLRS)", construction=how.format(35), **common),
        _feature(_grown(line, 70_000), id="security-zone-140km", kind="security-zone-140km",
                 name="Security zone 140 km wide (Tornado-S, Uragan, Smerch, Tochka)",
                 construction=how.format(70), **common)])
    places = [("hodeidah-city", "Hodeidah city", (42.954, 14.798), 8000, "city"),
              ("hodeidah-port", "Port of Hodeidah", (42.935, 14.835), 2000, "port"),
              ("salif-port", "Port of Salif", (42.682, 15.308), 2000, "port"),
              ("ras-isa-port", "Port of Ras Isa", (42.607, 15.122), 3000, "port")]
    _write("hodeidah-2018", [
        _feature(_grown(Point(lon, lat), r), id=zid, name=name, kind=kind, approximate=True,
                 official_map=False, approx_km=3,
                 construction=f"a circle of {r / 1000:g} km around the approximate position of "
                 f"the {kind}: the agreement names the city and ports but publishes no map",
                 confidence="low for the shape; high that the agreement covers the place",
                 sources=HODEIDAH_SOURCES)
        for zid, name, (lon, lat), r, kind in places])


if __name__ == "__main__":
    main()
