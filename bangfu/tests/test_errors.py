"""Every unexpected error is logged with its traceback and a request id the user is shown."""

import logging

import pytest
from django.test import Client


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "bangfu.tests.urls_failing"
    settings.DEBUG = False


def _records(caplog, request_id):
    return [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR
            and getattr(r, "request_id", None) == request_id]


@pytest.mark.django_db
def test_it_logs_a_failing_page_with_its_traceback_and_shows_the_request_id(failing_urls, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/failing/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    page = response.content.decode()
    assert "系统出错了" in page and request_id in page
    [record] = _records(caplog, request_id)
    assert record.exc_info[0] is ZeroDivisionError
    assert "a bug in a page" in logging.Formatter().format(record)  # the traceback is in the log line


@pytest.mark.django_db
def test_it_logs_a_failing_api_operation_and_answers_json_with_the_request_id(failing_urls, caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/api/failing/fail")
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert "系统出错了" in body["message"]
    [record] = _records(caplog, body["request_id"])  # once, with the traceback
    assert "a bug in an API operation" in logging.Formatter().format(record)


@pytest.mark.django_db
def test_it_keeps_a_request_id_given_by_the_proxy_and_names_every_response(client):
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")["X-Request-ID"] == \
        "nginx-0123456789abcdef"
    assert len(client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]) == 16


def test_the_log_format_shows_the_request_id(settings):
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
    record = logging.getLogger("bangfu").makeRecord("bangfu", logging.INFO, __file__, 1, "x", (), None)
    assert record.request_id == "-"  # outside a request
