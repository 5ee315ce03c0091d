"""The phone API fuzzed from its own OpenAPI schema (schemathesis): at least 500 generated requests,
valid and invalid, never a 500 and never a traceback in a body; every answer as the schema says.

Half of the generated requests carry the code of a real open walk (and a real remark's id), so that
they reach the remark service and the database instead of stopping at "no such walk". The cases come
from each operation's hypothesis strategy (schemathesis 4's pytest plugin does not run on pytest 9).
"""

from __future__ import annotations

import itertools
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from geo_trygghet.remarks import Actor, RemarkService
from geo_trygghet.web.stack import web_app

#: Examples per operation and mode: four operations, valid and invalid data, 4 × 2 × 100 = 800 requests.
EXAMPLES = 100
TOWN = (16.19615, 58.99215)
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    service = RemarkService(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}")
    walk = service.create_walk(Actor.system(), "Fuzzvandring", walk_date="2025-10-02")
    known = service.submit_remark(Actor.participant(walk.join_code), walk, str(uuid.uuid4()), "belysning",
                                  "Trasig lampa", lon=TOWN[0], lat=TOWN[1])
    app = web_app(lambda: service, burst=0, per_minute=0)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    try:
        yield {"schema": schema, "code": walk.join_code, "remark": known.id}
    finally:
        service.close()


def operations() -> list[tuple[str, str]]:
    return [("GET", "/walks/{code}"), ("POST", "/walks/{code}/remarks"), ("PUT", "/remarks/{remark_id}/photo"),
            ("GET", "/walks/{code}/remarks")]


def _point_at_real_data(case, env, turn: int) -> None:
    """Every other case: the real walk's code and the known remark's id."""
    if turn % 2:
        return
    params = case.path_parameters or {}
    if "code" in params:
        params["code"] = env["code"]
    if "remark_id" in params:
        params["remark_id"] = env["remark"]
    if case.headers and any(k.lower() == "x-walk-code" for k in case.headers):
        case.headers = {**{k: v for k, v in case.headers.items() if k.lower() != "x-walk-code"},
                        "X-Walk-Code": env["code"]}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), operations())
def test_no_request_makes_a_500_or_a_traceback(fuzz_env, method, path, mode):
    operation = fuzz_env["schema"][path][method]
    statuses: dict[int, int] = {}
    turns = itertools.count()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def one(case):
        _point_at_real_data(case, fuzz_env, next(turns))
        response = case.call()
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        where = f"{case.method} {case.formatted_path}"
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
        assert "Traceback" not in response.text and 'File "' not in response.text, where
        case.validate_response(response, checks=CHECKS)

    one()
    print(f"{method} {path} ({mode}): {statuses}")
    assert sum(statuses.values()) >= EXAMPLES, statuses
    assert set(statuses) - {404}, f"no request reached the remark service: {statuses}"
