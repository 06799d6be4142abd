from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from bangfu.accounts.models import User
from bangfu.demo import generator
from bangfu.privacy import crypto, id_numbers
from bangfu.programmes.demo import programmes_demo_clear
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember

pytestmark = pytest.mark.django_db

SMALL = "0.05"  # 300 households and their ~1,000 people, plus the county's ~700 cadres and teachers


def demo(*args) -> str:
    """The registry part of the demo; the programmes over it are tested in bangfu/programmes."""
    out = StringIO()
    call_command("demo", "--without-programmes", *args, stdout=out)
    return out.getvalue()


def wipe():
    """Empty the registry so that the demo can be loaded again into the same test database."""
    User.objects.filter(username__in=generator.DEMO_USERNAMES).delete()
    programmes_demo_clear()  # the demo's programmes hold the registry's people (bangfu/programmes/demo.py)
    Household.objects.update(head=None)
    from bangfu.rules.models import IncomeRecord, Monitoring  # the registry hook's incomes and cases

    for model in (IncomeRecord, Monitoring, TeamMember, Team, Person, Household, Organization):
        queryset = model.objects.all()
        queryset._raw_delete(queryset.db)  # no cascade to collect: everything goes


def fingerprint():
    return (list(Household.objects.order_by("number").values_list("number", flat=True)),
            sorted(bytes(h) for h in Person.objects.values_list("id_hash", flat=True)),
            sorted(Person.objects.values_list("name", flat=True)))


def test_it_is_deterministic_by_seed(regions):
    demo("--seed", "7", "--scale", SMALL)
    first = fingerprint()
    wipe()
    demo("--seed", "7", "--scale", SMALL)
    assert fingerprint() == first
    wipe()
    demo("--seed", "8", "--scale", SMALL)
    other = fingerprint()
    assert other[1] != first[1]
    assert other[0] != first[0]


def test_it_makes_valid_unique_id_numbers_and_derived_fields(regions):
    demo("--scale", SMALL)
    people = list(Person.objects.all())
    numbers = [p.id_number for p in people]
    assert len(set(numbers)) == len(numbers) > 1000
    for person in people:
        parsed = id_numbers.parse(person.id_number)
        assert parsed.value.startswith("450224")
        assert (person.birth_date, person.gender) == (parsed.birth_date, parsed.gender)
        assert bytes(person.id_hash) == crypto.keyed_hash(parsed.value)
        assert person.county_code == person.region_id[:6] == "450224"
        assert person.initials and person.initials.isascii()


def test_every_household_has_one_head_and_its_size(regions):
    demo("--scale", SMALL)
    households = Household.objects.annotate(
        members_n=Count("members"), heads=Count("members", filter=Q(members__relation="head")))
    assert households.count() == 300
    for household in households:
        assert household.heads == 1
        assert household.size == household.members_n
        assert household.head.household_id == household.pk and household.head.relation == "head"
        assert household.number.startswith(household.region_id) and len(household.number) == 16
        assert household.county_code == "450224" and household.address.endswith("号")
        total = household.wage_income + household.production_income + household.property_income + household.transfer_income
        assert abs(household.income_per_capita * household.size - total) < household.size
        assert household.phone and household.bank_account and household.bank_name
    # the creation history is there, with no acting user, and shows the finished household
    entry = Household.history.filter(history_type="+").first()
    assert entry.history_user is None and entry.head_id and entry.income_per_capita > 0
    assert Person.history.filter(history_type="+").count() == Person.objects.count()
    person = Person.objects.filter(phone__isnull=False).order_by("pk").first()
    entry = person.history.get()
    assert (entry.history_type, entry.history_user, entry.id_number, entry.phone, entry.name) == (
        "+", None, person.id_number, person.phone, person.name)
    assert Organization.history.count() == Organization.objects.count()
    assert TeamMember.history.count() == TeamMember.objects.count() > 0


def test_it_spreads_a_county_unevenly_with_designed_shares(regions):
    demo("--scale", "0.25")
    households = Household.objects.all()
    n = households.count()
    assert n == 1500
    per_village = Counter(households.values_list("region_id", flat=True))
    assert max(per_village.values()) >= 5 * min(per_village.values())
    assert 100 <= len(per_village) <= 149
    status = Counter(households.values_list("status", flat=True))
    assert 0.82 < status["exited"] / n < 0.93
    assert 0.05 < status["monitored"] / n < 0.14
    assert 0 < status["poor"] / n < 0.05
    assert all(households.filter(status="monitored").exclude(monitoring_category="").values_list("pk", flat=True))
    assert not households.filter(status="monitored", monitoring_category="").exists()
    causes = Counter(households.values_list("main_cause", flat=True))
    assert causes.most_common(1)[0][0] == "illness"
    assert 0.32 < causes["illness"] / n < 0.43
    assert causes["disability"] > causes["skills"] > causes["schooling"]
    people = Person.objects.filter(household__isnull=False).count()
    assert 3.0 < people / n < 3.6
    assert households.filter(status="exited", income_per_capita__lt=generator.MONITORING_LINE).count() < 0.08 * n
    assert not households.filter(status="poor", income_per_capita__gte=generator.MONITORING_LINE).exists()
    assert 0.15 < households.filter(dibao=True).count() / n < 0.4
    # orphans are rare: a few dozen in the whole county
    orphans = Person.objects.filter(orphan=True)
    assert 3 <= orphans.count() <= 30
    assert not orphans.filter(left_behind=True).exists()


def test_it_makes_the_targets_and_helpers_programmes_need(regions):
    demo("--scale", SMALL)
    students = Person.objects.filter(kind="student", organization__isnull=False)
    assert students.exists() and students.exclude(grade_level="").exists()
    assert Person.objects.filter(lives_alone=True, kind="elderly").exists()
    assert Person.objects.filter(left_behind=True).exists() and students.filter(struggling=True).exists()
    assert Person.objects.exclude(disability_category="").filter(disability_grade__isnull=False).exists()
    assert not Person.objects.exclude(disability_category="").filter(disability_grade__isnull=True).exists()
    cadres = Counter(Person.objects.filter(kind="cadre").values_list("rank", flat=True))
    assert 380 <= sum(cadres.values()) <= 420 and cadres["county_leader"] >= 3 and cadres["section"] >= 50
    assert Person.objects.filter(kind="teacher", organization__kind__in=["school", "kindergarten"]).count() > 250
    assert Organization.objects.filter(kind="government").count() >= 12
    assert Organization.objects.filter(kind__in=["school", "kindergarten"]).count() >= 10
    assert Team.objects.count() == 12
    for team in Team.objects.all():
        roles = Counter(team.memberships.values_list("role", flat=True))
        assert roles["leader"] == 1 and roles["first_secretary"] == 1 and 3 <= sum(roles.values()) <= 5
        assert team.organization.kind in ("government", "company") and team.region.level == 5


def test_if_empty_does_nothing_the_second_time(regions):
    demo("--scale", SMALL)
    before = (Household.objects.count(), Person.objects.count(), User.objects.count())
    out = demo("--if-empty", "--scale", SMALL)
    assert "跳过" in out
    assert (Household.objects.count(), Person.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError, match="已有数据"):
        demo("--scale", SMALL)


def test_demo_logins_lists_the_accounts(regions):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "bangfu demo" in out.getvalue()
    demo("--scale", SMALL)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in generator.DEMO_USERNAMES:
        assert f"\n{username} " in text
    assert generator.DEMO_PASSWORD in text and "http://127.0.0.1:8000/" in text
    assert "融安县长安镇" in text and "长安镇中心小学" in text and "系统管理员" in text
    school = User.objects.get(username="school")
    assert school.role == "school_admin" and school.region_id == school.organization.region_id
    assert User.objects.get(username="county").check_password(generator.DEMO_PASSWORD)


def test_createuser_binds_an_account_to_a_region(regions):
    out = StringIO()
    call_command("createuser", "wei", "--role", "township_office", "--region", "450224101", "--password",
                 "good-pass-77", "--display-name", "韦主任", stdout=out)
    user = User.objects.get(username="wei")
    assert (user.role, user.region_id, user.display_name) == ("township_office", "450224101000", "韦主任")
    assert user.check_password("good-pass-77")
    assert "浮石镇" in out.getvalue()


@pytest.mark.parametrize("args, message", [
    (["--role", "boss", "--region", "450224"], "未知角色"),
    (["--role", "county_office", "--region", "450299"], "不存在"),
    (["--role", "county_office", "--region", "45x"], "格式不对"),
    (["--role", "county_office"], "管辖区域"),
    (["--role", "county_office", "--region", "450224", "--password", "12345678"], "密码"),
    (["--role", "school_admin", "--region", "450224"], "学校"),
    (["--role", "school_admin", "--organization", "999999"], "单位不存在"),
])
def test_createuser_refuses_bad_input_in_chinese(regions, args, message):
    if "--password" not in args:
        args = [*args, "--password", "good-pass-77"]
    with pytest.raises(CommandError, match=message):
        call_command("createuser", "wei", *args, stdout=StringIO())
    assert not User.objects.filter(username="wei").exists()


def test_createuser_refuses_a_taken_username(regions):
    call_command("createuser", "wei", "--role", "admin", "--password", "good-pass-77", stdout=StringIO())
    with pytest.raises(CommandError, match="已存在"):
        call_command("createuser", "wei", "--role", "admin", "--password", "good-pass-77", stdout=StringIO())
