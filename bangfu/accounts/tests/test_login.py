import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_it_signs_in_with_an_argon2_password_and_shows_the_scope(client, regions, product_hashers):
    user = make_user(Role.COUNTY_OFFICE, username="county", password="right-horse-battery")
    assert user.password.startswith("argon2")
    response = client.post(reverse("accounts:login"), {"username": "county", "password": "right-horse-battery"},
                           follow=True)
    assert response.status_code == 200
    assert "广西壮族自治区柳州市融安县" in response.content.decode()


def test_it_locks_an_account_out_after_repeated_failures(client, regions):
    make_user(Role.COUNTY_OFFICE, username="county", password="right-horse-battery")
    for _ in range(5):
        response = client.post(reverse("accounts:login"), {"username": "county", "password": "wrong"})
    assert "锁定" in response.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "county", "password": "right-horse-battery"})
    assert response.status_code in (403, 429)
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_and_api_need_a_login(client, regions):
    assert client.get(reverse("registry:household_list")).status_code == 302
    response = client.get("/api/v1/households")
    assert response.status_code == 401
    assert response.json()["message"] == "请先登录或提供有效的接口令牌"


def test_the_openapi_document_is_served(client, regions):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/households" in response.json()["paths"]


def test_a_signed_in_request_reads_the_user_with_their_region_and_drops_a_deactivated_one(client, regions):
    user = make_user(Role.COUNTY_OFFICE)
    region_name = user.region.name
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    with CaptureQueriesContext(connection) as queries:
        signed_in = get_user(request)
        assert signed_in.pk == user.pk and signed_in.region.name == region_name
    assert len(queries) == 2, [q["sql"] for q in queries]  # the session, then the user joined to the region

    user.is_active = False
    user.save(update_fields=["is_active"])
    request.session = client.session
    assert not get_user(request).is_authenticated
    assert client.get(reverse("registry:household_list")).status_code == 302


def test_the_session_is_read_by_one_statement_and_an_expired_or_unknown_one_signs_out(client, regions):
    """bangfu.accounts.sessions: Django's database sessions, read by hand-written SQL (prepared on PostgreSQL):
    a live session signs in, one past its expiry or with an unknown key does not, and saving is Django's."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from bangfu.accounts.sessions import SessionStore

    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    key = client.cookies["sessionid"].value
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(key)["_auth_user_id"] == str(user.pk)
    assert len(queries) == 1 and "django_session" in queries[0]["sql"]
    assert client.get(reverse("registry:household_list")).status_code == 200

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert "_auth_user_id" not in expired and expired.session_key is None
    assert client.get(reverse("registry:household_list")).status_code == 302
    assert "_auth_user_id" not in SessionStore("x" * 32)

    store = SessionStore()  # a new session is written and read back as Django's
    store["note"] = "帮扶"
    store.save()
    assert SessionStore(store.session_key)["note"] == "帮扶"
