"""`jig report`: the periodic report of a period, against the one before, as HTML or PDF."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jig.agreement.model import Agreement
from jig.cli.cell import DataOpt, DbOpt, KeysOpt
from jig.cli.commitments import StatusOpt, judge_as_of
from jig.cli.common import (
    GazetteerOpt,
    NoticesOpt,
    RejectSink,
    RejectsOpt,
    app,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    open_store,
    progress_of,
    refuse_overwriting,
    warn_misspelt_fields,
)
from jig.findings import OUTCOMES
from jig.geo import point_text
from jig.i18n import LANGUAGES
from jig.pipeline import judge_files
from jig.readers.rejects import Reject

if TYPE_CHECKING:
    from jig.report import Period

# The report's modules (Matplotlib, the store's SQLAlchemy) are imported by the commands that
# use them: every other command would wait about a second for them. The joint centre's name,
# as jig.store.judging.JOINT gives it.
JOINT = "joint"


def periods(agreement: Agreement, first: str | None, last: str | None, compare: str
            ) -> tuple[Period, Period | None]:
    from jig.report.tally import report_periods

    try:
        return report_periods(agreement, first, last, compare, ("--from", "--to", "--compare"))
    except ValueError as exc:
        err.print(f"[bold red]error[/] {exc}")
        raise typer.Exit(2) from None


def is_pdf(output: Path) -> bool:
    return output.suffix.lower() == ".pdf"


def write_report(page: str | bytes, output: Path) -> None:
    """The report to `output`, whole or not at all (a file beside it, then renamed): `page`
    is the report's bytes, or an HTML page to write as it is or laid out as PDF."""
    from jig.report import html_to_pdf

    body = page if isinstance(page, bytes) else (
        html_to_pdf(page) if is_pdf(output) else page.encode("utf-8"))
    tmp = output.with_name(f".{output.name}.part")
    try:
        tmp.write_bytes(body)
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        err.print(f"[bold red]error[/] -o {output}: cannot write the report "
                  f"({exc.strerror or exc})")
        raise typer.Exit(2) from None


@app.command("report")
def report_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="report.html or report.pdf.")],
    agreement: Annotated[Path | None, typer.Argument(
        help="The agreement YAML file (format 1); without it, the report is of the store.")]
    = None,
    incidents: Annotated[list[Path] | None, typer.Argument(
        help="Incident files: CSV, JSON Lines or GeoJSON, any export jig reads.")] = None,
    notices: NoticesOpt = None,
    first: Annotated[str | None, typer.Option("--from", help="First day of the period "
                                              "(default: the agreement's first day in force).")]
    = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day of the period, included "
                                             "(default: the last day in force).")] = None,
    compare: Annotated[str, typer.Option(help="previous (as many days just before), none, or "
                                         "FROM/TO.")] = "previous",
    lang: Annotated[str, typer.Option(help="en, ru or ar.")] = "en",
    air: Annotated[list[Path] | None, typer.Option(
        "--air", help="Air-activity notice files: list the period's air-desk conflicts.")]
    = None,
    rejects: RejectsOpt = None,
    gazetteer: GazetteerOpt = None,
    status: StatusOpt = None,
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    keys: KeysOpt = None,
    agreement_id: Annotated[str | None, typer.Option(
        "--agreement-id", help="From the store: the agreement (default: the only one).")] = None,
    viewer: Annotated[str, typer.Option(
        "--as", help="From the store: whose view, a party's headquarters or joint (the joint "
        "centre: what was released).")] = JOINT,
    incident: Annotated[str | None, typer.Option(
        "--incident", "-i", help="The dossier of this one incident instead: its record, "
        "revisions, every finding with its explanation and evidence, its review.")] = None,
) -> None:
    """Write the monitoring report of a period: header, summary against the previous period,
    map, charts, annex of every breach and undetermined finding, methods. From files, or
    (without AGREEMENT) from the store as a party or the joint centre sees it.

    Example: jig report examples/syria-2016-jig/agreement.yaml \\
             examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv \\
             --from 2016-09-01 --to 2016-09-30 --lang ru -o report.pdf
             jig report --db postgresql://host/jig --as US --from 2016-09-01 -o us.pdf
    """
    from jig.report import ReportBuilder, ReportInputs, render_report

    if lang not in LANGUAGES:
        err.print(f"[bold red]error[/] --lang {lang!r}: use one of {', '.join(LANGUAGES)}")
        raise typer.Exit(2)
    if output.suffix.lower() not in (".html", ".htm", ".pdf"):
        err.print(f"[bold red]error[/] -o {output}: name a .html or .pdf file")
        raise typer.Exit(2)
    if agreement is None:
        _from_store(data, db, agreement_id, viewer, first, last, compare, lang, output, incident,
                    keys)
        return
    if not incidents:
        err.print("[bold red]error[/] give incident files after the agreement (or neither, "
                  "for a report of the store)")
        raise typer.Exit(2)
    refuse_overwriting([agreement, *incidents, *(notices or []), *(air or []),
                        *(status or []), *(gazetteer or [])],
                       ("-o", output), ("--rejects", rejects))
    warn_misspelt_fields(incidents)
    a = load_or_exit(agreement)
    if incident is not None:
        _dossier_from_files(a, incidents, notices, gazetteer, incident, lang, output)
        return
    period, before = periods(a, first, last, compare)
    sink = RejectSink(rejects)
    builder = ReportBuilder(a, period, before, [str(p) for p in incidents])
    with exit_on_errors():
        from jig.readers import read_notices

        read = read_notices(notices or [], a)
    for r in read.rejects:
        sink(r)
    inputs = ReportInputs(incident_files=[str(p) for p in incidents],
                          notice_files=[str(p) for p in notices or []],
                          notices_read=read.read, notices_rejected=len(read.rejects),
                          air_conflicts=air_conflicts(a, air, period, sink) if air else [],
                          commitments=judge_as_of(a, status, period.end, sink),
                          commitments_as_of=period.end,
                          gazetteer_files=[str(p) for p in gazetteer or []])

    from jig.report.rejected import RejectDates

    dated = RejectDates(a)  # a reject's date, so the header counts the period's

    def rejected(r: Reject) -> None:
        sink(r)
        builder.add_reject(r, dated(r))

    reader = make_reader(a, gazetteer)
    with exit_on_errors(), progress_of("judging") as progress:
        def tick(_: int = 0) -> None:
            progress(done=reader.position.done, total=reader.position.total)

        for v in judge_files(reader, incidents, read.records, on_reject=rejected, on_rows=tick):
            builder.add(v)
    sink.close()
    write_report(render_report(builder, inputs, builder.notices_in_period(read.records), lang,
                               is_pdf(output)), output)
    c = builder.now.verdicts
    err.print(f"read {reader.counts.read} incident rows: judged {reader.counts.incidents}, "
              f"rejected {reader.counts.rejected}; {builder.now.incidents} in "
              f"{period.first}–{period.last}: "
              + ", ".join(f"{v} {c.get(v, 0)}" for v in OUTCOMES)
              + f"; report written to {output}", soft_wrap=True)


def _dossier_from_files(a: Agreement, incidents: list[Path], notices: list[Path] | None,
                        gazetteer: list[Path] | None, incident: str, lang: str,
                        output: Path) -> None:
    from jig.cli.common import notices_or_exit
    from jig.engine import explain
    from jig.report.dossier import render_dossier

    notes = notices_or_exit(a, notices, RejectSink(None))
    with exit_on_errors():
        records, _ = make_reader(a, gazetteer).read(incidents)
    try:
        ex = explain(a, records, incident, notes)
    except KeyError:
        err.print(f"[bold red]error[/] no incident {incident!r} in the input")
        raise typer.Exit(2) from None
    write_report(render_dossier(a, ex, lang), output)
    err.print(f"dossier of {incident} ({ex.verdict.verdict}) written to {output}")


def _from_store(data: Path, db: str | None, agreement_id: str | None, viewer: str,
                first: str | None, last: str | None, compare: str, lang: str, output: Path,
                incident: str | None = None, keys: Path | None = None) -> None:
    from jig.report import render_report
    from jig.report.fromstore import report_from_store
    from jig.service.settings import Settings

    settings = Settings(data_dir=data, database_url=db)
    store = open_store(data, db, keys=keys)
    try:
        try:
            version = store.version(agreement_id)
        except KeyError as exc:
            err.print(f"[bold red]error[/] {settings.url}: {exc.args[0]}")
            raise typer.Exit(2) from None
        a = store.load(version)
        if viewer != JOINT and viewer not in a.parties:
            err.print(f"[bold red]error[/] --as {viewer!r}: use joint or a party of "
                      f"{a.id} ({', '.join(a.parties)})")
            raise typer.Exit(2)
        if incident is not None:
            from jig.report.dossier import render_dossier
            from jig.report.fromstore import dossier_from_store

            try:
                ex, extras = dossier_from_store(store, version, viewer, incident)
            except KeyError:
                err.print(f"[bold red]error[/] no incident {incident!r} that {viewer} may see "
                          f"in {settings.url}")
                raise typer.Exit(2) from None
            write_report(render_dossier(a, ex, lang, extras), output)
            err.print(f"dossier of {incident} ({ex.verdict.verdict}) written to {output}")
            return
        period, before = periods(a, first, last, compare)
        built = report_from_store(store, version, viewer, period, before)
    finally:
        store.close()
    write_report(render_report(built.builder, built.inputs, built.notices, lang,
                               is_pdf(output)), output)
    c = built.builder.now.verdicts
    err.print(f"{built.builder.now.incidents} incidents in {period.first}–{period.last} as "
              f"{viewer} sees them: " + ", ".join(f"{v} {c.get(v, 0)}" for v in OUTCOMES)
              + f"; report written to {output}", soft_wrap=True)


def air_conflicts(agreement: Agreement, paths: list[Path], period: Period, sink: RejectSink
                  ) -> list[dict[str, Any]]:
    """The period's conflicts between different parties' notified air activity (the margins
    as numbers: the report writes them in its language)."""
    from jig.air.deconflict import deconflict
    from jig.air.reading import read_air_notices

    with exit_on_errors():
        read = read_air_notices(paths, agreement)
    for r in read.rejects:
        sink(r)
    out = []
    for c in deconflict(agreement, read.records):
        d = c.as_dict(agreement)
        if not period.contains(c.when.start):
            continue
        m = d["margin"]
        out.append({"a": c.a.id, "b": c.b.id, "parties": f"{c.a.party} × {c.b.party}",
                    "when": d["when"], "where": point_text(d["where"]["lon"], d["where"]["lat"], 3),
                    "margin": m})
    return out
