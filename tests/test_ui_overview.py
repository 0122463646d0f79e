"""The map's overview in a real browser (Debian's Chromium) against a running server: the
counts on screen equal the store's, in points or in cells; the list beside the map, searched,
sorted and walked with the keyboard; the histogram over time, its brush and play.

Screenshots are kept in each test's tmp_path (pytest keeps the last runs' folders)."""

from __future__ import annotations

import csv
import random
from collections import Counter

import httpx
import pytest
from tests.conftest import EXAMPLE, ROOT, Server, wait_for_job
from tests.test_ui import browser, click_incident, page_for  # noqa: F401

from jig.service import Settings

REAL = [EXAMPLE / "incidents.csv", ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv",
        ROOT / "tests" / "data" / "airwars_syria_2016.csv"]
SETTLED = "state.overview && state.histogram && !state.playing"


def bulk(c: httpx.Client, path, body: bytes | None = None) -> None:
    r = c.post(f"/incidents/bulk?filename={path.name}", content=body or path.read_bytes(),
               headers={"content-type": "text/csv"})
    assert wait_for_job(c, r.json()["job"])["status"] == "done"


def listed(url: str, **params: str) -> list[dict]:
    """What `GET /incidents` lists: every page."""
    out, cursor = [], None
    with httpx.Client(base_url=url, timeout=120) as c:
        while True:
            page = c.get("/incidents", params=params | {"limit": 1000}
                         | ({"cursor": cursor} if cursor else {})).json()
            out += page["items"]
            cursor = page["next"]
            if cursor is None:
                return out


def view(page) -> dict[str, str]:
    """The page's view and period, as the API takes them: the box of the whole cells the page
    counted (the map's view widened to them)."""
    return {"bbox": page.evaluate("state.selection.get('bbox')"),
            "from": page.input_value("#from"), "to": page.input_value("#to")}


def ids_listed(page) -> list[str]:
    return page.eval_on_selector_all("#incident-list li", "(els) => els.map((e) => e.dataset.id)")


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => document.querySelector(s).textContent === t",
                           arg=[selector, text])


@pytest.fixture
def real_server(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=120) as c:
        for path in REAL:
            bulk(c, path)
        yield srv


def test_counts_list_and_time_on_real_data(browser, real_server, tmp_path):  # noqa: F811
    url = real_server.url
    page, _ = page_for(browser, url)
    page.wait_for_function(SETTLED)
    # The first period is the agreement's time in force (until 3 October: through the 2nd).
    assert (page.input_value("#from"), page.input_value("#to")) == ("2016-07-15", "2016-10-02")
    here = view(page)
    store = listed(url, **here)
    m = len(store)
    assert 50 < m <= 1000 and len({i["verdict"]["verdict"] for i in store}) >= 3
    assert page.text_content("#count") == f"{m} of {m} incidents shown"
    # Every incident in view is drawn and listed; a date outside the period is not.
    assert sorted(page.evaluate("state.map.points.map((p) => p.data.id)")) == \
        sorted(i["id"] for i in store)
    assert sorted(ids_listed(page)) == sorted(i["id"] for i in store)
    everything = listed(url, bbox=here["bbox"])
    assert len(everything) > m
    page.screenshot(path=str(tmp_path / "overview-real.png"))

    # Search by id, then by text (the act); sort by id.
    page.fill("#list-search", "A-12")
    assert ids_listed(page) == ["A-12"]
    page.fill("#list-search", "shelling")
    shelling = sorted(i["id"] for i in store if i["record"].get("act") == "shelling")
    assert shelling and sorted(ids_listed(page)) == shelling
    assert f"{len(shelling)} of {m} in view match" in page.text_content("#list-note")
    page.fill("#list-search", "")
    page.select_option("#list-sort", "id")
    assert ids_listed(page) == sorted(i["id"] for i in store)
    # Keyboard: down twice from the top, Enter opens the third.
    page.focus("#incident-list")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    third = sorted(i["id"] for i in store)[2]
    page.wait_for_selector(f"#panel h2:has-text('{third}')")
    assert page.get_attribute("#incident-list li[aria-selected=true]", "data-id") == third
    # The page refreshes itself every few seconds: the selection and the focus stay.
    loads = page.evaluate("state.loaded")
    page.wait_for_function("(n) => state.loaded > n", arg=loads)
    assert page.get_attribute("#incident-list li[aria-selected=true]", "data-id") == third
    assert page.evaluate("document.activeElement.dataset.id") == third

    # Reasoning first: the incident's time as the headline, the engine's steps with each
    # exception tried, and on the map the evidence and the target its finding names.
    page.fill("#list-search", "A-12")
    page.focus("#incident-list")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#panel h2:has-text('A-12')")
    assert page.text_content("#panel h2").startswith("2016-08-11 09:00 · A-12")
    page.wait_for_selector("#reasoning.done")
    steps = page.text_content("#reasoning")
    assert "exception imminent-threat: unmet" in steps
    assert "exception advance-beyond-areas: met: incident A-11" in steps
    page.wait_for_function("state.focus && state.focus.some((f) => f.properties.id === 'A-11')")
    drawn = {f["properties"].get("id"): f["geometry"]["coordinates"]
             for f in page.evaluate("state.focus")}
    a11 = next(i for i in store if i["id"] == "A-11")["record"]
    assert drawn["A-11"] == [float(a11["lon"]), float(a11["lat"])] and "T-2" in drawn
    page.fill("#list-search", "")

    # The histogram counts the same incidents, by day and verdict.
    days = page.evaluate("state.histogram.days")
    assert sum((Counter(d["counts"]) for d in days), Counter()) == \
        Counter(i["verdict"]["verdict"] for i in store)
    # The brush: drag over the middle of the histogram; the map and count follow.
    box = page.locator("#histogram").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y)
    page.mouse.up()
    chosen = view(page)
    assert "2016-07-15" < chosen["from"] < chosen["to"] < "2016-10-02"
    part = listed(url, **chosen)
    assert 0 < len(part) < m
    wait_text(page, "#count", f"{len(part)} of {len(part)} incidents shown")
    assert sorted(ids_listed(page)) == sorted(i["id"] for i in part)

    # Play steps a day at a time; stopped, the day shown is counted as the store counts it.
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.wait_for_function("document.getElementById('from').value === "
                           "document.getElementById('to').value")
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    day = view(page)
    assert day["from"] == day["to"] >= chosen["from"]
    one = listed(url, **day)
    wait_text(page, "#count", f"{len(one)} of {len(one)} incidents shown")
    # "Whole period" goes back to the time in force.
    page.click("#period-all")
    wait_text(page, "#count", f"{m} of {m} incidents shown")


@pytest.fixture
def crowded_server(tmp_path):
    """1,500 incidents, more than the map draws one by one, through bulk intake."""
    rng = random.Random(16)
    path = tmp_path / "many.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "time", "lon", "lat", "actor", "act"])
        for i in range(1500):
            w.writerow([f"M-{i}", f"2016-08-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00",
                        f"{rng.uniform(36.0, 38.5):.4f}", f"{rng.uniform(35.0, 36.5):.4f}",
                        rng.choice(["Military Forces of Syria (2000-)",
                                    "Military Forces of Russia (2015-)", "Jabhat Fateh al-Sham"]),
                        rng.choice(["air_strike", "shelling", "ground_attack"])])
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=120) as c:
        bulk(c, path)
        yield srv


def test_too_many_to_draw_are_counted_in_cells(browser, crowded_server, tmp_path):  # noqa: F811
    url = crowded_server.url
    page, _ = page_for(browser, url)
    page.wait_for_function(SETTLED)
    here = view(page)
    m = len(listed(url, **here))
    assert 1000 < m <= 1500  # most of them in the first view
    assert page.text_content("#count").startswith(f"0 of {m} incidents shown as points; all {m}")
    assert page.evaluate("state.map.points.length") == 0
    assert page.evaluate("state.map.cells.reduce((s, c) => s + c.n, 0)") == m
    assert "click a circle" in page.text_content("#list-note")
    page.screenshot(path=str(tmp_path / "overview-cells.png"))
    # A click on the fullest circle lists its incidents: those the store holds in that cell.
    spot = page.evaluate("""() => { const h = state.map.hits.filter((h) => h.data.cell)
                                      .sort((a, b) => b.data.cell.n - a.data.cell.n)[0];
                                    return [h.x, h.y, h.data.cell, h.data.size]; }""")
    x, y, cell, size = spot
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    wait_text(page, "#list-note", f"{cell['n']} incidents in this cell")
    inside = listed(url, bbox=f"{cell['lon']},{cell['lat']},{cell['lon'] + size},"
                    f"{cell['lat'] + size}", **{"from": here["from"], "to": here["to"]})
    assert sorted(ids_listed(page)) == sorted(i["id"] for i in inside)
    assert len(inside) == cell["n"] > 1
    loads = page.evaluate("state.loaded")  # a refresh of the map keeps the cell's list
    page.wait_for_function("(n) => state.loaded > n", arg=loads)
    assert sorted(ids_listed(page)) == sorted(i["id"] for i in inside)
    # Zoomed in with the keyboard until few enough: points, "N of M" the store's count.
    page.evaluate("state.map.fit(36.0, 35.0, 38.5, 36.5)")
    page.focus("#map")
    for _ in range(12):
        loads = page.evaluate("state.loaded")
        page.keyboard.press("+")
        # Drawn, and for this view (the map also refreshes itself every few seconds).
        page.wait_for_function("(n) => state.loaded > n && state.drawnView === "
                               "state.map.bbox().map((v) => v.toFixed(4)).join(',')", arg=loads)
        total = len(listed(url, **view(page)))
        if page.evaluate("state.map.points.length"):
            break
        assert total > 1000 and page.text_content("#count").startswith(f"0 of {total} ")
    assert 0 < total <= 1000
    assert page.text_content("#count") == f"{total} of {total} incidents shown"
    assert page.evaluate("state.map.points.length") == total
    assert page.evaluate("state.map.cells.length") == 0
    click_incident(page, page.evaluate("state.map.hits.find((h) => !h.data.cluster).data.id"))
