import pytest
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.tests.factories import TOWNSHIP_A, make_user

pytestmark = pytest.mark.django_db


def test_a_county_office_creates_a_township_account_inside_its_scope(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE, username="county"))
    response = client.post(reverse("accounts:users"), {
        "username": "changan", "display_name": "长安镇扶贫站", "role": "township_office", "region": TOWNSHIP_A,
        "password": "长安镇-2026-pass"})
    assert response.status_code == 302
    user = User.objects.get(username="changan")
    assert (user.role, user.region_id) == ("township_office", TOWNSHIP_A)
    assert user.check_password("长安镇-2026-pass")


def test_it_refuses_a_region_outside_scope_and_an_admin_role(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE, username="county"))
    response = client.post(reverse("accounts:users"), {
        "username": "x", "role": "township_office", "region": "450223100000", "password": "long-enough-1"})
    assert response.status_code == 400
    assert not User.objects.filter(username="x").exists()
    response = client.post(reverse("accounts:users"), {
        "username": "y", "role": "admin", "password": "long-enough-1"})
    assert response.status_code == 400
    assert not User.objects.filter(username="y").exists()


def test_users_outside_scope_are_not_listed_or_changed(client, regions):
    other = make_user(Role.TOWNSHIP_OFFICE, region="450223100000", username="luzhai")
    client.force_login(make_user(Role.COUNTY_OFFICE, username="county"))
    assert "luzhai" not in client.get(reverse("accounts:users")).content.decode()
    assert client.post(reverse("accounts:user_active", args=[other.pk]), {"active": "0"}).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_roles_without_the_right_cannot_manage_users(client, regions):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.get(reverse("accounts:users")).status_code == 403


def test_a_helper_account_is_linked_to_its_person_and_sees_my_pairings(client, regions):
    from bangfu.tests.factories import make_household

    head = make_household().head
    client.force_login(make_user(Role.COUNTY_OFFICE, username="county"))
    response = client.post(reverse("accounts:users"), {
        "username": "helper1", "role": "helper", "region": TOWNSHIP_A, "password": "helper-pass-2026",
        "person_id_number": head.id_number})
    assert response.status_code == 302
    helper = User.objects.get(username="helper1")
    assert helper.person == head
    response = client.post(reverse("accounts:users"), {
        "username": "helper2", "role": "helper", "region": TOWNSHIP_A, "password": "helper-pass-2026",
        "person_id_number": head.id_number})
    assert response.status_code == 400 and "已关联其他账号" in response.content.decode()
    client.force_login(helper)
    page = client.get(reverse("programmes:mine")).content.decode()
    assert "我的帮扶" in page and "您目前没有在帮的结对" in page

    from datetime import date

    from bangfu.programmes.services import pairing_create
    from bangfu.programmes.tests.factories import make_programme
    from bangfu.tests.factories import ADMIN_SCOPE

    target = make_household(township=TOWNSHIP_A)
    programme = make_programme(name="干部结对帮扶", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=head, target=target,
                   starts_on=date(2026, 1, 1))
    page = client.get(reverse("programmes:mine")).content.decode()
    assert target.head.name in page and "干部结对帮扶" in page and "记录帮扶" in page
