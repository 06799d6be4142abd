"""The demo produces every kind of document for 融安县, through the API as a new user would: each as
Word (opened with python-docx) and PDF (its text extracted), a township's summary with the figures of
its home page. One demo load (seed 11, scale 0.05, the day pinned)."""

import io
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document as Docx

from bangfu.accounts.models import User
from bangfu.documents.kinds import kinds_all
from bangfu.procedures.models import Notice
from bangfu.documents.tests.test_households import docx_text, pdf_text
from bangfu.programmes.models import Pairing, Programme
from bangfu.registry.models import Team

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def post(client, body: dict):
    return client.post("/api/v1/documents", json.dumps({"as_of": TODAY.isoformat(), **body}),
                       content_type="application/json")


def test_the_demo_prints_every_kind_for_the_county(client, regions):
    call_command("demo", "--seed", "11", "--scale", "0.05", "--today", TODAY.isoformat(), stdout=StringIO())
    county = User.objects.get(username="county")
    client.force_login(county)
    household = Pairing.objects.filter(target_household__isnull=False, status="active", helper_person__isnull=False,
                                       region__code__startswith="450224100").order_by("pk").first()
    school = Pairing.objects.filter(programme__terms__isnull=False, target_organization__isnull=False).order_by("pk").first()
    team = Team.objects.filter(region__code__startswith="450224100").order_by("pk").first()
    township = "450224100000"
    programme = Programme.objects.filter(phases__isnull=False).order_by("pk").first()
    plan = client.post("/api/v1/documents/plans", json.dumps({"programme": programme.pk, "year": TODAY.year}),
                       content_type="application/json")
    assert plan.status_code == 201, plan.content
    subjects = {"booklet": household.target_household_id, "card": household.target_household_id,
                "household_plan": household.target_household_id, "helper_diary": household.helper_person_id,
                "helper_households": household.helper_person_id, "team_month": team.pk, "team_half_year": team.pk,
                "year_summary": township, "half_year_summary": township, "term_summary": school.pk,
                "work_plan": plan.json()["id"], "township_summary": township,
                "notice": Notice.objects.filter(region__code__startswith="450224").order_by("pk").first().pk}
    params = {"helper_diary": {"start": "2026-01-01"}}
    missing = {k.key for k in kinds_all()} - set(subjects)
    for key, subject in subjects.items():
        for fmt in ("docx", "pdf"):
            response = post(client, {"kind": key, "subject": str(subject), "format": fmt, "params": params.get(key, {})})
            assert response.status_code == 200, (key, fmt, response.content[:300])
            text = docx_text(response.content) if fmt == "docx" else pdf_text(response.content)
            assert len(text) > 40, (key, fmt)
            if fmt == "docx":
                Docx(io.BytesIO(response.content))
    assert not missing, missing  # every kind the app knows is printed here

    # a township's yearly summary has its home page's counts, and another township's is refused to it
    changan = User.objects.get(username="changan")
    client.force_login(changan)
    summary = client.get(reverse("home"), {"as_of": TODAY.isoformat()}).context["summary"]
    text = docx_text(post(client, {"kind": "year_summary", "subject": township}).content)
    assert f"共有建档立卡及监测户{summary.households}户{summary.people}人" in text
    assert post(client, {"kind": "year_summary", "subject": "450224101000"}).status_code == 404
    booklet = docx_text(post(client, {"kind": "booklet", "subject": str(household.target_household_id)}).content)
    assert "****" in booklet  # numbers masked unless a full print is asked for
