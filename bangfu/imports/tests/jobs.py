"""An import as a user takes it through the page or the API: upload, then dry run or import."""

from django.urls import reverse

from bangfu.imports.models import ImportJob


def upload(client, fh, register: str = "members") -> ImportJob:
    response = client.post(reverse("imports:upload"), {"register": register, "file": fh})
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("pk")


def start(client, job: ImportJob, dry_run: bool, capture) -> ImportJob:
    """Press 校验(不写入) or 导入; the background task runs when the request's transaction commits."""
    with capture(execute=True):
        response = client.post(reverse("imports:start", args=[job.pk]), {"dry_run": "1" if dry_run else "0"})
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def api_import(client, fh, register: str, capture) -> dict:
    """POST /imports, start the import, and return the job as GET /imports/{id} answers."""
    response = client.post("/api/v1/imports", {"register_key": register, "file": fh})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    with capture(execute=True):
        response = client.post(f"/api/v1/imports/{job_id}/start", {"dry_run": False}, content_type="application/json")
    assert response.status_code == 200
    return client.get(f"/api/v1/imports/{job_id}").json()
