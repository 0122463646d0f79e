"""The shipped 2016 example: every rule and every outcome, each incident's verdict pinned."""

from __future__ import annotations

from tests.conftest import EXAMPLE

from jig import OUTCOMES, check, read_incidents, read_notices

EXPECTED = {
    "A-01": "breach", "A-02": "complies", "A-03": "undetermined", "A-04": "undetermined",
    "A-05": "complies", "A-06": "complies", "A-07": "breach", "A-08": "breach",
    "A-09": "excepted", "A-10": "breach", "A-11": "not_applicable", "A-12": "excepted",
    "A-13": "not_applicable", "A-14": "excepted", "A-15": "undetermined", "A-16": "breach",
    "A-17": "breach", "A-18": "undetermined", "A-19": "undetermined", "A-20": "breach",
    "A-21": "complies", "A-22": "not_applicable", "A-23": "not_applicable", "A-24": "complies",
    "A-25": "breach", "A-26": "complies", "A-27": "undetermined", "A-28": "undetermined",
}


def verdicts(example):
    incidents = read_incidents([EXAMPLE / "incidents.csv"], example).records
    notices = read_notices([EXAMPLE / "notices.csv"], example).records
    return check(example, incidents, notices)


def test_every_incident_gets_its_expected_verdict(example):
    assert {v.incident.id: v.verdict for v in verdicts(example)} == EXPECTED


def test_the_example_shows_every_outcome_and_every_rule(example):
    vs = verdicts(example)
    outcomes = {f.outcome for v in vs for f in v.findings} | {v.verdict for v in vs}
    assert outcomes == set(OUTCOMES)
    clauses = {f.clause for v in vs for f in v.findings}
    assert clauses == {c.id for c in example.clauses if c.rule != "no_flights_in"}
    exceptions = {f.exception for v in vs for f in v.findings if f.outcome == "excepted"}
    assert exceptions == set(example.exceptions)


def test_the_readmes_python_runs_as_written(monkeypatch, capsys):
    """Every ```python block of the README, in order, from the repository's root (with
    ../shared beside it, as CI has it): what a newcomer pastes first must work."""
    import re

    from tests.conftest import ROOT

    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"),
                        re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)
    assert scope["judged"].verdict_counts()["breach"] > 0
    assert '"verdict": "excepted"' in capsys.readouterr().out.replace("'", '"')
