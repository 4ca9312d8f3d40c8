"""Rule: the API keeps the promises of its own OpenAPI document.

schemathesis reads `/openapi.json` from the app in-process (ASGI, the suite's database and
frozen clock) and sends generated requests to every /api/ operation, valid ones and ones that
break the schema, as an admin and as a unit handler (a street's). Every answer must be no
server error, a status the document declares for the operation, a declared content type and
headers, and a body that matches the declared schema. Bounded: a few examples per operation
and role, derandomised, so a run costs tens of seconds and finds the same cases each time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests.conftest import auth_headers

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 3  # per operation, role and mode: about 100 operations x 2 roles x 2 modes


@pytest.fixture
def api_schema(client: TestClient) -> Iterator[schemathesis.schemas.BaseSchema]:
    yield schemathesis.openapi.from_asgi("/openapi.json", client.app)


def _operations(schema: schemathesis.schemas.BaseSchema) -> list[object]:
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/api/"):
            found.append(operation)
    return found


def _run(schema: schemathesis.schemas.BaseSchema, headers: dict[str, str]) -> int:
    operations = _operations(schema)
    assert len(operations) > 50  # the document really lists the API
    sent = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)  # type: ignore[attr-defined]

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def check(case: schemathesis.Case) -> None:
                nonlocal sent
                case.call_and_validate(headers=dict(headers), checks=CHECKS)
                sent += 1

            try:
                check()
            except Unsatisfiable:  # nothing to get wrong: no parameters and no body
                assert mode is GenerationMode.NEGATIVE, operation
            except Exception as exc:  # name the operation in the failure
                raise AssertionError(f"{operation} ({mode}): {exc}") from exc
    return sent


def test_the_api_keeps_its_openapi_document_for_an_admin(
    api_schema: schemathesis.schemas.BaseSchema, session: Session
) -> None:
    assert _run(api_schema, auth_headers(session, "admin")) > 300


def test_the_api_keeps_its_openapi_document_for_a_unit_handler(
    api_schema: schemathesis.schemas.BaseSchema, session: Session
) -> None:
    assert _run(api_schema, auth_headers(session, "street")) > 300



