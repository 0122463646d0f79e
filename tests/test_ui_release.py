"""The release dialog in a real browser (Debian's Chromium): each field with a withhold
choice defaulting to the previous release's, a preview of exactly what the other side will
see, a confirmation, and "Release" only on the caller's own records. And the API docs, which
load nothing from outside."""

from __future__ import annotations

import httpx
import pytest
from tests.conftest import EXAMPLE, Server, seed_users
from tests.test_joint_cell import ADVANCE, SECRET, STRIKE, USERS
from tests.test_ui import browser, click_incident, page_for, sign_in, wait_count  # noqa: F401

from jig.service import Settings


@pytest.fixture
def cell(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        tokens = seed_users(settings.url, USERS, settings.data_dir)
        clients = {who: httpx.Client(base_url=srv.url, timeout=60,
                                     headers={"authorization": f"Bearer {t}"})
                   for who, t in tokens.items()}
        clients["us-analyst"].post("/incidents", json=STRIKE).raise_for_status()
        clients["ru-analyst"].post("/incidents", json=ADVANCE).raise_for_status()
        try:
            yield srv, tokens, clients
        finally:
            for c in clients.values():
                c.close()


def shown_in_dialog(page) -> str:
    return page.text_content("#release-preview")


def test_release_through_the_dialog(browser, cell):  # noqa: F811
    srv, tokens, c = cell
    page, _ = page_for(browser, srv.url)
    sign_in(page, tokens["us-lead"])
    wait_count(page)
    click_incident(page, "US-7")
    page.click("#release")
    page.wait_for_selector("#release-dialog[open]")
    # A first release withholds every field that is not judged until the lead unticks it.
    assert page.is_checked("#withhold-source") and page.is_checked("#withhold-notes")
    assert page.is_disabled("#withhold-lat") and page.is_disabled("#withhold-actor")
    assert SECRET not in shown_in_dialog(page) and "36.99" in shown_in_dialog(page)
    page.uncheck("#withhold-notes")
    assert "seen by a US asset" in shown_in_dialog(page)
    # Nothing is released until the lead confirms what the other side will see.
    assert page.is_disabled("#release-go")
    page.check("#release-confirm")
    page.click("#release-go")
    page.wait_for_selector("#release-dialog", state="detached")
    seen = c["reviewer"].get("/incidents/US-7").json()
    assert "source" not in seen["record"] and seen["record"]["notes"] == "seen by a US asset"
    # A correction, released again: the dialog starts from the previous release's choice.
    c["us-analyst"].post("/incidents", json=STRIKE | {"notes": "corrected"}).raise_for_status()
    page.evaluate("openIncident('US-7', 'US')")
    page.wait_for_selector("#release")
    page.click("#release")
    page.wait_for_selector("#release-dialog[open]")
    assert page.is_checked("#withhold-source") and not page.is_checked("#withhold-notes")
    page.check("#withhold-notes")
    page.check("#release-confirm")
    page.uncheck("#withhold-source")  # a changed choice must be confirmed again
    assert page.is_disabled("#release-go")
    page.check("#withhold-source")
    page.check("#release-confirm")
    page.click("#release-go")
    page.wait_for_selector("#release-dialog", state="detached")
    seen = c["reviewer"].get("/incidents/US-7").json()
    assert "notes" not in seen["record"] and "source" not in seen["record"]
    assert seen["revisions"][0]["record"]["notes"] == "seen by a US asset"  # its own release


@pytest.mark.parametrize("who", ["us-analyst", "ru-lead", "reviewer"])
def test_release_is_offered_only_on_ones_own_records(browser, cell, who):  # noqa: F811
    srv, tokens, c = cell
    c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}
                      ).raise_for_status()
    page, _ = page_for(browser, srv.url)
    sign_in(page, tokens[who])
    wait_count(page)
    click_incident(page, "US-7")
    assert page.locator("#release").count() == 0
    if who == "ru-lead":  # its own record has the button
        page.evaluate("openIncident('RU-3', 'RU')")
        page.wait_for_selector("#release")


def test_pages_run_under_their_policy_and_load_nothing_from_outside(browser, cell):  # noqa: F811
    srv, tokens, _ = cell
    page = browser.new_page()  # the Content-Security-Policy in force (no bypass)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy"
            in m.text else None)
    page.goto(f"{srv.url}/docs")
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock").count() > 20
    # The map page: it signs in, draws, and opens an incident under the same policy.
    page.goto(srv.url)
    page.wait_for_selector("html[data-ready]", state="attached")  # no eval under the policy
    page.fill("#token", tokens["us-lead"])
    page.click("#signin button")
    page.locator("#count", has_text="incidents").wait_for()
    page.evaluate("openIncident('US-7', 'US')")
    page.locator("#panel h2", has_text="US-7").wait_for()
    page.click("#release")
    page.locator("#release-dialog[open]").wait_for()
    assert asked and all(u.startswith(srv.url) or u.startswith("data:") for u in asked), asked
    assert violations == []
    page.close()


def test_another_sign_in_starts_from_a_clean_page_and_a_closed_dialog_goes(browser, cell):  # noqa: F811
    """A reviewer's first hour: with the US record open, the RU lead signed in in the same tab
    and read its withheld source in the panel left on screen; and a release dialog closed with
    Esc stayed in the page, so the next one's confirmation ticked the hidden one's box."""
    srv, tokens, c = cell
    c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source"]}).raise_for_status()
    page, _ = page_for(browser, srv.url)
    sign_in(page, tokens["us-lead"])
    wait_count(page)
    click_incident(page, "US-7")
    assert SECRET in page.text_content("#panel")
    assert page.input_value("#token") == "" and page.is_visible("#signout")
    for _ in range(2):
        page.click("#release")
        page.wait_for_selector("#release-dialog[open]")
        page.keyboard.press("Escape")
        page.wait_for_selector("#release-dialog", state="detached")
    page.click("#release")
    page.wait_for_selector("#release-dialog[open]")
    assert page.locator("#release-dialog").count() == 1
    page.click("label[for=release-confirm]")
    assert page.is_enabled("#release-go")
    page.keyboard.press("Escape")
    # The RU lead, in the same tab.
    page.fill("#token", tokens["ru-lead"])
    page.click("#signin button[type=submit]")
    page.wait_for_function("document.getElementById('whoami').textContent.includes('ru-lead')")
    wait_count(page)
    assert SECRET not in page.content()
    # Signing out leaves nothing of anyone.
    page.click("#signout")
    page.wait_for_selector("html[data-ready]", state="attached")
    page.wait_for_function("document.getElementById('whoami').textContent === ''")
    assert page.evaluate("sessionStorage.getItem('jig.token')") is None


def test_the_release_dialog_names_fields_in_the_pages_language(browser, cell):  # noqa: F811
    # In Russian the dialog listed "lon", "notes", "source" while the panel beside it said
    # "долгота": the lead judges what the other side will see, in one vocabulary.
    srv, tokens, _ = cell
    page, _ = page_for(browser, srv.url)
    page.wait_for_selector("html[data-ready]", state="attached")
    page.select_option("#lang", "ru")
    sign_in(page, tokens["us-lead"])
    wait_count(page)
    click_incident(page, "US-7")
    page.click("#release")
    page.wait_for_selector("#release-dialog[open]")
    assert page.text_content("label[for=withhold-notes]") == "примечания"
    assert page.text_content("label[for=withhold-lon]") == "долгота"
    assert "долгота" in page.text_content("#release-preview")
