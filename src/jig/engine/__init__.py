"""The rule engine: pure functions from an agreement and records to findings."""

from jig.engine.check import ClauseExplanation, Explanation, check, explain

__all__ = ["ClauseExplanation", "Explanation", "check", "explain"]
