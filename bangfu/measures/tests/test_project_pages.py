"""Projects through the pages: registered with milestones and 带贫户, a milestone reached, more
households linked, accepted; another county sees nothing."""

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.measures.models import Project
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


def test_a_project_is_registered_followed_and_accepted_on_pages(client, regions):
    households = [make_household(members=1) for _ in range(3)]
    village = village_of(TOWNSHIP_A).code
    client.force_login(make_user(Role.HELPER, region=village))
    assert client.get(reverse("measures:project_create")).status_code == 403
    client.force_login(make_user(Role.COUNTY_OFFICE))
    data = {"name": "长安镇饮水安全巩固提升工程", "kind": "infra", "region": village, "unit": "立方米",
            "planned_quantity": "200", "budget": "380000", "starts_on": "2026-03-01",
            "milestones": "完成招标 2026-03-20\n完工 2026-06-30", "households": f"{households[0].pk}，{households[1].pk}"}
    bad = client.post(reverse("measures:project_create"), {**data, "milestones": "完成招标 三月"})
    assert bad.status_code == 400 and "第 1 行" in bad.content.decode()
    made = client.post(reverse("measures:project_create"), data)
    assert made.status_code == 302
    project = Project.objects.get()
    url = reverse("measures:project_detail", args=[project.pk])
    assert made["Location"] == url
    page = client.get(url).content.decode()
    assert "完成招标" in page and households[0].number in page and households[2].number not in page
    edit = reverse("measures:project_edit", args=[project.pk])
    assert edit in page
    changed = client.post(edit, {**{k: data[k] for k in ("name", "kind", "unit", "starts_on")},
                                 "planned_quantity": "220", "budget": "400000", "status": "building"})
    assert changed.status_code == 302
    project.refresh_from_db()
    assert (project.planned_quantity, project.budget, project.status) == (220, 400000, "building")
    assert project.history.count() == 2
    milestone = project.milestones.get(title="完成招标")
    assert client.post(url, {"action": "milestone", "milestone": milestone.pk, "done_on": "2026-03-18"}).status_code == 302
    assert client.post(url, {"action": "households", "more-households": str(households[2].pk)}).status_code == 302
    assert client.post(url, {"action": "accept", "accept-accepted_on": "2026-07-05",
                             "accept-accepted_quantity": "210"}).status_code == 302
    project.refresh_from_db()
    milestone.refresh_from_db()
    assert (project.status, project.accepted_quantity, milestone.done_on.isoformat()) == ("accepted", 210,
                                                                                         "2026-03-18")
    page = client.get(url).content.decode()
    assert households[2].number in page and "210" in page
    listing = client.get(reverse("measures:project_list")).content.decode()
    assert url in listing and "已验收" in listing
    client.force_login(make_user(Role.HELPER, region=village))  # sees it, may not accept it
    assert client.get(url).status_code == 200 and client.get(edit).status_code == 403
    assert client.post(url, {"action": "accept", "accept-accepted_on": "2026-07-05",
                             "accept-accepted_quantity": "1"}).status_code == 403
    client.force_login(make_user(Role.COUNTY_OFFICE, region="450223000000"))
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("measures:project_list")).content.decode()
