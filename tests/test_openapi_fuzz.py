"""Schemathesis over every operation of the service's OpenAPI, against a running server: no
answer is a 5xx, and every status is one the operation documents. Bounded in examples per
operation (and derandomized, so a run is repeatable); the issue's own run had 50,613 cases."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance
from tests.conftest import EXAMPLE, Server

from jig.service import Settings

# Cases per operation and mode: about a minute on SQLite under load; fewer on PostgreSQL,
# where what differs (text the database refuses) is pinned by tests/test_hostile.py too.
EXAMPLES = {"sqlite": 5, "postgresql": 2}


def negatable(operation) -> bool:
    """Whether the operation has an input that can be sent wrong: a typed or bounded parameter,
    or a body with a schema. (Without one, Hypothesis spends seconds finding that no negative
    case exists: every string is a valid id.)"""
    raw = operation.definition.raw
    schemas = [p.get("schema", {}) for p in raw.get("parameters", [])]
    schemas += [c.get("schema", {}) for c in raw.get("requestBody", {}).get("content", {}).values()]
    text = json.dumps(schemas)
    return any(f'"{word}"' in text for word in ("integer", "number", "boolean", "$ref", "object",
                                                "minimum", "maximum", "enum"))


@pytest.fixture
def fuzzed(db_url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"], open_agreements=True)
    with Server(settings) as srv:
        srv.backend = db_url.split(":")[0]
        yield srv


def test_no_operation_answers_5xx_or_an_undocumented_status(fuzzed):
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * negatable(operation)
        for mode in modes:

            @settings(max_examples=EXAMPLES[fuzzed.backend], deadline=None, database=None,
                      derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                response = case.call(base_url=fuzzed.url, timeout=120)
                case.validate_response(response, checks=[not_a_server_error,
                                                         status_code_conformance])

            try:
                check()
            except Unsatisfiable:  # nothing of this mode to send (every string is valid)
                pass
            except Exception as exc:  # every operation's failures, not the first only
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations > 30
    assert not failures, "\n\n".join(failures)
