"""The issue's "done when": a school-term mentoring programme with seed 000's second plan, made
and run through the API only — the school and its teachers too — tells exactly who is behind and
by how much, per week and per term; the pages show the same."""

from datetime import date, timedelta

import pytest

from bangfu.accounts.roles import Role
from bangfu.tests.factories import RONGAN, TOWNSHIP_A, TOWNSHIP_B, id_number, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1"
AS_OF = "2025-10-01"  # a Wednesday in the fifth week of the autumn term


def post(client, url, data):
    response = client.post(API + url, data, content_type="application/json")
    assert response.status_code in (200, 201), response.content.decode()
    return response.json()


@pytest.fixture
def mentoring(client, regions):
    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    school = post(client, "/organizations", {"name": "融安县长安镇中心小学", "kind": "school", "region": TOWNSHIP_A})

    def teacher(name, subject, born):
        return post(client, "/persons", {"name": name, "id_number": id_number(born, "female"), "region": TOWNSHIP_A,
                                         "kind": "teacher", "organization": school["id"], "subject": subject})["id"]

    mentors = [teacher(n, s, date(1975 + i, 3, 8)) for i, (s, n) in enumerate(
        (("语文", "覃老师"), ("音乐", "韦老师"), ("体育", "莫老师")))]
    mentees = [teacher(n, s, date(1998 + i, 9, 1)) for i, (s, n) in enumerate(
        (("语文", "新甲"), ("数学", "新乙"), ("音乐", "新丙"), ("体育", "新丁")))]
    programme = post(client, "/programmes", {
        "name": "2025-2026学年新教师师徒结对", "region": RONGAN, "owner": school["id"], "period_kind": "academic_year",
        "starts_on": "2025-09-01", "ends_on": "2026-07-15", "helper_kinds": ["person"], "target_kinds": ["person"],
        "helper_label": "指导教师", "target_label": "新教师"})
    pid = programme["id"]
    post(client, f"/programmes/{pid}/terms", {"name": "2025年秋季学期", "academic_year": "2025-2026学年",
                                              "starts_on": "2025-09-01", "ends_on": "2026-01-16"})
    post(client, f"/programmes/{pid}/terms", {"name": "2026年春季学期", "academic_year": "2025-2026学年",
                                              "starts_on": "2026-02-23", "ends_on": "2026-07-10"})
    obligations = {}
    for key, data in {
        "main": {"name": "新教师听课(语文、数学)", "actor": "target", "kind": "听课", "minimum": 20, "unit": "节",
                 "period": "term", "condition_party": "target", "condition_attribute": "subject",
                 "condition_values": ["语文", "数学"]},
        "arts": {"name": "新教师听课(音体美)", "actor": "target", "kind": "听课", "minimum": 10, "unit": "节",
                 "period": "term", "condition_party": "target", "condition_attribute": "subject",
                 "condition_values": ["音乐", "体育", "美术"]},
        "weekly": {"name": "每周至少听指导教师一节课", "actor": "target", "kind": "听课", "minimum": 1, "unit": "节",
                   "period": "week", "counterpart_only": True},
        "mentor": {"name": "指导教师听新教师的课", "actor": "helper", "kind": "听课", "minimum": 8, "unit": "节",
                   "period": "term"},
        "report": {"name": "每学期一节汇报课", "actor": "target", "kind": "汇报课", "minimum": 1, "unit": "节",
                   "period": "term"},
    }.items():
        obligations[key] = post(client, f"/programmes/{pid}/obligations", data)["id"]
    pairs = {}
    for mentor, group in ((mentors[0], mentees[:2]), (mentors[1], mentees[2:3]), (mentors[2], mentees[3:])):
        made = post(client, f"/programmes/{pid}/pairings", {
            "helper_kind": "person", "helper_id": mentor, "target_kind": "person",
            "target_ids": [str(m) for m in group], "starts_on": "2025-09-01"})
        for row in made:
            pairs[row["target_name"]] = row["id"]
    return {"client": client, "programme": pid, "pairs": pairs, "obligations": obligations}


def record(client, pairing, on, *, actor="target", counterpart=True, kind="听课"):
    post(client, "/activities", {"pairing_ids": [pairing], "kind": kind, "occurred_on": on.isoformat(),
                                 "actor": actor, "with_counterpart": counterpart, "quantity": 1, "unit": "节",
                                 "content": "听课并交流教学设计"})


def test_a_user_sees_exactly_who_is_behind_per_week_and_per_term(mentoring):
    client, pid, pairs, ob = (mentoring[k] for k in ("client", "programme", "pairs", "obligations"))
    week = [date(2025, 9, 2) + timedelta(weeks=i) for i in range(5)]  # Tuesdays of weeks 36–40
    for day in week:  # 新甲: one of the mentor's lessons every week
        record(client, pairs["新甲"], day)
    record(client, pairs["新乙"], date(2025, 9, 3))  # 新乙: two in the first week, then nothing
    record(client, pairs["新乙"], date(2025, 9, 4))
    for day in week[1:4]:  # 新丙: three lessons, none of them the mentor's
        record(client, pairs["新丙"], day, counterpart=False)
    record(client, pairs["新甲"], date(2025, 9, 12), actor="helper")  # the mentor observes 新甲 twice
    record(client, pairs["新甲"], date(2025, 9, 19), actor="helper")
    record(client, pairs["新丙"], date(2025, 9, 25), actor="helper")

    term = client.get(f"{API}/compliance", {"programme": pid, "period": "term", "as_of": AS_OF,
                                             "page_size": 100}).json()
    got = {(r["target_name"], r["obligation_id"]): (r["done"], r["expected"], r["shortfall"], r["status"])
           for r in term["items"]}
    # 31 of the term's 138 days have passed: 20 → 4 expected by now, 10 → 2, 8 → 1, 1 → 0.
    assert got == {
        ("新甲", ob["main"]): (5, 4, 15, "on_track"),
        ("新乙", ob["main"]): (2, 4, 18, "behind"),
        ("新丙", ob["arts"]): (3, 2, 7, "on_track"),
        ("新丁", ob["arts"]): (0, 2, 10, "behind"),
        ("新甲", ob["mentor"]): (2, 1, 6, "on_track"),
        ("新乙", ob["mentor"]): (0, 1, 8, "behind"),
        ("新丙", ob["mentor"]): (1, 1, 7, "on_track"),
        ("新丁", ob["mentor"]): (0, 1, 8, "behind"),
        **{(name, ob["report"]): (0, 0, 1, "on_track") for name in ("新甲", "新乙", "新丙", "新丁")},
    }
    assert term["count"] == 12

    weekly = client.get(f"{API}/compliance", {"programme": pid, "obligation": ob["weekly"], "status": "due",
                                               "as_of": AS_OF, "page_size": 100}).json()
    overdue = sorted((r["target_name"], r["period_label"], r["shortfall"]) for r in weekly["items"])
    assert overdue == sorted(
        [("新乙", f"2025年第{w}周", 1) for w in (37, 38, 39)]
        + [("新丙", f"2025年第{w}周", 1) for w in (36, 37, 38, 39)]
        + [("新丁", f"2025年第{w}周", 1) for w in (36, 37, 38, 39)])

    by_helper = {r["name"]: (r["total"], r["due"]) for r in client.get(
        f"{API}/compliance/rollup", {"programme": pid, "by": "helper", "period": "term", "as_of": AS_OF}).json()}
    assert by_helper == {"覃老师": (6, 2), "韦老师": (3, 0), "莫老师": (3, 2)}

    # the pages an office opens show the same: the term's rows most behind first, and the roll-up
    rows_page = client.get("/compliance/rows/", {"programme": pid, "period": "term", "as_of": AS_OF}).content.decode()
    assert rows_page.index("新乙") < rows_page.index("新甲") and "进度落后" in rows_page
    rollup_page = client.get("/compliance/", {"programme": pid, "by": "helper", "period": "term", "as_of": AS_OF})
    assert [(r["name"], r["due"]) for r in rollup_page.context["rows"]] == [("覃老师", 2), ("莫老师", 2), ("韦老师", 0)]


def test_out_of_scope_ids_are_not_found_in_the_api(mentoring, client):
    pid, pairs = mentoring["programme"], mentoring["pairs"]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(f"{API}/pairings/{pairs['新甲']}").status_code == 404
    response = client.post(f"{API}/activities", {"pairing_ids": [pairs["新甲"]], "kind": "听课",
                                                  "occurred_on": "2025-09-02", "content": "x"},
                           content_type="application/json")
    assert response.status_code == 404
    # the county's programme is visible to a township, but none of another township's rows
    assert client.get(f"{API}/programmes/{pid}").status_code == 200
    assert client.get(f"{API}/compliance", {"programme": pid, "as_of": AS_OF}).json()["count"] == 0
