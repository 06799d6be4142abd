"""Compliance as of a past day counts only what was done by that day (issue 12, item 9), with seed
000's mentoring term (item 10): a lesson to the mentor every two weeks from the term's first day,
and one term obligation whose minimum follows the new teacher's subject (语文、数学 20, any other 10).

The same term is set up twice, in two townships, through the API. One township records its lessons
day by day, and on each of ten days its office's answers are taken as they stood that day — the
API's rows, roll-ups and this week's list, the pages and the exports. The other township records
the same lessons afterwards in random order. Asked about each of those days afterwards, with the
whole term recorded, the second gives exactly what the first office saw that day, on every
interface, and the first still gives the same rows; what was done agrees with a count of the
lessons made here, and with the live computation (`live=True`)."""

import csv
import io
import random
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.compliance.tests.test_summary import COUNTY, assert_exact
from bangfu.programmes.models import ProgrammePeriod
from bangfu.tests.factories import RONGAN, TOWNSHIP_A, TOWNSHIP_B, id_number, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1"
AUTUMN = (date(2025, 9, 1), date(2026, 1, 16))  # a Monday; 20 weeks less two days: the last fortnight is short
SPRING = (date(2026, 2, 23), date(2026, 7, 10))
# Days asked: inside the first fortnight, its last day and the next one's first, the term under way,
# inside the short last fortnight, the term's last day, the holiday, and the spring term.
DAYS = [date(2025, 9, 10), date(2025, 9, 14), date(2025, 9, 15), date(2025, 10, 1), date(2025, 11, 20),
        date(2025, 12, 31), date(2026, 1, 10), date(2026, 1, 16), date(2026, 1, 20), date(2026, 3, 4)]
OBLIGATIONS = {  # name: (actor, kind, counterpart only) — what the rows are counted from
    "新教师每学期听课": ("target", "听课", False),
    "每周至少听指导教师一节课": ("target", "听课", True),
    "每二周向指导教师上一堂实践课": ("target", "实践课", True),
    "指导教师每学期听新教师的课": ("helper", "听课", False),
    "每学期上一节汇报课": ("target", "汇报课", False),
}
MENTEES = (("新甲", "语文"), ("新丙", "音乐"), ("新戊", "英语"))  # 20, 10 by the table, 10 by default


def post(client, url, data):
    response = client.post(API + url, data, content_type="application/json")
    assert response.status_code in (200, 201), response.content.decode()
    return response.json()


def lessons() -> list[tuple[str, date, str, str, bool]]:
    """The term's lessons per new teacher (name, day, kind, actor, with the mentor), drawn once: most
    weeks a lesson of the mentor's, some of others', a practice lesson most fortnights, the mentor
    watching now and then, one report lesson; and the same in the first weeks of spring."""
    rng = random.Random(12)
    made = []
    for name, _subject in MENTEES:
        keen = {"新甲": 0.9, "新丙": 0.7, "新戊": 0.45}[name]
        for first, last in (AUTUMN, (SPRING[0], date(2026, 3, 6))):
            week = first
            while week <= last:
                days = [week + timedelta(days=i) for i in range(5) if week + timedelta(days=i) <= last]
                if rng.random() < keen:
                    made.append((name, rng.choice(days), "听课", "target", True))
                if rng.random() < keen / 2:
                    made.append((name, rng.choice(days), "听课", "target", False))
                if (week - first).days % 14 == 7 and rng.random() < keen:
                    made.append((name, rng.choice(days), "实践课", "target", True))
                if rng.random() < keen / 2:
                    made.append((name, rng.choice(days), "听课", "helper", True))
                week += timedelta(weeks=1)
        made.append((name, date(2026, 1, 8), "汇报课", "target", False))
    return sorted(made, key=lambda m: (m[1], m[0], m[2], m[3], m[4]))


def done_by(made, name: str, obligation: str, starts_on: date, ends_on: date, day: date) -> float:
    """What the new teacher `name` did towards `obligation` in the period by `day`, counted here."""
    actor, kind, counterpart = OBLIGATIONS[obligation]
    return float(sum(1 for who, on, k, a, with_mentor in made if who == name and k == kind and a == actor
                     and (with_mentor or not counterpart) and starts_on <= on <= min(ends_on, day)))


def term_set_up(client) -> tuple[int, dict[str, dict[str, int]]]:
    """One county programme with seed 000's obligations; a school in each township with a mentor and
    three new teachers of the same names and subjects. Returns the programme and each township's
    pairings by new teacher."""
    programme = post(client, "/programmes", {
        "name": "2025-2026学年新教师师徒结对", "region": RONGAN, "period_kind": "academic_year",
        "starts_on": "2025-09-01", "ends_on": "2026-07-10", "helper_kinds": ["person"], "target_kinds": ["person"],
        "helper_label": "指导教师", "target_label": "新教师",
        "activity_kinds": ["听课", "评课", "说课", "示范课", "实践课", "汇报课", "公开课"]})["id"]
    for name, (first, last) in (("2025年秋季学期", AUTUMN), ("2026年春季学期", SPRING)):
        post(client, f"/programmes/{programme}/terms", {"name": name, "academic_year": "2025-2026学年",
                                                        "starts_on": first.isoformat(), "ends_on": last.isoformat()})
    for data in (
        {"name": "新教师每学期听课", "actor": "target", "kind": "听课", "minimum": 10, "unit": "节", "period": "term",
         "condition_party": "target", "condition_attribute": "subject", "minimum_by_value": {"语文": 20, "数学": 20}},
        {"name": "每周至少听指导教师一节课", "actor": "target", "kind": "听课", "minimum": 1, "unit": "节",
         "period": "week", "counterpart_only": True},
        {"name": "每二周向指导教师上一堂实践课", "actor": "target", "kind": "实践课", "minimum": 1, "unit": "节",
         "period": "weeks", "period_weeks": 2, "counterpart_only": True},
        {"name": "指导教师每学期听新教师的课", "actor": "helper", "kind": "听课", "minimum": 8, "unit": "节",
         "period": "term"},
        {"name": "每学期上一节汇报课", "actor": "target", "kind": "汇报课", "minimum": 1, "unit": "节", "period": "term"},
    ):
        post(client, f"/programmes/{programme}/obligations", data)
    pairs = {}
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        school = post(client, "/organizations", {"name": f"第{township[6:9]}中心小学", "kind": "school",
                                                 "region": township})["id"]

        def teacher(name, subject, born):
            return post(client, "/persons", {"name": name, "id_number": id_number(born, "female"), "region": township,
                                             "kind": "teacher", "organization": school, "subject": subject})["id"]

        mentor = teacher("覃老师", "语文", date(1975, 3, 8))
        mentees = [teacher(name, subject, date(1999, 9, 1 + i)) for i, (name, subject) in enumerate(MENTEES)]
        made = post(client, f"/programmes/{programme}/pairings", {
            "helper_kind": "person", "helper_id": mentor, "target_kind": "person",
            "target_ids": [str(m) for m in mentees], "starts_on": "2025-09-01"})
        pairs[township] = {row["target_name"]: row["id"] for row in made}
    return programme, pairs


def record(client, pairing: int, on: date, kind: str, actor: str, with_mentor: bool) -> None:
    post(client, "/activities", {"pairing_ids": [pairing], "kind": kind, "occurred_on": on.isoformat(),
                                 "actor": actor, "with_counterpart": with_mentor, "quantity": 1, "unit": "节",
                                 "content": "听课并交流教学设计"})


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def client_rows(client, day: date) -> list[tuple]:
    rows = client.get(f"{API}/compliance", {"as_of": day.isoformat(), "page_size": 500}).json()
    assert rows["count"] == len(rows["items"])
    return sorted((r["target_name"], r["obligation_name"], r["period_label"], r["period_starts_on"],
                   r["period_ends_on"], r["required"], r["expected"], r["done"], r["shortfall"], r["status"])
                  for r in rows["items"])


def answers(client, day: date) -> dict:
    """Everything an office reads for `day`, without ids or the township's own names."""
    as_of = day.isoformat()
    got = {"api rows": client_rows(client, day)}
    for by in ("helper", "obligation", "programme", "region"):
        rollup = client.get(f"{API}/compliance/rollup", {"as_of": as_of, "by": by}).json()
        got[f"api by {by}"] = sorted(
            (r["name"] if by != "region" else "", r["total"], r["met"], r["on_track"], r["behind"], r["overdue"],
             r["exempt"], r["due"], r["shortfall"]) for r in rollup)
    week = client.get(f"{API}/compliance/due-this-week", {"as_of": as_of}).json()
    got["api this week"] = sorted((r["target_name"], r["obligation_name"], r["period_label"], r["done"])
                                  for r in week["items"])
    for page in ("compliance:rows", "compliance:behind", "compliance:this_week"):
        shown = client.get(reverse(page), {"as_of": as_of}).context["page_obj"]
        got[page] = (shown.paginator.count, sorted((r.pairing.target_name, r.obligation.name, r.period_label,
                                                    r.done, r.status) for r in shown))
    for by in ("helper", "obligation"):
        page = client.get(reverse("compliance:rollup"), {"as_of": as_of, "by": by}).context
        got[f"page by {by}"] = (sorted((str(r["name"]), r["total"], r["met"], r["due"], r["shortfall"])
                                       for r in page["rows"]), page["totals"])
    export = _csv(client.post(reverse("exports:start", args=["compliance"]) + f"?as_of={as_of}", {"format": "csv"}))
    kept = [i for i, header in enumerate(export[0]) if header not in ("所在区域", "帮扶方单位")]  # not the township's
    got["export"] = (export[0], sorted([row[i] for i in kept] for row in export[1:]))
    export = _csv(client.post(reverse("exports:start", args=["rollup"]) + f"?as_of={as_of}&by=helper",
                              {"format": "csv"}))
    got["export by helper"] = export
    return got


def test_a_past_day_counts_only_what_was_done_by_then_however_it_was_recorded(client, regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme, pairs = term_set_up(client)
    fortnights = list(ProgrammePeriod.objects.filter(programme_id=programme, kind="weeks2")
                      .values_list("label", "starts_on", "ends_on"))
    assert fortnights[0] == ("2025年秋季学期第1—2周", date(2025, 9, 1), date(2025, 9, 14))
    assert fortnights[9] == ("2025年秋季学期第19—20周", date(2026, 1, 5), date(2026, 1, 16))  # short: 12 days
    assert fortnights[10] == ("2026年春季学期第1—2周", date(2026, 2, 23), date(2026, 3, 8))
    assert len(fortnights) == 10 + 10

    offices = {}
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        offices[township] = Client()
        offices[township].force_login(make_user(Role.TOWNSHIP_OFFICE, region=township))
    made = lessons()

    # Township A records day by day; its office looks on each day asked.
    seen, cursor = {}, 0
    for day in DAYS:
        while cursor < len(made) and made[cursor][1] <= day:
            name, on, kind, actor, with_mentor = made[cursor]
            record(client, pairs[TOWNSHIP_A][name], on, kind, actor, with_mentor)
            cursor += 1
        seen[day] = answers(offices[TOWNSHIP_A], day)
    for name, on, kind, actor, with_mentor in made[cursor:]:
        record(client, pairs[TOWNSHIP_A][name], on, kind, actor, with_mentor)
    # Township B records the same lessons afterwards, in no order at all.
    shuffled = list(made)
    random.Random(3).shuffle(shuffled)
    for name, on, kind, actor, with_mentor in shuffled:
        record(client, pairs[TOWNSHIP_B][name], on, kind, actor, with_mentor)

    for day in DAYS:
        expected = seen[day]
        # what was done, counted here from the lessons, for every row of the day
        for name, obligation, _label, starts_on, ends_on, *_rest, done, _short, _status in expected["api rows"]:
            assert done == done_by(made, name, obligation, date.fromisoformat(starts_on),
                                   date.fromisoformat(ends_on), day), (day, name, obligation, starts_on)
        got = answers(offices[TOWNSHIP_B], day)  # recorded out of order, everything on every interface
        for key in expected:
            assert got[key] == expected[key], (day, key)
        # recorded in order, the later lessons now there too
        later = client_rows(offices[TOWNSHIP_A], day)
        assert later == expected["api rows"], day

    # the term's rows as the seed wants them: the minimum by subject, a short last fortnight
    term = {(r[0], r[1], r[2]): r for r in seen[date(2026, 1, 16)]["api rows"]}
    assert [term[(n, "新教师每学期听课", "2025年秋季学期")][5] for n, _s in MENTEES] == [20, 10, 10]
    last = term[("新甲", "每二周向指导教师上一堂实践课", "2025年秋季学期第19—20周")]
    assert (last[3], last[4]) == ("2026-01-05", "2026-01-16")
    # a past day's rows do not count what came after: nobody's term was met on 1 October
    october = seen[date(2025, 10, 1)]["api rows"]
    assert not [r for r in october if r[1] == "新教师每学期听课" and r[9] == "met"]
    assert [r for r in october if r[9] == "behind"]

    # and the summary the pages read agrees with the live computation, every day (the county holds both)
    assert_exact([COUNTY], DAYS[1::2])
