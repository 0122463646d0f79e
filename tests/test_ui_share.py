"""Share and export in a real browser (Debian's Chromium) against a running server: the
address keeps the view, the filters, the period, the list's search and the open incident, and
opened in another page shows the same; the selection downloads as CSV, GeoJSON and
GeoPackage holding what the map counts, and the period's report as a PDF.

Screenshots are kept in each test's tmp_path (pytest keeps the last runs' folders)."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyogrio
from tests.conftest import HTTP_TIMEOUT
from tests.test_ui import browser, open_server, page_for  # noqa: F401

SETTLED = "state.loaded && state.histogram && state.linkRead"
# The example's 20-odd incidents drawn: its bulk job is done.
ALL_IN = "state.map && state.map.points.length >= 20 && " + SETTLED


def shown(page) -> dict:
    return {"ids": sorted(page.evaluate("state.listed.map((p) => p.id)")),
            "count": page.text_content("#count"),
            "bbox": page.evaluate("state.map.bbox().map((v) => v.toFixed(2)).join(',')"),
            "filters": {f: page.input_value(f"#{f}") for f in ("day", "from", "to", "verdict",
                                                              "actor", "list-search")}}


def test_a_link_opens_the_page_as_it_was(browser, open_server, tmp_path):  # noqa: F811
    page, _ = page_for(browser, open_server.url)
    page.wait_for_function(ALL_IN)
    page.select_option("#actor", "RU")
    page.fill("#from", "2016-08-01")
    page.click("#apply")
    page.wait_for_function("state.selection && state.selection.get('actor') === 'RU' && "
                           "location.hash.includes('actor=RU')")
    page.focus("#map")
    loaded = page.evaluate("state.loaded")
    page.keyboard.press("+")
    page.wait_for_function("(n) => state.loaded > n", arg=loaded)
    page.fill("#list-search", "A-1")
    page.click("#incident-list li[data-id='A-12']")
    page.wait_for_selector("#panel h2:has-text('A-12')")
    page.wait_for_function("location.hash.includes('incident=A-12')")
    before = shown(page)
    assert before["filters"]["actor"] == "RU" and before["filters"]["from"] == "2016-08-01"
    assert before["ids"] and all(i.startswith("A-1") for i in page.eval_on_selector_all(
        "#incident-list li", "(ls) => ls.map((l) => l.dataset.id)"))
    link = page.url
    assert "#" in link
    # The link in another page: the same filters, view, list and open incident.
    other, _ = page_for(browser, link)
    other.wait_for_function(SETTLED)
    other.wait_for_selector("#panel h2:has-text('A-12')")
    after = shown(other)
    assert after == before
    assert other.get_attribute("#incident-list li[data-id='A-12']", "aria-selected") == "true"
    other.screenshot(path=str(tmp_path / "from-link.png"))
    # A cleared period stays cleared (every time), and a view other than the map is kept.
    other.fill("#from", "")
    other.fill("#to", "")
    other.click("#apply")
    other.click("[data-view=agreement]")
    other.wait_for_function("location.hash.includes('view=agreement') && "
                            "location.hash.includes('from=&')")
    third, _ = page_for(browser, other.url)
    third.wait_for_function(SETTLED)
    assert third.input_value("#from") == "" and third.input_value("#to") == ""
    assert third.is_visible("#view-agreement") and third.is_hidden("#view-map")


def test_the_selection_downloads_as_csv_geojson_geopackage_and_pdf(browser, open_server, tmp_path):  # noqa: F811
    page, _ = page_for(browser, open_server.url)
    page.wait_for_function(ALL_IN)
    page.select_option("#verdict", "breach")
    page.click("#apply")
    page.wait_for_function("state.selection && state.selection.get('verdict') === 'breach'")
    total = page.evaluate("state.overview.total")
    drawn = sorted(page.evaluate("state.listed.map((p) => p.id)"))
    assert total == len(drawn) > 0
    files = {}
    for fmt in ("csv", "geojson", "gpkg", "pdf"):
        with page.expect_download() as got:
            page.click(f"#export-{fmt}")
        path = tmp_path / got.value.suggested_filename
        got.value.save_as(path)
        files[fmt] = path
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text())))
    assert sorted({r["incident"] for r in rows}) == drawn
    assert {r["verdict"] for r in rows} == {"breach"}
    geo = json.loads(files["geojson"].read_text())
    assert sorted(f["properties"]["incident"] for f in geo["features"]) == drawn
    assert len(pyogrio.read_dataframe(files["gpkg"], layer="incidents")) == total
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    # The same files the API writes for the page's view and filters.
    params = dict(page.evaluate("[...state.selection.entries()]"))
    params.pop("cells", None)
    api = httpx.get(f"{open_server.url}/incidents/export", params=params | {"format": "csv"},
                    timeout=HTTP_TIMEOUT)
    assert api.content == files["csv"].read_bytes()
