"""`jig report`: the periodic report of a period, against the one before, as HTML or PDF."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from jig.agreement.model import Agreement
from jig.cli.common import (
    AgreementArg,
    GazetteerOpt,
    IncidentsArg,
    NoticesOpt,
    RejectSink,
    RejectsOpt,
    app,
    err,
    exit_on_errors,
    load_or_exit,
    make_reader,
    progress_of,
)
from jig.i18n import LANGUAGES
from jig.pipeline import judge_files
from jig.readers.rejects import Reject
from jig.report import Period, ReportBuilder, ReportInputs, html_to_pdf, render_html
from jig.report.tally import VERDICTS, report_periods


def periods(agreement: Agreement, first: str | None, last: str | None, compare: str
            ) -> tuple[Period, Period | None]:
    try:
        return report_periods(agreement, first, last, compare, ("--from", "--to", "--compare"))
    except ValueError as exc:
        err.print(f"[bold red]error[/] {exc}")
        raise typer.Exit(2) from None


def write_report(html: str, output: Path) -> None:
    """The report to `output`, whole or not at all (a file beside it, then renamed)."""
    body = html_to_pdf(html) if output.suffix.lower() == ".pdf" else html.encode("utf-8")
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
    agreement: AgreementArg,
    incidents: IncidentsArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="report.html or report.pdf.")],
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
) -> None:
    """Write the monitoring report of a period: header, summary against the previous period,
    map, charts, annex of every breach and undetermined finding, methods.

    Example: jig report examples/syria-2016-jig/agreement.yaml \\
             examples/syria-2016-jig/incidents.csv -n examples/syria-2016-jig/notices.csv \\
             --from 2016-09-01 --to 2016-09-30 --lang ru -o report.pdf
    """
    if lang not in LANGUAGES:
        err.print(f"[bold red]error[/] --lang {lang!r}: use one of {', '.join(LANGUAGES)}")
        raise typer.Exit(2)
    if output.suffix.lower() not in (".html", ".htm", ".pdf"):
        err.print(f"[bold red]error[/] -o {output}: name a .html or .pdf file")
        raise typer.Exit(2)
    a = load_or_exit(agreement)
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
                          air_conflicts=air_conflicts(a, air, period, sink) if air else [])

    def rejected(r: Reject) -> None:
        sink(r)
        builder.add_reject(r)

    reader = make_reader(a, gazetteer)
    with exit_on_errors(), progress_of("judging") as tick:
        for v in judge_files(reader, incidents, read.records, on_reject=rejected, on_row=tick):
            builder.add(v)
    sink.close()
    html = render_html(builder, inputs, builder.notices_in_period(read.records), lang)
    write_report(html, output)
    c = builder.now.verdicts
    err.print(f"read {reader.counts.read} incident rows: judged {reader.counts.incidents}, "
              f"rejected {reader.counts.rejected}; {builder.now.incidents} in "
              f"{period.first}–{period.last}: "
              + ", ".join(f"{v} {c.get(v, 0)}" for v in VERDICTS)
              + f"; report written to {output}", soft_wrap=True)


def air_conflicts(agreement: Agreement, paths: list[Path], period: Period, sink: RejectSink
                  ) -> list[dict[str, str]]:
    """The period's conflicts between different parties' notified air activity."""
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
                    "when": d["when"], "where": f"{d['where']['lat']}, {d['where']['lon']}",
                    "margin": f"{m['horizontal_m']:g} m, {m['vertical_ft']:g} ft, "
                              f"{m['time_min']:g} min"})
    return out
