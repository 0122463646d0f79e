"""The rule engine: pure functions from an agreement and records to findings."""

from jig.engine.check import ClauseExplanation, Explanation, check, evidence_pool, explain

__all__ = ["ClauseExplanation", "Explanation", "check", "evidence_pool", "explain"]
