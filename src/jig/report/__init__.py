"""`jig report`: the periodic monitoring report (HTML, PDF) in English, Russian or Arabic.

`tally` counts verdicts by period as they stream past (no I/O); `figures` draws the map and
charts; `render` lays it all out with Jinja2 and, for PDF, WeasyPrint; `reasons` gives each
finding's reason in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jig.agreement.model import Agreement
from jig.findings import Verdict
from jig.readers.rejects import Reject
from jig.report.render import ReportInputs, html_to_pdf, render_html, render_pdf, render_report
from jig.report.tally import Period, ReportBuilder


def tally_verdicts(agreement: Agreement, verdicts: Iterable[Verdict], period: Period,
                   compare: Period | None, inputs: list[str] | None = None,
                   rejects: Iterable[Reject] = (),
                   reject_dates: Callable[[Reject], float | None] | None = None
                   ) -> ReportBuilder:
    """Feed verdicts (and rejects) into a new builder for `period` against `compare`;
    `reject_dates` gives a reject's time (`jig.report.rejected.RejectDates`), without which
    no reject is counted in a period."""
    builder = ReportBuilder(agreement, period, compare, inputs)
    for v in verdicts:
        builder.add(v)
    for r in rejects:
        builder.add_reject(r, reject_dates(r) if reject_dates is not None else None)
    return builder


__all__ = ["Period", "ReportBuilder", "ReportInputs", "html_to_pdf", "render_html", "render_pdf",
           "render_report", "tally_verdicts"]
