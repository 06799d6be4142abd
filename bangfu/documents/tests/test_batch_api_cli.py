"""Batches of booklets through 我的导出, the API and the command line."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document as Docx

from bangfu.accounts.roles import Role
from bangfu.documents.models import Document
from bangfu.documents.tests.conftest import AS_OF, user
from bangfu.documents.tests.test_households import docx_text, pdf_text
from bangfu.exports.models import ExportJob
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_the_booklets_of_a_township_come_as_one_zip_on_my_exports(client, world, django_capture_on_commit_callbacks):
    office = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:batch"), {"kind": "booklet", "region": TOWNSHIP_A,
                                                            "as_of": AS_OF.isoformat()})
    assert response.status_code == 302 and response["Location"] == reverse("exports:jobs")
    job = ExportJob.objects.get(created_by=office)
    assert (job.status, job.rows_done, job.rows_total, job.format) == ("done", 2, 2, "zip")
    page = client.get(reverse("exports:jobs")).content.decode()
    assert "帮扶手册(批量)-长安镇" in page
    download = client.get(reverse("exports:download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    households = world["households"][:2]
    assert len(names) == 2 and all(any(h.number in n for n in names) for h in households)
    text = docx_text(archive.read(names[0]))
    assert "帮扶手册" in text and "139****5678" in text
    # each booklet is recorded, and is the same file a single print gives
    assert Document.objects.filter(created_by=office, kind="booklet").count() == 2
    single = client.post(reverse("documents:generate", args=["booklet"]),
                         {"subject": households[0].pk, "as_of": AS_OF.isoformat()})
    assert any(archive.read(n) == single.content for n in names)
    # another township's region is not found; roles that may not export may not batch
    assert client.post(reverse("documents:batch"), {"region": TOWNSHIP_B, "as_of": "2025-03-31"}).status_code == 404
    client.force_login(user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(reverse("documents:batch"), {"region": TOWNSHIP_A, "as_of": "2025-03-31"}).status_code == 403




def test_the_api_generates_lists_regenerates_and_batches(client, world, django_capture_on_commit_callbacks):
    office = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    household = world["household"]
    kinds = client.get("/api/v1/documents/kinds").json()
    assert {k["key"] for k in kinds} >= {"booklet", "card", "team_month", "year_summary", "term_summary"}
    body = {"kind": "booklet", "subject": str(household.pk), "as_of": "2025-03-31", "format": "pdf"}
    response = client.post("/api/v1/documents", json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and household.number in pdf_text(response.content)
    listed = client.get("/api/v1/documents").json()
    assert listed[0]["kind"] == "booklet" and listed[0]["data_sha256"] == response["X-Bangfu-Data-Sha256"]
    again = client.post(f"/api/v1/documents/{listed[0]['id']}/regenerate")
    assert again.content == response.content and again["X-Bangfu-Same-Data"] == "1"
    other = {**body, "subject": str(world["households"][2].pk)}
    assert client.post("/api/v1/documents", json.dumps(other), content_type="application/json").status_code == 404
    full = {**body, "kind": "year_summary", "subject": TOWNSHIP_A, "full": True}
    refused = client.post("/api/v1/documents", json.dumps(full), content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "full"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/documents/batches", json.dumps({"region": TOWNSHIP_A, "as_of": "2025-03-31"}),
                              content_type="application/json")
    assert started.status_code == 201
    job = client.get(started.json()["status_url"]).json()
    assert job["status"] == "done" and job["rows_done"] == 2 and job["download_url"]
    template = client.get("/api/v1/documents/templates/booklet")
    assert Docx(io.BytesIO(template.content)).paragraphs[0].text == "{{ doc.title }}"


def test_the_command_writes_a_document_and_the_default_templates(world, tmp_path):
    office = user(Role.COUNTY_OFFICE, region="450224000000")
    target = tmp_path / "手册.docx"
    out = io.StringIO()
    call_command("document", "booklet", str(world["household"].pk), "--user", office.username, "--as-of", "2025-03-31",
                 "-o", str(target), stdout=out)
    assert world["household"].number in docx_text(target.read_bytes()) and "默认-v1" in out.getvalue()
    call_command("document", "templates", "-o", str(tmp_path / "t"), stdout=io.StringIO())
    assert {p.name for p in (tmp_path / "t").iterdir()} >= {
        "booklet.docx", "card.docx", "team_month.docx", "term_summary.docx", "year_summary.docx", "notice.docx"}
    written = {p.name for p in (tmp_path / "t").iterdir()}
    assert written >= {"booklet.docx", "card.docx", "team_month.docx", "term_summary.docx", "year_summary.docx",
                       "household_plan.docx", "helper_diary.docx", "helper_households.docx",
                       "half_year_summary.docx", "team_half_year.docx", "work_plan.docx", "township_summary.docx"}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在或不在您的管辖范围内"):
        call_command("document", "booklet", str(world["households"][2].pk), "--as-of", "2025-03-31", "-o",
                     str(target), "--user", user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A).username)
