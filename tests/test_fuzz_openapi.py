"""Schemathesis against our own OpenAPI description: no server error, no answer outside the schema.

Bounded (60 generated requests per operation, derandomised so CI is repeatable); a deeper run by hand is
described in docs/comments.md ("Hostile input").
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import ADMIN_TOKEN

CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def test_every_operation_holds_to_its_schema(make_app):
    # Schemathesis's client speaks as `localhost`: a site on localhost, so that the host check lets it in.
    app = make_app(moderation="first", serve_site=False, siteurl="http://localhost")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        @settings(max_examples=60, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def holds(case):
            response = case.call(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            case.validate_response(response, checks=CHECKS)

        holds()
