"""schemathesis over the whole API (issue 13 b): every operation, reads and writes, with a county
office's bearer token, on a small county of data; no answer may be a 5xx, and every answer the
OpenAPI document describes must match it.

In the suite a few examples an operation keep it to a minute or two; the full probe is
    BANGFU_SCHEMATHESIS_EXAMPLES=100 pytest bangfu/tests/test_api_schema.py
(docs/security.md records its last result); BANGFU_SCHEMATHESIS_PATHS=<regex> keeps the operations whose
path matches, to repeat a probe of some.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = int(os.environ.get("BANGFU_SCHEMATHESIS_EXAMPLES", "3"))


@pytest.fixture
def token(regions):
    """A county office's bearer token. (Each operation is one test, so what this makes is made for each:
    it is kept to the account; the ids the cases send mostly name nothing, which the API must answer too.)"""
    from bangfu.accounts.roles import Role
    from bangfu.accounts.services import api_token_create
    from bangfu.tests.factories import make_household, make_user

    make_household(members=1)
    _token, key = api_token_create(user=make_user(Role.COUNTY_OFFICE), name="schemathesis")
    # The cases go straight to the WSGI app, whose request signals would close the test's database
    # connection (and its transaction) after each answer: Django's test client disconnects them too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _schema():
    """The document /api/v1/openapi.json serves, made without a request; cases are sent to the WSGI app."""
    from bangfu.api import api
    from bangfu.wsgi import application

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
    loaded.app = application
    return loaded


schema = _schema()
if os.environ.get("BANGFU_SCHEMATHESIS_PATHS"):
    schema = schema.include(path_regex=os.environ["BANGFU_SCHEMATHESIS_PATHS"])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
@pytest.mark.once("postgresql")  # the production database, where a bad value is a DataError
def test_the_api_answers_every_request_without_a_5xx_and_as_documented(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error, response_schema_conformance])
