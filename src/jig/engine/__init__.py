"""The rule engine: pure functions from an agreement and records to findings."""

from jig.engine.check import (
    ClauseExplanation,
    Explanation,
    Judged,
    check,
    check_one_by_one,
    evidence_pool,
    explain,
    judge,
    possible_evidence,
)

__all__ = ["ClauseExplanation", "Explanation", "Judged", "check", "check_one_by_one",
           "evidence_pool", "explain", "judge", "possible_evidence"]
