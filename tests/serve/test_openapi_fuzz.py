"""schemathesis generates requests from /openapi.json, for every operation: none gets a
server error (5xx), over a database that a real sync and a failing sync wrote."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import client_for


def test_no_generated_request_gets_a_server_error(filled_sqlite, tmp_path):
    sqlite_url = filled_sqlite
    with client_for(sqlite_url) as c:
        schema = schemathesis.openapi.from_asgi("/openapi.json", c.app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 10
        seen: list[int] = []
        for operation in operations:
            @given(operation.as_strategy())
            @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def no_server_error(case):
                response = case.call()
                seen.append(response.status_code)
                assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])

            no_server_error()
        assert len(seen) >= 3 * len(operations) and 200 in seen
