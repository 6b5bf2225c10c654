"""schemathesis against the API's OpenAPI schema: every operation, with a valid token (allowed every
operation, its owner in scope for all of them) and with none, data that fits the schema and data that does
not: no server error, every status code, content type and body as the schema says. Bounded: MAX_EXAMPLES
per operation, token and mode (6 × 2 × 2 runs), well under a minute."""

import json
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.utils.encoders import JSONEncoder
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xinyu.api.models import Operation

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def load_schema():
    """The schema as /api/v1/schema/ serves it (through JSON: dates and lazy texts become strings)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))


def run(operation, mode, headers, app, seen: Counter):
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(headers=headers, app=app)
        seen[(operation.path, bool(headers), response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


@pytest.fixture
def connection_kept():
    """The WSGI application closes the database connection at the end of each request (Django's
    `close_old_connections`), which would end the test's transaction; Django's test client keeps it the
    same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_with_and_without_a_token(world, token_for, connection_kept):
    schema, app = load_schema(), get_wsgi_application()
    token = token_for(world.cast["student_affairs"], *Operation.values)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    seen = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                run(operation, mode, headers, app, seen)
    # The runs reached the endpoints: refused without a token, answered with one.
    paths = {operation.path for operation in operations}
    assert all(seen[(path, False, 401)] for path in paths)
    assert seen[("/api/v1/network/", True, 200)] and seen[("/api/v1/aggregates/monthly-grid/", True, 200)]
    assert any(
        status in (400, 422) for path, token_sent, status in seen if path == "/api/v1/roster/sync/" and token_sent
    )
