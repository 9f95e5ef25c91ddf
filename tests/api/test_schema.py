"""Every endpoint against the OpenAPI schema (schemathesis): no 500, every answer matches the
schema, and authentication is enforced (anonymous calls to protected endpoints are refused)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from summit.wsgi import application
from tests.factories import make_organiser, make_participant, make_programme, open_picking

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
# The webhook sender would post to whatever address was generated: tested on loopback elsewhere.
fuzzed = schema.exclude(path_regex="webhooks/$", method="POST")
FUZZ = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
PROTECTED = (
    "/me",
    "/pick/",
    "/leave/",
    "/ranking/",
    "/participants/",
    "/programme/",
    "/agenda-file/",
    "/roster/",
    "/moves/",
    "/assignment-runs/",
    "/publish/",
    "/webhooks/",
    "/tokens/",
)


@pytest.fixture
def world(db, settings):
    # Called through WSGI, Django would close the test's connection at the end of each request
    # (the test client keeps it open the same way).
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.API_RATE_LIMITS = {"anonymous": "100000/min", "token": "100000/min", "user": "100000/min"}
    summit, part, rooms = make_programme()
    open_picking(part)
    yield summit, part, rooms
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _aim(case, world):
    """Point generated path parameters at rows that exist half the time, so both the found and the
    not-found paths are exercised."""
    summit, part, rooms = world
    params = case.path_parameters or {}
    if "summit" in params:
        params["summit"] = summit.slug
    if "breakout" in params and len(str(params["breakout"])) % 2 == 0:
        params["breakout"] = rooms[0].slug
    if "part" in params and len(str(params["part"])) % 2 == 0:
        params["part"] = part.code


@fuzzed.parametrize()
@FUZZ
def test_anonymous_calls_match_the_schema_and_protected_ones_are_refused(case, world):
    _aim(case, world)
    response = case.call_and_validate(checks=CHECKS)
    if any(marker in case.path for marker in PROTECTED) and not case.path.endswith("/docs/"):
        assert response.status_code in (401, 403, 404, 405), (
            case.method,
            case.formatted_path,
            response.status_code,
        )


@fuzzed.parametrize()
@FUZZ
def test_organiser_calls_match_the_schema(case, world):
    from api.models import ApiToken, Scope
    from api.tokens import create_token

    summit, _part, _rooms = world
    organiser = make_organiser()
    make_participant(summit, user=organiser)
    key = create_token(user=organiser, name="fuzz", kind=ApiToken.Kind.ORGANISER, scopes=Scope.values)[1]
    _aim(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


@fuzzed.parametrize()
@FUZZ
def test_participant_calls_match_the_schema(case, world):
    from api.tokens import create_token

    summit, _part, _rooms = world
    participant = make_participant(summit)
    key = create_token(user=participant.user, name="fuzz")[1]
    _aim(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
