"""The values the rows template shows, computed in Python, are what the template's own filters and tags
gave: `floatformat:"-1"` for the figures, `{% url %}` for the links."""

from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from bangfu.compliance.display import number
from bangfu.links import Links


@pytest.mark.parametrize("value", [0, 1, 2.0, 12, 1000, 2.5, 2.25, 2.35, 1 / 3, 7 / 3, 0.05, 0.04, 999.96,
                                   Decimal("3.00"), Decimal("3.45"), Decimal("2.05"), -1.5])
def test_number_is_floatformat_minus_one(value):
    assert number(value) == floatformat(value, -1)


def test_number_of_nothing_is_empty():
    assert number(None) == ""


@pytest.mark.parametrize("name", ["registry:household_detail", "registry:person_detail", "registry:team_detail",
                                  "registry:organization_detail", "programmes:pairing_detail"])
def test_links_are_reverse(name):
    links = Links()
    for pk in (1, 42, 987654):
        assert links(name, pk) == reverse(name, args=[pk])


def test_select_options_mark_the_chosen_value_and_escape_the_labels():
    from bangfu.options import select_options

    html = select_options([(1, "甲 & 乙"), (12, "<b>丙</b>")], 12)
    assert html == ('<option value="">—</option><option value="1">甲 &amp; 乙</option>'
                    '<option value="12" selected>&lt;b&gt;丙&lt;/b&gt;</option>')
    assert 'selected' not in select_options([(1, "甲")], None)
    assert 'value="450224" selected' in select_options([("450224", "县"), ("4502241", "乡")], "450224")
    assert select_options([("a", "甲")], "a", blank=None) == '<option value="a" selected>甲</option>'


@pytest.mark.django_db
def test_every_reader_of_a_rows_pairings_finds_what_it_shows_without_another_query(django_assert_num_queries):
    """compliance_rows reads only PAIRING_SHOWN of each pairing and its related rows: each consumer (the lists,
    the due lists, the API, the export, the reminders' grouping) must find what it shows in them, or every row
    would cost a query of its own."""
    from datetime import date

    from bangfu.activities.services import activity_record
    from bangfu.compliance.api import _row
    from bangfu.compliance.display import due_lines, shown_rows
    from bangfu.compliance.selectors import compliance_rows
    from bangfu.exports.listings import _compliance_line
    from bangfu.programmes import services
    from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
    from bangfu.regions.models import Region
    from bangfu.registry import services as registry
    from bangfu.tests.factories import ADMIN_SCOPE, make_household, make_user

    school = make_school()
    programme = make_programme(helper_kinds=["person", "organization", "team"],
                               target_kinds=["household", "person", "organization", "village"])
    add_obligation(programme)
    household = make_household(members=1)
    village = Region.objects.get(code=household.region_id)
    team = registry.team_create(scope=ADMIN_SCOPE, by=None, data={"name": "驻村工作队", "region": village,
                                                                  "organization": school, "started_on": date(2024, 6, 1)})
    helpers = [make_person(rank="staff", organization=school), school, team, make_person(rank="staff")]
    targets = [household, make_person(kind="resident"), make_school(kind="company"), village]
    pairings = [services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper, target=target,
                                        starts_on=date(2025, 1, 1)) for helper, target in zip(helpers, targets)]
    activity_record(scope=ADMIN_SCOPE, by=None, pairings=pairings[:1],
                    data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})
    user = make_user()
    rows = compliance_rows(scope=user.scope, as_of=date(2025, 3, 10), limit=100)
    assert {r.pairing.pk for r in rows} == {p.pk for p in pairings}
    with django_assert_num_queries(0):
        lines = shown_rows(rows, user_scope=user.scope)
        due = due_lines(rows)
        api = [_row(r) for r in rows]
        export = [_compliance_line(r) for r in rows]
        grouped = {(r.pairing.helper_kind, r.pairing.helper.pk, str(r.pairing.helper), r.pairing.region_id) for r in rows}
    assert {line["unit"] for line in lines} >= {school.name, "—"}
    assert {line["target"] for line in due} >= {village.name, targets[1].name, targets[2].name}
    assert len(api) == len(export) == len(rows) and len(grouped) == 4

