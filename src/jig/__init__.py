"""jig: check ceasefire and de-escalation agreements against reported incidents.

    from jig import load_agreement, read_incidents, check
    agreement = load_agreement("examples/syria-2016-jig/agreement.yaml")
    incidents = read_incidents(["examples/syria-2016-jig/incidents.csv"], agreement)
    for verdict in check(agreement, incidents.records):
        print(verdict.as_dict())
"""

from jig.agreement import Agreement, json_schema, load_agreement, parse_agreement
from jig.engine import Explanation, check, explain
from jig.errors import AgreementError, InputFileError, JigError, Problem
from jig.findings import OUTCOMES, Evidence, Finding, Verdict
from jig.readers import ReadResult, Reject, read_incidents, read_notices, write_rejects
from jig.records import Incident, Notice

__version__ = "0.1.0"

__all__ = [
    "OUTCOMES", "Agreement", "AgreementError", "Evidence", "Explanation", "Finding", "Incident",
    "InputFileError", "JigError", "Notice", "Problem", "ReadResult", "Reject", "Verdict",
    "check", "explain", "json_schema", "load_agreement", "parse_agreement", "read_incidents",
    "read_notices", "write_rejects",
]
