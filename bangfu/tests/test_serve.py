"""`bangfu serve` as production runs it: gunicorn and the background worker, DEBUG off, and behind the
TLS proxy (BANGFU_HTTPS=1) Secure cookies, HSTS and the CSP on the answers — what `curl -I` shows."""

import http.client
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
from django.db import connection

from bangfu.accounts.roles import Role
from bangfu.tests.factories import make_user
from bangfu.tests.workers import _env

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "bangfu.example.org"


def _database_url(tmp_path) -> str:
    """The test database, for another process: PostgreSQL's by name; SQLite's (in memory) copied to a file."""
    if connection.vendor == "postgresql":
        return _env()["DATABASE_URL"]
    path = tmp_path / "serve.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_listening(port: int, process, log) -> None:
    deadline = time.monotonic() + 90  # a bound on waiting for start-up, not a measurement
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"bangfu serve did not start: {log.read_text()}")


def _request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


@pytest.fixture
def server(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE, username="county-serve", password="serve-pass-2026")
    port = _free_port()
    env = {**_env(), "DATABASE_URL": _database_url(tmp_path), "BANGFU_HTTPS": "1", "DEBUG": "1",
           "ALLOWED_HOSTS": HOST, "WEB_CONCURRENCY": "1"}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--bind", f"127.0.0.1:{port}"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log)
        yield port, user, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for name, header in response.getheaders() if name.lower() == "set-cookie"}


def test_a_production_server_sends_secure_cookies_hsts_and_csp(server):
    port, user, log = server
    head = _request(port, "HEAD", "/accounts/login/")  # curl -I
    assert head.status == 200
    assert head.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in head.getheader("Content-Security-Policy")
    assert head.getheader("X-Request-ID")
    assert "; Secure" in _cookies(head)["csrftoken"]

    page = _request(port, "GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body.decode()).group(1)
    csrf_cookie = _cookies(page)["csrftoken"].split(";")[0]
    login = _request(port, "POST", "/accounts/login/",
                     body=urlencode({"username": user.username, "password": "serve-pass-2026",
                                     "csrfmiddlewaretoken": token}),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie,
                              "Referer": f"https://{HOST}/accounts/login/"})
    assert login.status == 302, login.body[:500]
    session = _cookies(login)["sessionid"]
    assert "; Secure" in session and "; HttpOnly" in session

    # DEBUG is off whatever the environment says; whitenoise serves the static files
    missing = _request(port, "GET", "/no-such-page/")
    assert missing.status == 404 and b"URLconf" not in missing.body
    assert _request(port, "GET", "/static/bangfu/site.css").status == 200
    # plain http to the proxy's back is not told it is secure: no HSTS without X-Forwarded-Proto
    assert _request(port, "HEAD", "/accounts/login/", headers={"X-Forwarded-Proto": "http"}).getheader(
        "Strict-Transport-Security") is None

    # the background worker runs beside gunicorn
    worker = int(re.search(r"db_worker pid (\d+)", log.read_text()).group(1))
    os.kill(worker, 0)  # raises if it is gone
