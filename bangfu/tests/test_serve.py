"""`bangfu serve` as production runs it: gunicorn and the background worker, DEBUG off, and behind the
TLS proxy (BANGFU_HTTPS=1) Secure cookies, HSTS and the CSP on the answers — what `curl -I` shows."""

import http.client
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from urllib.parse import urlencode

import pytest
from django.db import connection

from bangfu.accounts.roles import Role
from bangfu.accounts.services import api_token_create
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user
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
def server(tmp_path, regions, product_hashers):  # the server signs in with Argon2
    """`bangfu serve` on a copy of the test database as it is when the fixture starts (a test's own data
    comes from fixtures it names before this one): its port, a county office, the log, a bearer token."""
    user = make_user(Role.COUNTY_OFFICE, username="county-serve", password="serve-pass-2026")
    _token, key = api_token_create(user=user, name="serve")
    port = _free_port()
    env = {**_env(), "DATABASE_URL": _database_url(tmp_path), "BANGFU_HTTPS": "1", "DEBUG": "1",
           "ALLOWED_HOSTS": HOST, "WEB_CONCURRENCY": "1"}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--bind", f"127.0.0.1:{port}"],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, process, log)
        yield port, user, log, key
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
    port, user, log, _key = server
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


def _multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def register_data(regions):
    from bangfu.programmes.tests.factories import make_person, make_programme

    return make_programme(name="2025年干部结对帮扶"), make_person(name="覃建国", region=TOWNSHIP_A), \
        make_household(members=1)


def test_uploads_are_read_by_the_worker_and_a_zip_bomb_is_refused_before_it_expands(register_data, server):
    """Issue 13's denial of service, on the production server: the zip bomb's answer is the refusal of
    the check that reads the zip's directory (the expanded size it reports is the directory's), the
    web worker that answered it is the one that answers next (gunicorn booted no other), and the
    background worker lives on. A pairing register is read by that worker, not in the request (202)."""
    from bangfu.imports.tests.test_bad_uploads import zip_bomb
    from bangfu.programmes.tests.test_pairing_register import workbook

    port, _user, log, key = server
    programme, helper, household = register_data
    auth = {"Authorization": f"Bearer {key}"}

    data = zip_bomb()
    declared = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()) >> 20  # the directory's MB
    body, kind = _multipart({"register_key": "members"}, "bomb.xlsx", data)
    bomb = _request(port, "POST", "/api/v1/imports", body=body, headers={**auth, "Content-Type": kind})
    assert bomb.status == 400, bomb.body[:500]
    answer = json.loads(bomb.body)
    assert answer["field"] == "file" and f"文件解压后过大(约 {declared} MB，" in answer["message"]

    rows = [["1", "", helper.id_number, "", "", "", household.number, "", "2025-03-01"]]
    body, kind = _multipart({"dry_run": "false"}, "register.xlsx", workbook(rows).getvalue())
    upload = _request(port, "POST", f"/api/v1/programmes/{programme.pk}/pairings/upload", body=body,
                      headers={**auth, "Content-Type": kind})
    assert upload.status == 202, upload.body[:500]
    job = json.loads(upload.body)
    assert job["status"] == "importing" and job["created"] == 0
    deadline = time.monotonic() + 60  # a bound on waiting for the worker, not a measurement
    while True:
        state = json.loads(_request(port, "GET", f"/api/v1/imports/{job['job_id']}", headers=auth).body)
        if state["status"] not in ("importing", "opening") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert state["status"] == "done" and state["counts"] == {"valid": 1, "created": 1}, state

    assert log.read_text().count("Booting worker with pid") == 1, log.read_text()  # never replaced
    os.kill(int(re.search(r"db_worker pid (\d+)", log.read_text()).group(1)), 0)
