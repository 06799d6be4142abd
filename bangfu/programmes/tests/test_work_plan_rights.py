"""The work plan (phases, tasks, task status) is part of how a programme is set up: only those who
may manage the programme change it (programme_manage_check), not a township, village or school
that sees a county's programme because it covers them."""

import json

import pytest

from bangfu.accounts.roles import Role
from bangfu.programmes import services
from bangfu.programmes.models import Phase, Task
from bangfu.programmes.tests.factories import make_programme
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, make_user, village_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.TOWNSHIP_OFFICE, Role.VILLAGE_TEAM, Role.SCHOOL_ADMIN, Role.HELPER])
def test_the_work_plan_of_a_programme_set_up_above_cannot_be_changed(client, regions, role):
    programme = make_programme()  # the county's
    phase = programme.phases.first()
    task = services.task_add(scope=ADMIN_SCOPE, by=None, phase=phase, name="摸底")
    region = TOWNSHIP_A if role == Role.TOWNSHIP_OFFICE else village_of(TOWNSHIP_A).code
    client.force_login(make_user(role, region=region))
    body = {"name": "加一个阶段", "starts_on": "2025-02-01", "ends_on": "2025-02-28"}
    responses = [
        client.post(f"/api/v1/programmes/{programme.pk}/phases", json.dumps(body), content_type="application/json"),
        client.post(f"/api/v1/phases/{phase.pk}/tasks", json.dumps({"name": "加一个任务"}),
                    content_type="application/json"),
        client.post(f"/api/v1/tasks/{task.pk}/status", json.dumps({"status": "done"}), content_type="application/json"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert all(r.json()["message"] for r in responses)
    assert Phase.objects.filter(programme=programme).count() == 4 and Task.objects.count() == 1
    assert Task.objects.get().status == task.status
    # the county that set it up may
    client.force_login(make_user(Role.COUNTY_OFFICE))
    response = client.post(f"/api/v1/programmes/{programme.pk}/phases", json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 201
