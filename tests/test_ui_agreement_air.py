"""The agreement view and the air desk in a real browser (Debian's Chromium) against a running
server with the joint cell's users: versions with their dates, a proposed amendment accepted
from the page, a compared version kept over the map while filters change, zone labels and a
legend of what is drawn; the air desk's conflicts and flights into barred zones with readable
times, bands and margins, once each; and the layout fixes (the air desk hidden under the map,
the header on one line at 1400 px, Tab never landing on a hidden control).

Screenshots are kept in each test's tmp_path (pytest keeps the last runs' folders)."""

from __future__ import annotations

import httpx
from tests.conftest import HTTP_TIMEOUT
from tests.test_service_air import example_notices
from tests.test_two_party_amendments import upload
from tests.test_ui import browser, locked_server, page_for, sign_in, wait_count  # noqa: F401

SETTLED = "state.overview && state.histogram"


def test_versions_proposal_compare_labels_and_legend(browser, locked_server, tmp_path):  # noqa: F811
    srv, tokens = locked_server
    with httpx.Client(base_url=srv.url, timeout=HTTP_TIMEOUT, headers={
            "authorization": f"Bearer {tokens['us-lead']}"}) as us:
        r = us.post("/agreements/syria-2016-jig/proposals",
                    json=upload(shift=0.3) | {"effective_from": "2016-09-01T00:00+03:00"})
        assert r.status_code == 201, r.text
    page, _ = page_for(browser, srv.url)
    sign_in(page, tokens["ru-lead"])
    page.wait_for_function(SETTLED)
    # Zone labels on the map, and a legend of what is drawn (zones by kind, the verdicts of
    # the points in view, each by shape as well as colour).
    assert "DA-1" in page.evaluate("state.map.labels.map((l) => l.text)")
    legend = page.text_content("#legend")
    assert "zone (designated)" in legend and "protected site" in legend and "breach" in legend
    assert "demilitarised" not in legend  # not in effect on the first day
    page.click("[data-view=agreement]")
    page.wait_for_selector("#proposals li")
    # The one version with the day it governs from; the proposal waiting for Russia.
    rows = page.eval_on_selector_all("#versions tbody tr", "(rs) => rs.map((r) => r.innerText)")
    [v1] = httpx.get(f"{srv.url}/agreements/syria-2016-jig", timeout=HTTP_TIMEOUT, headers={
        "authorization": f"Bearer {tokens['ru-lead']}"}).json()
    assert len(rows) == 1 and rows[0].startswith("v1") and "in force now" in rows[0]
    # The first version governs every time before it too: not "from" the day it was stored.
    assert "the start (and any time before)" in rows[0] and v1["content_hash"][:12] in rows[0]
    proposal = page.text_content("#proposals li")
    assert "waiting for acceptance" in proposal and "waiting for: RU" in proposal
    assert "accepted by: US" in proposal and "zones: changed DA-1" in proposal
    page.screenshot(path=str(tmp_path / "proposal.png"))
    page.click("#proposals li button.accept")
    page.wait_for_function("document.querySelectorAll('#versions tbody tr').length === 2")
    assert "adopted" in page.text_content("#proposals li") and \
        "became v2" in page.text_content("#proposals li")
    # v2 governs acts from 1 September 2016, in Damascus time.
    assert "Sep 1, 2016, 12:00" in page.text_content("#versions tr[data-version='2']")
    # Compare with v1: its zones over the current ones, kept while the filters, the day and
    # the language change.
    page.select_option("#compare", "1")
    page.wait_for_function("state.map.layers.some((l) => l.name === 'compare')")
    assert "zones:DA-1" in page.text_content("#changed")
    page.click("[data-view=map]")
    page.select_option("#verdict", "breach")
    page.click("#apply")
    page.fill("#day", "2016-09-20")
    page.dispatch_event("#day", "change")
    page.wait_for_function("state.dayVersion === 2")
    assert "zone (demilitarised)" in page.text_content("#legend")
    page.select_option("#lang", "ru")
    page.wait_for_function("state.map.points.every((p) => p.data.verdict === 'breach')")
    assert page.evaluate("state.map.layers.filter((l) => l.name === 'compare').length") == 1
    labels = page.evaluate("state.map.labels.map((l) => l.text)")
    assert {"DA-1", "DA-2", "DA-1 (v1)"} <= set(labels), labels
    page.wait_for_function("document.getElementById('legend').textContent"
                           ".includes('зоны v1 (сравнение)')")
    page.screenshot(path=str(tmp_path / "compare.png"))
    # "none" takes it away.
    page.select_option("#lang", "en")
    page.click("[data-view=agreement]")
    page.select_option("#compare", "")
    page.wait_for_function("!state.map.layers.some((l) => l.name === 'compare')")


def test_air_desk_times_bands_margins_flights_and_no_duplicates(browser, locked_server, tmp_path):  # noqa: F811
    srv, tokens = locked_server
    for party in ("US", "RU"):
        mine = [n for n in example_notices() if n["party"] == party]
        httpx.post(f"{srv.url}/air/notices", json=mine, timeout=HTTP_TIMEOUT, headers={
            "authorization": f"Bearer {tokens[party.lower() + '-analyst']}"}).raise_for_status()
    # A browser in New York: the desk's own notices, given without an offset, are the
    # agreement's wall clock; they were shown seven hours later, in the browser's zone.
    page, _ = page_for(browser, srv.url, timezone="America/New_York")
    sign_in(page, tokens["ru-lead"])
    wait_count(page)
    # Under the map the air desk is not drawn, and Tab never lands on a hidden control.
    assert page.is_hidden("#view-air") and page.is_hidden("#air-load")
    page.focus("#lang")
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement === document.body || "
                             "document.activeElement.checkVisibility()"), \
            page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    # The header holds on one line at 1400 px, signed in.
    heights = page.evaluate("[document.querySelector('header').getBoundingClientRect().height,"
                            " document.getElementById('lang').getBoundingClientRect().height]")
    assert heights[0] < 2.2 * heights[1] + 16, heights
    page.click("[data-view=air]")
    # Asked twice at once (the tab and Apply): each conflict is listed once.
    page.evaluate("Promise.all([loadAlerts(), loadAlerts()])")
    page.wait_for_selector("#flights li.flight")
    api = httpx.get(f"{srv.url}/air/alerts?party=RU", timeout=HTTP_TIMEOUT, headers={
        "authorization": f"Bearer {tokens['ru-lead']}"}).json()
    assert len(api) == 1 and page.locator("#alerts li.alert").count() == 1
    alert = page.text_content("#alerts li.alert")
    # In Damascus time (+03:00), readable; RU-1's band; how far inside each minimum.
    assert alert.startswith("Sep 20, 2016, 7:00 AM – 8:00 AM"), alert
    assert page.text_content("#air-tz") == "Dates in Asia/Damascus"
    assert "RU-1: US" in alert and "20,000–30,000 ft AMSL" in alert
    # Not how far inside the vertical minimum: with its own band, the other side's edge.
    assert "inside the minima by 9.3 km and 70 min" in alert and "3,000 ft" not in alert
    flights = page.eval_on_selector_all("#flights li.flight", "(ls) => ls.map((l) => l.innerText)")
    assert [f.split()[1] for f in flights] == ["SY-1", "SY-3"]
    assert flights[0].startswith("breach") and "DA-1" in flights[0]
    assert "8,000–15,000 ft AMSL" in flights[0]
    assert "Sep 20, 2016, 10:00 AM – 11:00 AM" in flights[0], flights[0]
    page.screenshot(path=str(tmp_path / "air-desk.png"))
    # On the map: the flights into barred zones apart from the other notified ones.
    page.click("#alerts li.alert button")
    roles = page.evaluate("state.map.layers.find((l) => l.name === 'air').features"
                          ".map((f) => f.properties.role)")
    assert sorted(roles) == ["barred", "barred", "conflict", "own", "own", "own"]
    legend = page.text_content("#legend")
    assert "our flight into a barred zone" in legend and "conflict with the other side" in legend
    page.screenshot(path=str(tmp_path / "air-map.png"))
    # The US revises US-1 out of the way: RU's desk keeps the alert, marked withdrawn, and
    # the map draws it apart from a live conflict.
    moved = next(n for n in example_notices() if n["id"] == "US-1") | {
        "alt_low": "35000", "alt_high": "36000"}
    httpx.post(f"{srv.url}/air/notices", json=[moved], timeout=HTTP_TIMEOUT, headers={
        "authorization": f"Bearer {tokens['us-analyst']}"}).raise_for_status()
    page.click("[data-view=air]")
    page.evaluate("loadAlerts()")
    page.wait_for_selector("#alerts li.alert.withdrawn")
    assert "withdrawn" in page.text_content("#alerts li.alert")
    roles = page.evaluate("state.map.layers.find((l) => l.name === 'air').features"
                          ".map((f) => f.properties.role)")
    assert "withdrawn" in roles and "conflict" not in roles


def test_the_reviewers_air_desk_does_not_say_no_flight_when_it_may_not_read_flights(
        browser, locked_server):  # noqa: F811
    """The reviewer, refused the flights (403), was told "No flight enters a barred zone"
    while RU's desk showed SY-1 as a breach; and each alert called the RU notice "your
    notice"."""
    srv, tokens = locked_server
    for party in ("US", "RU"):
        mine = [n for n in example_notices() if n["party"] == party]
        httpx.post(f"{srv.url}/air/notices", json=mine, timeout=HTTP_TIMEOUT, headers={
            "authorization": f"Bearer {tokens[party.lower() + '-analyst']}"}).raise_for_status()
    page, _ = page_for(browser, srv.url)
    sign_in(page, tokens["reviewer"])
    wait_count(page)
    page.click("[data-view=air]")
    page.select_option("#air-party", "RU")
    page.click("#air-load")
    page.wait_for_selector("#alerts li.alert")
    assert page.is_hidden("#flights") and page.is_hidden("#flights-title")
    alert = page.text_content("#alerts li.alert")
    assert "your notice" not in alert and "a notice of RU" in alert, alert
