"""The web UI in a real browser (Debian's Chromium driven by Playwright) against a running
server: sign in as each role, filter, open an incident and read its reasons, switch to Arabic,
and check that a withheld field reaches neither the page nor any network response."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright
from tests.conftest import EXAMPLE, HTTP_TIMEOUT, Server, seed_users
from tests.test_joint_cell import ADVANCE, SECRET, STRIKE, USERS
from tests.test_service import example_upload

import jig.ui
from jig.service import Settings

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def page_for(browser, url: str, timezone: str | None = None) -> tuple[Page, list[str]]:
    """A new page (in the browser's `timezone`, when given); every response body it receives
    is collected."""
    # Playwright's waits evaluate strings, which the page's Content-Security-Policy forbids;
    # tests/test_ui_release.py loads the pages under that policy and finds no violation.
    page = browser.new_page(viewport={"width": 1400, "height": 850}, bypass_csp=True,
                            **({"timezone_id": timezone} if timezone else {}))
    # Waits are on events in the page; Playwright's 30 s default only decides when a wait
    # gives up, and a loaded machine can take longer than that to draw the map.
    # JIG_UI_TIMEOUT_MS shortens it while working on a test that waits for the wrong thing.
    page.set_default_timeout(int(os.environ.get("JIG_UI_TIMEOUT_MS", "300000")))
    bodies: list[str] = []

    def keep(response):
        with contextlib.suppress(Exception):  # redirects and aborted requests have no body
            bodies.append(response.text())

    page.on("response", keep)
    page.goto(url)
    return page, bodies


def wait_count(page: Page) -> str:
    page.wait_for_function("document.getElementById('count').textContent.length > 0")
    return page.text_content("#count")


def click_incident(page: Page, incident: str) -> None:
    """Click the incident's dot on the canvas, where the map drew it."""
    page.wait_for_function("state.map.hits.length > 0")
    box = page.locator("#map").bounding_box()
    spot = page.evaluate("""(id) => { const h = state.map.hits.find(h => h.data.id === id);
                                      return h && [h.x, h.y]; }""", incident)
    assert spot, f"{incident} is not drawn"
    page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
    page.wait_for_selector(f"#panel h2:has-text('{incident}')")


@pytest.fixture
def open_server(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"],
                        open_agreements=True)  # a test amends the agreement
    with Server(settings) as srv:
        with httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT) as c:
            c.post("/incidents/bulk?filename=incidents.csv",
                   content=(EXAMPLE / "incidents.csv").read_bytes(),
                   headers={"content-type": "text/csv"})
            import csv
            with (EXAMPLE / "notices.csv").open() as fh:
                notices = [{k: v for k, v in r.items() if v} for r in csv.DictReader(fh)]
            c.post("/notices", json=notices)
        yield srv


def test_a_filter_waits_for_apply_and_play_stays_in_the_period(browser, open_server):
    # A new user's verdict choice took effect without Apply (the 5-second refresh read the
    # controls as they stood), and Play ran on past the chosen period to the end of the time
    # in force.
    page, _ = page_for(browser, open_server.url)
    page.wait_for_function("state.map && state.map.points.length === 27")
    page.select_option("#verdict", "breach")
    page.evaluate("refresh()")  # what the timer does, now rather than in 5 s
    assert page.evaluate("state.map.points.length") == 27
    page.click("#apply")
    page.wait_for_function("state.map.points.length === 8")
    page.evaluate("choosePeriod('2016-09-28', '2016-09-30')")
    page.click("#play")
    page.wait_for_function("!state.playing")
    assert page.input_value("#from") == "2016-09-30"


def test_map_filters_reasons_and_arabic(browser, open_server):
    page, _ = page_for(browser, open_server.url)
    page.wait_for_function("state.map && state.map.points.length >= 20")
    assert "incidents shown" in wait_count(page)
    # Filter: the excepted verdicts of the example.
    page.select_option("#verdict", "excepted")
    page.click("#apply")
    page.wait_for_function("state.map.points.length === 3")
    click_incident(page, "A-12")
    panel = page.text_content("#panel")
    assert "agreed-targets-only" in panel and "excepted under advance-beyond-areas" in panel
    assert "incident A-11" in panel  # the evidence, with a link to it
    page.click("#panel a:has-text('incident A-11')")
    page.wait_for_selector("#panel h2:has-text('A-11')")
    # Arabic: the layout flips and the interface speaks Arabic.
    page.select_option("#lang", "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.text_content("[data-view=map]") == "الخريطة"
    # What a screen reader says, and who is signed in, too.
    assert page.get_attribute("#map", "aria-label") == "خريطة الاتفاق والحوادث"
    assert page.text_content("#whoami") == "محلي، وصول مفتوح"
    assert "Asia/Damascus" in page.text_content("#tz")
    page.select_option("#lang", "ru")
    assert page.get_attribute("html", "dir") == "ltr" and page.text_content("#apply") == "Применить"


def test_every_interface_string_is_in_russian_and_arabic(browser, open_server):
    """Each key the page's markup and scripts ask for is in English, Russian and Arabic."""
    page, _ = page_for(browser, open_server.url)
    page.wait_for_selector("html[data-ready]", state="attached")
    strings = page.evaluate("STRINGS")
    static = Path(jig.ui.__file__).parent / "static"
    asked = set(re.findall(r'data-i18n(?:-[a-z]+)?="([^"]+)"',
                           (static / "index.html").read_text(encoding="utf-8")))
    for script in static.glob("*.js"):
        asked |= set(re.findall(r'\bt\("([a-z_.]+)"', script.read_text(encoding="utf-8")))
    assert asked - set(strings["en"]) == set()
    for lang in ("ru", "ar"):
        assert set(strings["en"]) - set(strings[lang]) == set(), lang


def test_agreement_page_shows_clauses_and_versions(browser, open_server):
    page, _ = page_for(browser, open_server.url)
    wait_count(page)
    page.click("[data-view=agreement]")
    page.wait_for_selector("#agreement h3")
    text = page.text_content("#agreement")
    assert "no-bombing-in-designated-areas" in text
    assert "the Assad regime will not bomb targets in designated areas" in text
    assert "v1 · " in text


def test_the_agreement_as_on_a_day_draws_the_version_in_effect_then(browser, open_server):
    """Ruling 9: with an amendment in effect from 20 August (DA-1 extended south to 35.0 N),
    the map as on 20 July draws the first version's DA-1, and as on 25 August the amended one."""
    upload = example_upload()
    da1 = upload["files"]["zones.geojson"]["features"][0]["geometry"]["coordinates"][0]
    da1[0][1] = da1[1][1] = da1[-1][1] = 35.0
    with httpx.Client(base_url=open_server.url, timeout=HTTP_TIMEOUT) as c:
        c.post("/agreements", json=upload | {"effective_from": "2016-08-20T00:00+03:00"}
               ).raise_for_status()
    page, _ = page_for(browser, open_server.url)
    wait_count(page)
    south = """() => { const z = state.map.layers.find((l) => l.name === "zones");
                       const da1 = z && z.features.find((f) => f.properties.id === "DA-1");
                       return da1 ? Math.min(...da1.geometry.coordinates[0].map((p) => p[1])) : null; }"""
    for day, version, edge in (("2016-07-20", 1, 35.6), ("2016-08-25", 2, 35.0)):
        page.fill("#day", day)
        page.dispatch_event("#day", "change")
        page.wait_for_function(f"state.dayVersion === {version}")
        assert page.evaluate(south) == edge
        assert page.text_content("#agreement-title").endswith(f"v{version}")


@pytest.fixture
def locked_server(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        tokens = seed_users(settings.url, USERS, settings.data_dir)
        auth = lambda who: {"authorization": f"Bearer {tokens[who]}"}  # noqa: E731
        with httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT) as c:
            c.post("/incidents", json=STRIKE, headers=auth("us-analyst")).raise_for_status()
            c.post("/incidents/US-7/release", json={"withhold": ["source", "notes"]},
                   headers=auth("us-lead")).raise_for_status()
            c.post("/incidents", json=ADVANCE, headers=auth("ru-analyst")).raise_for_status()
        yield srv, tokens


def sign_in(page: Page, token: str) -> None:
    # The form works once the page has wired its controls, after its first fetches: a click
    # before that would submit it nowhere.
    page.wait_for_selector("html[data-ready]", state="attached")
    page.fill("#token", token)
    page.click("#signin button")
    page.wait_for_function("document.getElementById('whoami').textContent.length > 0")


@pytest.mark.parametrize(("who", "sees"), [
    ("us-analyst", {"US-7"}), ("us-lead", {"US-7"}), ("ru-analyst", {"US-7", "RU-3"}),
    ("ru-lead", {"US-7", "RU-3"}), ("reviewer", {"US-7"}), ("observer", set())])
def test_each_role_sees_what_it_may_and_no_withheld_field(browser, locked_server, who, sees):
    srv, tokens = locked_server
    page, bodies = page_for(browser, srv.url)
    sign_in(page, tokens[who])
    assert who in page.text_content("#whoami")
    if who == "observer":  # the published determinations (none yet), not an error
        page.wait_for_function("document.getElementById('count').textContent === "
                               "'0 published determinations'")
        assert page.is_hidden("#error") and page.evaluate("state.map.points.length") == 0
        # Nothing offered that only answers 403: records' filters, exports, the air desk.
        for control in ("#apply", "#export", "#source", "[data-view=air]"):
            assert page.is_hidden(control), control
        page.click("[data-view=agreement]")
        page.wait_for_selector("#view-agreement h2")
        page.wait_for_load_state("networkidle")  # the commitments' answer has come
        assert page.locator("#commitments-panel").count() == 0
        assert "may not" not in page.text_content("#view-agreement")
    else:
        wait_count(page)
        assert set(page.evaluate("state.map.points.map(p => p.data.id)")) == sees
        click_incident(page, "US-7")
        assert "agreed-targets-only" in page.text_content("#panel")
    if not who.startswith("us-"):
        # Withheld by the US: not in the page, not in any response the browser received.
        assert SECRET not in page.content()
        assert all(SECRET not in body for body in bodies)
    else:
        assert SECRET in page.text_content("#panel")


def test_air_desk_lists_its_conflicts_and_draws_them(browser, open_server):
    import csv
    with (EXAMPLE / "air-notices.csv").open() as fh:
        notices = [{k: v for k, v in r.items() if v} for r in csv.DictReader(fh)]
    httpx.post(f"{open_server.url}/air/notices", json=notices, timeout=HTTP_TIMEOUT).raise_for_status()
    page, _ = page_for(browser, open_server.url)
    wait_count(page)
    page.click("[data-view=air]")
    page.select_option("#air-party", "US")
    page.click("#air-load")
    page.wait_for_selector("#alerts li button")
    assert "US-1: RU" in page.text_content("#alerts")
    page.click("#alerts li button")
    assert page.is_visible("#map")
    drawn = page.evaluate("state.map.layers.find(l => l.name === 'air').features.length")
    assert drawn == 3  # US-1 and US-2, and the conflict's place


def test_a_review_is_opened_from_the_incident_panel(browser, open_server):
    page, _ = page_for(browser, open_server.url)
    wait_count(page)
    click_incident(page, "A-07")
    page.fill("#review-query", "Was this an agreed target?")
    page.click("#review-open button[type=submit]")
    page.wait_for_selector("#panel p:has-text('queried')")
    assert "Was this an agreed target?" in page.text_content("#panel")


def test_merged_reports_show_every_source_record(browser, open_server):
    merged = {"id": "M-1", "time": "2016-08-10T10:00", "lon": 36.6, "lat": 35.8,
              "actor": "Military Forces of Syria (2000-)", "act": "air_strike",
              "records": [{"id": "AW-1", "dataset": "Airwars", "grade": "Fair"},
                          {"id": "U-1", "dataset": "UCDP GED"}]}
    httpx.post(f"{open_server.url}/incidents", json=merged, timeout=HTTP_TIMEOUT).raise_for_status()
    page, _ = page_for(browser, open_server.url)
    wait_count(page)
    page.evaluate("openIncident('M-1')")
    page.wait_for_selector("#panel h3:has-text('Source records')")
    text = page.text_content("#panel")
    assert "Airwars: AW-1" in text and "UCDP GED: U-1" in text and "Fair" in text


def test_a_refused_token_is_said_in_the_pages_language(browser, locked_server):
    # Every error of the service showed in English in a Russian or Arabic page.
    srv, _ = locked_server
    page, _ = page_for(browser, srv.url)
    page.wait_for_selector("html[data-ready]", state="attached")
    page.select_option("#lang", "ru")
    page.fill("#token", "jig_not-a-token")
    page.click("#signin button[type=submit]")
    page.wait_for_function("document.getElementById('error').textContent.includes('токен')")
    assert "оператора" in page.text_content("#error")
