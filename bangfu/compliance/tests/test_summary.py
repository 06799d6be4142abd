"""The compliance summary is exact: after every kind of write through the services, the selectors
reading the summary give what the live computation (the reference, `live=True`) gives — every
roll-up, row, count and filter, for several scopes and days asked — and the summary the services
kept equals one rebuilt from scratch. The same on SQLite and PostgreSQL."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.activities.services import activity_correct, activity_record
from bangfu.compliance import selectors
from bangfu.compliance.models import ComplianceArea, ComplianceDone, ComplianceHelper, ComplianceTownship
from bangfu.compliance.selectors import ComplianceFilters
from bangfu.compliance.summary import summary_rebuild
from bangfu.programmes import services
from bangfu.programmes.models import Pairing
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.programmes.tests.test_pairing_register import workbook
from bangfu.registry import services as registry
from bangfu.registry.models import Person
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user

pytestmark = pytest.mark.django_db
DAYS = [date(2025, 1, 15), date(2025, 3, 3), date(2025, 6, 17), date(2025, 12, 31), date(2026, 1, 4),
        date(2026, 7, 1)]
GROUPS = ["region", "helper", "organization", "team", "programme", "obligation"]
FILTERS = [ComplianceFilters(), ComplianceFilters(status="due"), ComplianceFilters(status="unmet"),
           ComplianceFilters(current_only=True),
           ComplianceFilters(ending_before=date(2025, 6, 30)), ComplianceFilters(region=TOWNSHIP_A[:9])]
# roll-ups are compared under these too: each status and status set, and the periods of 本周待办
ROLLUP_FILTERS = [*FILTERS, ComplianceFilters(status="todo"), ComplianceFilters(status="met"),
                  ComplianceFilters(status="overdue"), ComplianceFilters(status="behind"),
                  ComplianceFilters(status="exempt"),
                  ComplianceFilters(status="todo", ending_before=date(2025, 7, 6), ending_after=date(2025, 6, 1)),
                  ComplianceFilters(status="due", current_only=True, region=TOWNSHIP_A[:9])]


def snapshot() -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    return (sorted(ComplianceDone.objects.values_list(
        "county_code", "obligation_id", "pairing_id", "period_id", "programme_id", "region_id", "helper_person_id",
        "helper_organization_id", "helper_team_id", "pairing_starts_on", "pairing_ends_on", "period_starts_on",
        "period_ends_on", "done", "last_on", "exempt")),
        sorted(ComplianceArea.objects.values_list("county_code", "obligation_id", "period_id", "region_id",
                                                  "programme_id", "period_ends_on", "total", "met", "exempt",
                                                  "shortfall")),
        sorted(ComplianceHelper.objects.values_list("county_code", "obligation_id", "period_id", "region_id",
                                                    "helper_kind", "helper_id", "helper_person_id",
                                                    "helper_organization_id", "helper_team_id", "programme_id",
                                                    "period_ends_on", "total", "met", "exempt", "shortfall")),
        sorted(ComplianceTownship.objects.values_list("county_code", "obligation_id", "period_id", "region_id",
                                                      "programme_id", "period_ends_on", "total", "met", "exempt",
                                                      "shortfall")))


# the lists' filters (rows, behind, this week, a status) compared page by page: a region's page is read
# status by status from the order index (selectors._page_sql), whose windows must fall right
LIST_FILTERS = [*FILTERS, ComplianceFilters(status="todo", ending_before=date(2025, 7, 6), ending_after=date(2025, 6, 1)),
                ComplianceFilters(status="met"), ComplianceFilters(status="exempt"), ComplianceFilters(status="overdue")]


def rows(scope, filters, as_of, live, limit=10_000, offset=0):
    return [(r.pairing.pk, r.obligation.pk, r.period_label, r.period_starts_on, r.period_ends_on, r.required,
             r.expected, r.done, r.shortfall, r.status)
            for r in selectors.compliance_rows(scope=scope, filters=filters, as_of=as_of, limit=limit, offset=offset,
                                               live=live)]


AREA_GROUPS = [g for g in GROUPS if g not in selectors.HELPER_GROUPS]  # read from ComplianceArea


def _rollups(turn: int) -> list[tuple[str, ComplianceFilters | None]]:
    """Every grouping unfiltered, and each filter on both folded tables (ComplianceArea and ComplianceHelper),
    the grouping of each table turning from one scope and day asked to the next: over any three of them every
    filter meets every grouping, at well under half the cost of asking each pair every time."""
    assert set(GROUPS) == set(selectors.FOLDED_GROUPS)
    pairs = [(by, None) for by in GROUPS]
    for i, filters in enumerate(ROLLUP_FILTERS):
        for family in (AREA_GROUPS, selectors.HELPER_GROUPS):
            pairs.append((family[(turn + i) % len(family)], filters))
    return pairs


def assert_exact(scopes: list[Scope], days=DAYS) -> None:
    """Summary-based answers == live answers; the kept summary == one rebuilt from scratch."""
    checked = 0
    for turn, (scope, as_of) in enumerate((scope, as_of) for scope in scopes for as_of in days):
        for by, filters in _rollups(turn):
            got = selectors.compliance_rollup(scope=scope, by=by, filters=filters, as_of=as_of)
            if filters is None:  # the page's totals are its roll-up's sums, whatever the grouping
                assert selectors.rollup_totals(got) == selectors.compliance_totals(scope=scope, as_of=as_of), by
            assert got == selectors.compliance_rollup(scope=scope, by=by, filters=filters, as_of=as_of, live=True), (
                scope, as_of, by, filters)
        for filters in FILTERS:
            got = rows(scope, filters, as_of, False)
            assert got == rows(scope, filters, as_of, True), (scope, as_of, filters)
            checked += len(got)
        assert selectors.compliance_count(scope=scope, as_of=as_of) == len(rows(scope, FILTERS[0], as_of, True))
        for filters in LIST_FILTERS:
            count = selectors.compliance_count(scope=scope, filters=filters, as_of=as_of)
            # the reference read whole once: its windows are its slices (the lists' order is total: ROWS_ORDER
            # ends with the pairing and the obligation), not a live computation per window
            live = rows(scope, filters, as_of, True)
            assert count == len(live), (scope, as_of, filters)
            for offset in (0, 2, 5, max(count - 1, 0)):  # windows across the statuses' boundaries
                assert rows(scope, filters, as_of, False, 3, offset) == live[offset:offset + 3], (
                    scope, as_of, filters, offset)
        assert (selectors.compliance_totals(scope=scope, as_of=as_of)
                == selectors.compliance_totals(scope=scope, as_of=as_of, live=True))
    assert checked, "the scenario compares no rows"
    kept = snapshot()
    summary_rebuild()
    assert snapshot() == kept


def record(pairing, on, kind="走访", **data):
    return activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                           data={"kind": kind, "occurred_on": on, "content": "入户走访，了解生产生活情况", **data})


COUNTY = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
TOWNSHIP = Scope(role=Role.TOWNSHIP_OFFICE, prefix=TOWNSHIP_A[:9])


@pytest.fixture
def households(regions):
    """Cadres with households: a monthly visit (5 days' grace) and a quarterly greeting counted in
    units (at least 2), helpers of two organizations, households in two townships."""
    programme = make_programme(name="干部结对帮扶")
    visit = add_obligation(programme, grace_days=5)
    greet = add_obligation(programme, name="每季度慰问", kind="慰问", measure="quantity", minimum=2, period="quarter")
    bureau = make_school(name="融安县财政局", kind="government")
    office = make_school(name="融安县农业农村局", kind="government")
    cadres = [make_person(region=TOWNSHIP_A, organization=bureau), make_person(region=TOWNSHIP_A, organization=office),
              make_person(region=TOWNSHIP_B, organization=bureau)]
    homes = [make_household(members=1), make_household(members=1), make_household(township=TOWNSHIP_B, members=1),
             make_household(members=1)]
    pairings = [services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=cadres[i % 3],
                                        target=home, starts_on=date(2025, 1, 1 + i)) for i, home in enumerate(homes)]
    return {"programme": programme, "visit": visit, "greet": greet, "cadres": cadres, "pairings": pairings,
            "homes": homes, "bureau": bureau}


def test_records_corrections_withdrawals_handovers_ends_and_exemptions(households):
    p, cadres = households["pairings"], households["cadres"]
    for month in (1, 2, 3, 5):
        record(p[0], date(2025, month, 10))
    record(p[1], date(2025, 1, 20))
    record(p[1], date(2025, 2, 3), kind="慰问", quantity="1.5")
    [wrong] = record(p[2], date(2025, 2, 27))
    [gone] = record(p[3], date(2025, 3, 4))
    scopes = [COUNTY, TOWNSHIP]
    assert_exact(scopes, DAYS[:3])

    # a correction moves the visit to March; a withdrawal takes one away
    activity_correct(scope=ADMIN_SCOPE, by=None, activity=wrong, data={"occurred_on": date(2025, 3, 2)},
                     reason="日期录错")
    activity_correct(scope=ADMIN_SCOPE, by=None, activity=gone, data={}, reason="重复录入", withdraw=True)
    assert_exact(scopes, DAYS[:3])

    # handed over mid-month: March is the new helper's; ended in April: nothing owed after
    new = services.pairing_handover(scope=ADMIN_SCOPE, by=None, pairing=p[0], new_helper=cadres[2],
                                    on=date(2025, 3, 15), reason="原帮扶人调离")
    record(new, date(2025, 3, 20))
    record(new, date(2025, 4, 2), kind="慰问", quantity=2)
    services.pairing_end(scope=ADMIN_SCOPE, by=None, pairing=p[1], on=date(2025, 4, 10), reason="户已稳定脱贫")
    user = make_user(Role.COUNTY_OFFICE)
    services.exemption_grant(scope=ADMIN_SCOPE, by=user, pairing=p[2], obligation=households["visit"],
                             starts_on=date(2025, 5, 1), ends_on=date(2025, 6, 30), reason="外出务工")
    services.exemption_grant(scope=ADMIN_SCOPE, by=user, pairing=p[3], obligation=None,
                             starts_on=date(2025, 7, 3), ends_on=date(2025, 7, 4), reason="住院")
    assert_exact([ADMIN_SCOPE, Scope(role=Role.SCHOOL_ADMIN, prefix="450224",
                                     organization_id=households["bureau"].pk)])


def test_a_roll_up_by_organization_puts_each_helper_under_the_organization_it_has_now(households):
    """Each helper's rows counted under its organization — a person's as it is now, read once per helper after
    the rows are summed by helper (selectors._by_organization) — as the roll-up by helper, summed here by the
    helpers' organizations, has them; a person moved to another organization takes their rows along."""
    p, cadres, bureau = households["pairings"], households["cadres"], households["bureau"]
    record(p[0], date(2025, 1, 10))
    record(p[1], date(2025, 2, 3))
    as_of = date(2025, 6, 15)
    counted = ("total", "met", "on_track", "behind", "overdue", "exempt", "shortfall")

    def by_helper() -> dict:
        sums: dict = {}
        for row in selectors.compliance_rollup(scope=COUNTY, by="helper", as_of=as_of):
            org = Person.objects.get(pk=row["helper_person_id"]).organization_id
            into = sums.setdefault(org, dict.fromkeys(counted, 0))
            for name in counted:
                into[name] += row[name]
        return sums

    def by_organization() -> dict:
        return {r["helper_org_id"]: {name: r[name] for name in counted}
                for r in selectors.compliance_rollup(scope=COUNTY, by="organization", as_of=as_of)}

    before = by_organization()
    assert before == by_helper() and set(before) == {bureau.pk, cadres[1].organization_id}
    assert before[bureau.pk]["total"] > before[cadres[1].organization_id]["total"] > 0
    Person.objects.filter(pk=cadres[1].pk).update(organization=bureau)
    assert by_organization() == by_helper() == {bureau.pk: {
        name: before[bureau.pk][name] + before[cadres[1].organization_id][name] for name in counted}}


def test_obligation_and_programme_changes_rebuild_the_summary(households):
    p = households["pairings"]
    for month in range(1, 8):
        record(p[month % 4], date(2025, month, 5))
        record(p[(month + 1) % 4], date(2025, month, 25), kind="慰问")
    services.obligation_update(scope=ADMIN_SCOPE, by=None, obligation=households["visit"], data={"minimum": 2})
    assert_exact([COUNTY], DAYS[:4])
    services.obligation_update(scope=ADMIN_SCOPE, by=None, obligation=households["greet"],
                               data={"period": "month", "measure": "count", "minimum": 1})
    services.obligation_update(scope=ADMIN_SCOPE, by=None, obligation=households["visit"],
                               data={"period": "window", "window": "explicit", "window_starts_on": date(2025, 3, 1),
                                     "window_ends_on": date(2025, 4, 15)})
    assert_exact([COUNTY], DAYS[:4])
    services.programme_update(scope=ADMIN_SCOPE, by=None, programme=households["programme"],
                              data={"ends_on": date(2025, 6, 30)})
    assert_exact([ADMIN_SCOPE], DAYS[:4])


def test_bulk_pairing_by_register_keeps_the_summary(households, client):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme, chief = households["programme"], households["cadres"][0]
    homes = [make_household(members=1) for _ in range(3)]
    book = workbook([[str(i), programme.name, chief.id_number, "", "", "", home.number, "", "2025-02-01"]
                     for i, home in enumerate(homes, start=1)])
    response = client.post(f"/api/v1/programmes/{programme.pk}/pairings/upload", {"file": book, "dry_run": "false"})
    assert response.status_code == 200, response.content
    made = Pairing.objects.filter(target_household__in=homes)
    assert made.count() == 3
    record(made[0], date(2025, 2, 14))
    assert_exact([COUNTY], DAYS[:3])


@pytest.fixture
def people(regions):
    """Teachers with new teachers (听课 of the mentor only, for 语文 and 数学 teachers; ten class-hours
    of 送教 a term) and caring mothers with orphans (birthday and Spring Festival windows)."""
    school = make_school(name="融安县长安镇中心小学")
    mentoring = make_programme(name="新教师师徒结对", target_kinds=["person"], period_kind="term",
                               starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31))
    services.term_add(scope=ADMIN_SCOPE, by=None, programme=mentoring, name="2024-2025学年第二学期",
                      academic_year="2024-2025学年", starts_on=date(2025, 2, 17), ends_on=date(2025, 7, 4))
    services.term_add(scope=ADMIN_SCOPE, by=None, programme=mentoring, name="2025-2026学年第一学期",
                      academic_year="2025-2026学年", starts_on=date(2025, 9, 1), ends_on=date(2026, 1, 23))
    listen = add_obligation(mentoring, name="每月听师傅的课", kind="听课", actor="target", counterpart_only=True,
                            condition_party="target", condition_attribute="subject", condition_values=["语文", "数学"])
    add_obligation(mentoring, name="每学期送教10课时", kind="送教", measure="quantity", minimum=10, period="term")
    mentors = [make_person(kind="teacher", region=TOWNSHIP_A, organization=school, subject="语文") for _ in range(2)]
    novices = [make_person(kind="teacher", region=TOWNSHIP_A, organization=school, subject=s)
               for s in ("语文", "英语", "数学")]
    taught = [services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=mentoring, helper=mentors[i % 2],
                                      target=novice, starts_on=date(2025, 2, 17)) for i, novice in enumerate(novices)]
    care = make_programme(name="爱心妈妈结对孤儿", target_kinds=["person"], starts_on=date(2024, 1, 1),
                          ends_on=date(2026, 12, 31))
    add_obligation(care, name="生日前后慰问", kind="慰问", period="window", window="birthday", window_before_days=3,
                   window_after_days=3)
    add_obligation(care, name="春节慰问", kind="慰问", period="window", window="spring_festival",
                   window_before_days=7, window_after_days=7)
    mother = make_person(name="韦爱心", region=TOWNSHIP_A)
    children = [make_person(kind="child", region=TOWNSHIP_A, born=born)
                for born in (date(2015, 3, 1), date(2016, 2, 29), date(2014, 12, 30))]
    cared = [services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=care, helper=mother, target=child,
                                     starts_on=date(2024, 1, 1)) for child in children]
    return {"mentoring": mentoring, "listen": listen, "novices": novices, "taught": taught, "children": children,
            "cared": cared}


def test_conditions_terms_and_birthdays(people):
    taught, cared = people["taught"], people["cared"]
    for pairing in taught:
        record(pairing, date(2025, 3, 12), kind="听课", actor="target", content="听师傅的语文课")
        record(pairing, date(2025, 4, 9), kind="听课", actor="target", with_counterpart=False, content="听别人的课")
        record(pairing, date(2025, 5, 20), kind="送教", quantity=6, content="送教下乡")
    record(taught[0], date(2025, 6, 20), kind="送教", quantity=4, content="送教下乡")
    record(cared[0], date(2025, 2, 26), kind="慰问", content="生日慰问")
    record(cared[1], date(2025, 2, 25), kind="慰问", content="生日慰问")
    record(cared[2], date(2026, 1, 2), kind="慰问", content="生日和春节慰问")
    record(cared[0], date(2025, 1, 25), kind="慰问", content="春节慰问")
    # 2026-01-01: the 2025 birthday window of the child born on 30 December is over by 2 January,
    # its visit on the 2nd not yet done — the year has ended, but the village rows may not be read
    assert_exact([COUNTY], [*DAYS, date(2026, 1, 1)])

    # the English teacher now teaches 数学: the condition takes them in; another leaves it
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=people["novices"][1], data={"subject": "数学"})
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=people["novices"][2], data={"subject": "体育"})
    # a term's dates change; a birth date corrected (with the ID number it comes from)
    term = people["mentoring"].terms.get(name="2024-2025学年第二学期")
    services.term_update(scope=ADMIN_SCOPE, by=None, term=term, data={"starts_on": date(2025, 3, 3)})
    child = people["children"][0]
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=child,
                           data={"id_number": id_number(date(2015, 3, 9), child.gender)})
    child.refresh_from_db()
    assert child.birth_date == date(2015, 3, 9)
    assert_exact([ADMIN_SCOPE, COUNTY])


def test_the_demo_and_the_rebuild_command(regions):
    call_command("demo", "--seed", "5", "--scale", "0.02", "--today", "2026-11-23", stdout=StringIO())
    assert ComplianceDone.objects.exists() and ComplianceArea.objects.exists() and ComplianceHelper.objects.exists()
    assert_exact([ADMIN_SCOPE], [date(2026, 3, 15)])
    out = StringIO()
    call_command("compliance_rebuild", stdout=out)
    assert "落实情况汇总已重建" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_visit_recorded_while_an_import_holds_its_village_does_not_wait(households):
    """An import locks the villages it refers to FOR KEY SHARE until it commits (imports/upsert.py);
    the summary refresh serializes writers per village without conflicting with that lock."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    import psycopg

    pairing = households["pairings"][0]
    db = settings.DATABASES["default"]
    with psycopg.connect(f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}") as importer:
        importer.execute("SELECT 1 FROM regions_region WHERE code = %s FOR KEY SHARE", [pairing.region_id])
        importer.execute("SELECT 1 FROM programmes_pairing WHERE id = %s FOR KEY SHARE", [pairing.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            record(pairing, date(2025, 4, 8))  # raises LockNotAvailable if it waited on the import
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        importer.rollback()
    assert ComplianceDone.objects.filter(pairing=pairing, done__gt=0).exists()
