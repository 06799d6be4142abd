"""The programme, pairing and activity endpoints not driven by the mentoring flow, and the handover
and exemption forms on the pairing page: each as a user meets it, with its refusals."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.accounts.roles import Role
from bangfu.compliance.tests.test_pages import _photo_with_exif
from bangfu.programmes.models import Exemption, Pairing
from bangfu.programmes.tests.factories import make_person
from bangfu.tests.factories import RONGAN, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client, method, url, data=None, status=(200, 201)):
    response = getattr(client, method)(API + url, data, content_type="application/json") if method == "post" \
        else client.get(API + url, data or {})
    assert response.status_code in ((status,) if isinstance(status, int) else status), response.content.decode()
    return response.json()


@pytest.fixture
def office(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = call(client, "post", "/programmes", {
        "name": "2025年干部结对帮扶", "region": RONGAN, "starts_on": "2025-01-01", "ends_on": "2025-12-31",
        "helper_kinds": ["person"], "target_kinds": ["household"], "coverage_attribute": "status",
        "coverage_values": ["poor"]})
    pid = programme["id"]
    monthly = call(client, "post", f"/programmes/{pid}/obligations",
                   {"name": "每月走访", "kind": "走访", "minimum": 1, "period": "month"})
    helpers = [make_person(name=n, rank="staff", region=TOWNSHIP_A) for n in ("覃一", "韦二", "莫三")]
    households = [make_household(members=1) for _ in range(3)]
    return {"client": client, "pid": pid, "monthly": monthly["id"], "helpers": helpers, "households": households}


def test_capacity_checks_and_the_work_plan_through_the_api(office):
    client, pid = office["client"], office["pid"]
    h = office["helpers"]
    assert call(client, "post", f"/programmes/{pid}/capacity-rules", {"helper_rank": "", "max_targets": 1},
                status=201)["max_targets"] == 1
    call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": h[0].pk, "target_ids": [
        str(office["households"][0].pk)], "starts_on": "2025-02-01"}, status=201)
    over = client.post(f"{API}/programmes/{pid}/pairings", {"helper_id": h[0].pk, "target_ids": [
        str(office["households"][1].pk)], "starts_on": "2025-02-01"}, content_type="application/json")
    assert over.status_code == 409 and "上限 1" in over.json()["message"]
    checks = call(client, "get", f"/programmes/{pid}/checks")
    assert checks["uncovered_count"] == 2 and {u["id"] for u in checks["uncovered"]} == {
        office["households"][1].pk, office["households"][2].pk}
    assert checks["over_capacity"] == []
    assert [o["name"] for o in call(client, "get", f"/programmes/{pid}/obligations")] == ["每月走访"]
    assert [p["name"] for p in call(client, "get", "/programmes")["items"]] == ["2025年干部结对帮扶"]

    phases = call(client, "get", f"/programmes/{pid}/phases")
    assert [p["name"] for p in phases] == ["调查摸底", "制定计划", "开展工作", "检查验收"]
    extra = call(client, "post", f"/programmes/{pid}/phases", {"name": "总结表彰", "starts_on": "2025-12-01",
                                                                 "ends_on": "2025-12-31"}, status=201)
    task = call(client, "post", f"/phases/{extra['id']}/tasks", {"name": "评选优秀帮扶责任人", "owner": "县扶贫办",
                                                                   "due_on": "2025-12-20"}, status=201)
    assert call(client, "post", f"/tasks/{task['id']}/status", {"status": "done"})["status"] == "done"
    bad = client.post(f"{API}/tasks/{task['id']}/status", {"status": "maybe"}, content_type="application/json")
    assert bad.status_code == 400


def test_handover_end_exemption_and_history_through_the_api(office):
    client, pid = office["client"], office["pid"]
    h, hh = office["helpers"], office["households"]
    [first] = call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": h[0].pk, "target_ids": [
        str(hh[0].pk)], "starts_on": "2025-01-01"}, status=201)
    call(client, "post", "/activities", {"pairing_ids": [first["id"]], "kind": "走访", "occurred_on": "2025-01-15",
                                         "content": "入户了解生产生活"}, status=201)
    new = call(client, "post", f"/pairings/{first['id']}/handover", {"helper_id": h[1].pk, "on": "2025-03-01",
                                                                      "reason": "原帮扶人调离"}, status=201)
    assert (new["previous_id"], new["starts_on"]) == (first["id"], "2025-03-01")
    assert call(client, "get", f"/pairings/{first['id']}")["status"] == "handed_over"
    assert [p["helper_name"] for p in call(client, "get", f"/pairings/{new['id']}/history")] == ["覃一", "韦二"]
    # the household's log keeps the first helper's visit after the handover
    log = call(client, "get", "/activities", {"household": hh[0].pk})
    assert [(a["pairing_id"], a["occurred_on"]) for a in log["items"]] == [(first["id"], "2025-01-15")]
    again = client.post(f"{API}/pairings/{first['id']}/handover", {"helper_id": h[2].pk, "on": "2025-04-01",
                                                                   "reason": "再移交"}, content_type="application/json")
    assert again.status_code == 409  # the old pairing is over

    exemption = call(client, "post", f"/pairings/{new['id']}/exemptions", {
        "obligation_id": office["monthly"], "starts_on": "2025-05-01", "ends_on": "2025-06-30",
        "reason": "户主外出务工，全家随迁"}, status=201)
    assert Exemption.objects.get(pk=exemption["id"]).approved_by.role == Role.COUNTY_OFFICE
    rows = call(client, "get", "/compliance", {"pairing": new["id"], "as_of": "2025-07-20", "page_size": 50})
    statuses = {r["period_label"]: r["status"] for r in rows["items"]}
    assert statuses["2025年5月"] == statuses["2025年6月"] == "exempt" and statuses["2025年4月"] == "overdue"
    no_reason = client.post(f"{API}/pairings/{new['id']}/exemptions", {"starts_on": "2025-05-01",
                                                                       "ends_on": "2025-05-31", "reason": " "},
                            content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"

    ended = call(client, "post", f"/pairings/{new['id']}/end", {"on": "2025-08-31", "reason": "户已稳定脱贫"})
    assert (ended["status"], ended["ends_on"]) == ("ended", "2025-08-31")
    late = client.post(f"{API}/activities", {"pairing_ids": [new["id"]], "kind": "走访", "occurred_on": "2025-09-02",
                                             "content": "x"}, content_type="application/json")
    assert late.status_code == 409


def test_activities_are_corrected_withdrawn_and_get_evidence_through_the_api(office):
    client, pid = office["client"], office["pid"]
    [pairing] = call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": office["helpers"][0].pk,
                                                                      "target_ids": [str(office["households"][0].pk)],
                                                                      "starts_on": "2025-01-01"}, status=201)
    [visit] = call(client, "post", "/activities", {"pairing_ids": [pairing["id"]], "kind": "走访",
                                                   "occurred_on": "2025-02-03", "content": "走访"}, status=201)
    fixed = call(client, "post", f"/activities/{visit['id']}/corrections",
                 {"reason": "日期填错", "occurred_on": "2025-02-04"}, status=201)
    assert (fixed["supersedes_id"], fixed["occurred_on"], fixed["content"]) == (visit["id"], "2025-02-04", "走访")
    twice = client.post(f"{API}/activities/{visit['id']}/corrections", {"reason": "再改"},
                        content_type="application/json")
    assert twice.status_code == 409  # correct the latest one
    withdrawn = call(client, "post", f"/activities/{fixed['id']}/corrections", {"reason": "误录", "withdraw": True},
                     status=201)
    assert withdrawn["withdrawn"] is True
    current = call(client, "get", "/activities", {"pairing": pairing["id"]})["items"]
    everything = call(client, "get", "/activities", {"pairing": pairing["id"], "include_superseded": True})["items"]
    assert len(everything) == 3 and len(current) < len(everything)

    photo = SimpleUploadedFile("visit.jpg", _photo_with_exif(), content_type="image/jpeg")
    evidence = client.post(f"{API}/activities/{visit['id']}/evidence", {"file": photo})
    assert evidence.status_code == 201, evidence.content.decode()
    assert evidence.json()["taken_at"].startswith("2025-02-03") and float(evidence.json()["latitude"]) == 24.225
    assert call(client, "get", f"/activities/{visit['id']}")["evidence"][0]["name"] == "visit.jpg"
    big = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    too_big = client.post(f"{API}/activities/{visit['id']}/evidence", {"file": big})
    assert too_big.status_code == 400 and "文件过大" in too_big.json()["message"]

    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(f"{API}/activities/{visit['id']}").status_code == 404
    assert client.post(f"{API}/activities/{visit['id']}/corrections", {"reason": "x"},
                       content_type="application/json").status_code == 404


def test_the_pairing_page_hands_over_and_grants_exemptions_in_its_forms(office):
    client, pid = office["client"], office["pid"]
    h, hh = office["helpers"], office["households"]
    [pairing] = call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": h[0].pk, "target_ids": [
        str(hh[0].pk)], "starts_on": "2025-01-01"}, status=201)
    page = f"/pairings/{pairing['id']}/"
    assert "移交给新的帮扶方" in client.get(page).content.decode()

    response = client.post(page, {"e-obligation": office["monthly"], "e-starts_on": "2025-03-01",
                                  "e-ends_on": "2025-02-01", "e-reason": "住院治疗"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(page, {"e-obligation": office["monthly"], "e-starts_on": "2025-03-01",
                                  "e-ends_on": "2025-04-30", "e-reason": "住院治疗"})
    assert response.status_code == 302 and Exemption.objects.get().reason == "住院治疗"
    assert "住院治疗" in client.get(page).content.decode()

    response = client.post(page, {"h-helper_kind": "person", "h-helper_id": h[1].pk, "h-on": "2024-12-01",
                                  "h-reason": "调离"})
    assert response.status_code == 400 and "移交日期须晚于结对日期" in response.content.decode()
    response = client.post(page, {"h-helper_kind": "person", "h-helper_id": h[1].pk, "h-on": "2025-06-01",
                                  "h-reason": "原帮扶人调离"})
    new = Pairing.objects.get(previous_id=pairing["id"])
    assert response.status_code == 302 and response["Location"] == f"/pairings/{new.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "覃一" in html and "韦二" in html and "原帮扶人调离" in html

    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert "移交给新的帮扶方" not in client.get(f"/pairings/{new.pk}/").content.decode()


def _feb_status(client, pid) -> str:
    """February's status of the one pairing's monthly visits, as the compliance page's API gives it."""
    rows = call(client, "get", "/compliance", {"programme": pid, "as_of": "2025-03-10", "page_size": 100})["items"]
    [feb] = [r for r in rows if r["period_starts_on"] == "2025-02-01"]
    return feb["status"]


def test_a_programme_its_obligations_and_terms_are_changed_on_their_pages(office, client):
    from django.urls import reverse

    pid, monthly = office["pid"], office["monthly"]
    pairing = call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": office["helpers"][0].pk, "target_ids": [
        str(office["households"][0].pk)], "starts_on": "2025-01-01"}, status=201)[0]
    call(client, "post", "/activities", {"pairing_ids": [pairing["id"]], "kind": "走访", "occurred_on": "2025-02-10",
                                         "content": "入户"}, status=201)
    assert _feb_status(client, pid) == "met"

    detail = client.get(reverse("programmes:programme_detail", args=[pid])).content.decode()
    edit = reverse("programmes:obligation_edit", args=[pid, monthly])
    assert edit in detail and reverse("programmes:programme_edit", args=[pid]) in detail
    form = client.get(edit).content.decode()
    assert 'value="每月走访"' in form  # the form shows the obligation as it is
    response = client.post(edit, {"name": "每月走访两次", "actor": "helper", "kind": "走访", "measure": "count",
                                  "minimum": "2", "unit": "次", "period": "month", "window_before_days": 0,
                                  "window_after_days": 0, "grace_days": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _feb_status(client, pid) != "met"  # one visit no longer meets February

    page = reverse("programmes:programme_edit", args=[pid])
    assert "走访、" in client.get(page).content.decode()  # the activity kinds as typed
    data = {"name": "2025年干部结对帮扶(调整)", "region": RONGAN, "period_kind": "calendar_year",
            "starts_on": "2025-01-01", "ends_on": "2025-06-30", "helper_kinds": ["person"], "target_kinds": ["household"],
            "helper_label": "帮扶责任人", "target_label": "帮扶对象", "activity_kinds": "走访、电话、慰问"}
    response = client.post(page, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert call(client, "get", f"/programmes/{pid}")["ends_on"] == "2025-06-30"
    rows = call(client, "get", "/compliance", {"programme": pid, "as_of": "2025-12-31", "page_size": 100})["items"]
    assert max(r["period_starts_on"] for r in rows) == "2025-06-01"  # no periods after the new end
    bad = client.post(page, {**data, "ends_on": "2024-12-31"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()

    # Another programme's obligation through this one's URL, and a role that may not change programmes.
    other = call(client, "post", "/programmes", {"name": "另一个", "region": RONGAN, "starts_on": "2025-01-01",
                                                 "ends_on": "2025-12-31", "helper_kinds": ["person"],
                                                 "target_kinds": ["household"]})
    assert client.get(reverse("programmes:obligation_edit", args=[other["id"], monthly])).status_code == 404
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(edit, {"name": "x", "actor": "helper", "kind": "走访", "measure": "count", "minimum": "9",
                              "unit": "次", "period": "month", "window_before_days": 0, "window_after_days": 0,
                              "grace_days": 0}).status_code == 403


def test_a_term_is_changed_on_its_page_and_through_the_api(client, regions):
    from django.urls import reverse

    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = call(client, "post", "/programmes", {
        "name": "青蓝工程", "region": RONGAN, "period_kind": "term", "starts_on": "2025-02-17", "ends_on": "2025-07-10",
        "helper_kinds": ["person"], "target_kinds": ["person"]})
    pid = programme["id"]
    term = call(client, "post", f"/programmes/{pid}/terms", {"name": "2024-2025学年第二学期", "academic_year": "2024-2025",
                                                             "starts_on": "2025-02-17", "ends_on": "2025-07-10"},
                status=201)
    page = reverse("programmes:term_edit", args=[pid, term["id"]])
    assert page in client.get(reverse("programmes:programme_detail", args=[pid])).content.decode()
    response = client.post(page, {"name": "2024-2025学年第二学期", "academic_year": "2024-2025",
                                  "starts_on": "2025-03-03", "ends_on": "2025-07-10"})
    assert response.status_code == 302
    changed = client.put(f"{API}/programmes/{pid}/terms/{term['id']}", {
        "name": "第二学期", "academic_year": "2024-2025", "starts_on": "2025-03-03", "ends_on": "2025-07-04"},
        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["ends_on"] == "2025-07-04"
    missing = client.put(f"{API}/programmes/{pid}/terms/999999", {
        "name": "x", "academic_year": "x", "starts_on": "2025-03-03", "ends_on": "2025-07-04"},
        content_type="application/json")
    assert missing.status_code == 404


def test_a_programme_and_an_obligation_are_changed_through_the_api(office):
    client, pid, monthly = office["client"], office["pid"], office["monthly"]
    response = client.put(f"{API}/programmes/{pid}/obligations/{monthly}", {
        "name": "每季度走访", "kind": "走访", "minimum": 1, "period": "quarter"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["period"] == "quarter"
    bad = client.put(f"{API}/programmes/{pid}/obligations/{monthly}", {
        "name": "x", "kind": "不存在的活动", "minimum": 1, "period": "month"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    response = client.put(f"{API}/programmes/{pid}", {
        "name": "2025年干部结对帮扶", "region": RONGAN, "starts_on": "2025-01-01", "ends_on": "2025-09-30",
        "helper_kinds": ["person"], "target_kinds": ["household"]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["ends_on"] == "2025-09-30"
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))  # the programme is the county's
    outside = client.put(f"{API}/programmes/{pid}", {
        "name": "x", "region": RONGAN, "starts_on": "2025-01-01", "ends_on": "2025-09-30",
        "helper_kinds": ["person"], "target_kinds": ["household"]}, content_type="application/json")
    assert outside.status_code == 403 and "上级设立" in outside.json()["message"]
    assert client.get(f"{API}/programmes/{pid}").status_code == 200  # which it still sees, and pairs in
    from django.urls import reverse

    detail = client.get(reverse("programmes:programme_detail", args=[pid])).content.decode()
    assert reverse("programmes:pairing_create", args=[pid]) in detail
    assert reverse("programmes:programme_edit", args=[pid]) not in detail
    assert reverse("programmes:obligation_add", args=[pid]) not in detail
    for page in (reverse("programmes:programme_edit", args=[pid]), reverse("programmes:obligation_add", args=[pid]),
                 reverse("programmes:obligation_edit", args=[pid, monthly])):
        assert client.get(page).status_code == 403, page


def test_period_labels_are_shown_in_the_readers_language(office, client, settings):
    from django.utils import translation

    from bangfu.programmes.periods import period_label_shown

    with translation.override("en"):
        assert [period_label_shown(x) for x in ("2025年11月", "2025年第3周", "2025年第2季度", "2026年春节", "2025年六一",
                                                  "2025年三夏农忙", "2025年", "2024-2025学年第二学期")] == [
            "November 2025", "Week 3 of 2025", "Q2 2025", "Spring Festival 2026", "Children's Day (1 June) 2025",
            "Summer harvest season 2025", "2025", "2024-2025学年第二学期"]  # a term's name is its author's
        # weeks_spans' periods inside a term: the term's name as written, the weeks in English
        assert period_label_shown("2026年秋季学期第13—14周") == "2026年秋季学期, weeks 13–14"
        assert period_label_shown("2026年秋季学期第3周") == "2026年秋季学期, week 3"
    with translation.override("zh-hans"):
        assert period_label_shown("2025年11月") == "2025年11月"
        assert period_label_shown("2026年秋季学期第13—14周") == "2026年秋季学期第13—14周"

    pid = office["pid"]
    call(client, "post", f"/programmes/{pid}/pairings", {"helper_id": office["helpers"][0].pk, "target_ids": [
        str(office["households"][0].pk)], "starts_on": "2025-01-01"}, status=201)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = call(client, "get", "/compliance", {"programme": pid, "as_of": "2025-03-10"})["items"]
    assert {r["period_label"] for r in rows} >= {"January 2025", "February 2025"}
    from django.urls import reverse

    page = client.get(reverse("compliance:rows"), {"programme": pid, "as_of": "2025-03-10"}).content.decode()
    assert "February 2025" in page and "2025年2月" not in page
