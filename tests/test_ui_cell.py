"""The joint cell's work as forms, in a real browser (Debian's Chromium) against a running
server: the reviewer opens a review, Russia's lead answers citing evidence picked from a list
and determines from a list of outcomes, the US lead determines, the reviewer publishes, and
an observer sees the published determination; the reviewer's map recolours when a release
changes the joint verdict."""

from __future__ import annotations

import httpx
from tests.test_joint_cell import SECRET
from tests.test_ui import browser, locked_server, page_for, sign_in  # noqa: F401

QUESTION = "Was this strike on an agreed target?"


def open_from_list(page, incident: str) -> None:
    page.wait_for_selector(f"#incident-list li[data-id='{incident}']")
    page.click(f"#incident-list li[data-id='{incident}']")
    page.wait_for_selector(f"#panel h2:has-text('{incident}')")


def drawn_verdict(page, incident: str) -> str:
    return page.evaluate("(id) => (state.map.points.find((p) => p.data.id === id) || {data: {}})"
                         ".data.verdict", incident)


def test_query_answer_determine_publish_through_forms(browser, locked_server):  # noqa: F811
    srv, tokens = locked_server
    auth = {"authorization": f"Bearer {tokens['ru-lead']}"}
    pages = {}
    for who in ("reviewer", "ru-lead", "us-lead", "observer"):
        pages[who], _ = page_for(browser, srv.url)
        sign_in(pages[who], tokens[who])
    reviewer, ru, us, observer = (pages[w] for w in ("reviewer", "ru-lead", "us-lead",
                                                    "observer"))
    # The joint centre sees the US strike as a breach, and opens a review with the form.
    reviewer.wait_for_function("state.map.points.some((p) => p.data.id === 'US-7')")
    assert drawn_verdict(reviewer, "US-7") == "breach"
    open_from_list(reviewer, "US-7")
    reviewer.fill("#review-query", QUESTION)
    reviewer.click("#review-open button[type=submit]")
    reviewer.wait_for_selector("#review-state:has-text('queried')")
    assert QUESTION in reviewer.text_content("#review-state")
    # The question is the reviewer's, to the party: it read as RU's own words ("RU: ...").
    assert "the reviewer asked RU:" in reviewer.text_content("#review-state")
    # Russia releases its report of the Nusra advance: the joint verdict changes, and the
    # reviewer's map recolours without a reload.
    httpx.post(f"{srv.url}/incidents/RU-3/release", json={"withhold": ["source"]},
               headers=auth).raise_for_status()
    reviewer.wait_for_function("state.map.points.some((p) => p.data.id === 'US-7' && "
                               "p.data.verdict === 'excepted')")
    # Russia's lead answers, citing RU-3 picked from the list of evidence it may cite.
    open_from_list(ru, "US-7")
    ru.wait_for_selector("#review-answer")
    ru.fill("#answer-text", "Nusra advanced beyond DA-1")
    ru.check("#pick-incident-RU-3")
    ru.click("#review-answer button[type=submit]")
    ru.wait_for_selector("#review-state:has-text('answered')")
    review = httpx.get(f"{srv.url}/reviews", headers=auth).json()[-1]
    assert review["answer_evidence"] == [{"kind": "incident", "id": "RU-3"}]
    # Determinations: an outcome from the list, with grounds, by each party's lead.
    options = ru.eval_on_selector_all("#determine-outcome option", "(os) => os.map((o) => o.value)")
    assert options == ["", "breach", "no_breach", "excepted", "unresolved"]
    ru.select_option("#determine-outcome", "excepted")
    ru.fill("#determine-text", "Imminent advance.")
    ru.click("#review-determine button[type=submit]")
    ru.wait_for_selector(".determination:has-text('RU')")
    assert "excepted — Imminent advance." in ru.text_content(".determination")
    open_from_list(us, "US-7")
    us.select_option("#determine-outcome", "excepted")
    us.fill("#determine-text", "The advance is confirmed.")
    us.click("#review-determine button[type=submit]")
    us.wait_for_selector("#review-state:has-text('determined')")
    # The reviewer publishes; the observer sees the determination, not an error.
    open_from_list(reviewer, "US-7")
    reviewer.click("#review-publish button[type=submit]")
    reviewer.wait_for_selector("#review-state:has-text('published')")
    observer.wait_for_function("document.getElementById('count').textContent === "
                               "'1 published determinations'")
    assert observer.is_hidden("#error")
    open_from_list(observer, "US-7")
    panel = observer.text_content("#panel")
    assert "RU: excepted — Imminent advance." in panel
    assert "US: excepted — The advance is confirmed." in panel
    assert "determined jointly" in panel
    assert SECRET not in observer.content()
