"""Import pages: upload, header mapping, dry run, import, progress, report. Thin: each calls a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError
from bangfu.imports import services
from bangfu.imports.blanks import register_template
from bangfu.imports.models import ImportJob
from bangfu.imports.registers import COUNT_LABELS, REGISTERS, register_get
from bangfu.imports.validation import error_kind_label, row_label


@login_required
def import_list(request):
    jobs = services.import_job_list(user=request.user, limit=20)
    return render(request, "imports/import_list.html", {
        "jobs": jobs, "registers": REGISTERS.values(), "can_import": request.user.role_rules.edit_registry})


@login_required
def template_download(request, register: str):
    reg = register_get(register)
    response = HttpResponse(register_template(reg),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = _("%(register)s-导入模板.xlsx") % {"register": reg.title}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_POST
def import_upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
        return redirect("imports:list")
    try:
        job = services.import_job_create(user=request.user, register=request.POST.get("register", ""), upload=upload)
    except BangfuError as exc:
        messages.error(request, exc.message)
        return redirect("imports:list")
    return redirect("imports:detail", pk=job.pk)


def _context(job: ImportJob) -> dict:
    reg = register_get(job.register)
    done, total = services.import_progress(job) if job.running else (job.rows, job.rows_total)
    columns = [{"key": c.key, "header": _(c.header), "required": c.required, "chosen": job.mapping.get(c.key)}
               for c in reg.columns]
    return {
        "job": job, "register": reg, "columns": columns, "headers": list(enumerate(job.headers)),
        "missing": services.mapping_missing(reg, job.mapping), "done": done, "total": total,
        "percent": int(100 * done / total) if total else 0,
        "error_counts": sorted(((error_kind_label(k), n) for k, n in job.error_counts.items()), key=lambda x: -x[1]),
        "count_rows": [(COUNT_LABELS.get(k, k), c) for k, c in job.counts.items()],
        "unmapped": services.import_job_unmapped(job),
        "errors": [{**e, "label": row_label(e["row"], e.get("seq"))} for e in job.error_sample],
    }


@login_required
def import_detail(request, pk: int):
    job = services.import_job_get(user=request.user, pk=pk)
    if job.programme_id:  # a pairing register's upload: its page is the programme's
        return redirect(f"{reverse('programmes:pairing_register_upload', args=[job.programme_id])}?job={job.pk}")
    return render(request, "imports/import_detail.html", _context(job))


@login_required
def import_status(request, pk: int):
    """The htmx partial polled while a job runs."""
    job = services.import_job_get(user=request.user, pk=pk)
    return render(request, "imports/_status.html", _context(job))


@login_required
@require_POST
def import_map(request, pk: int):
    job = services.import_job_get(user=request.user, pk=pk)
    reg = register_get(job.register)
    mapping = {c.key: request.POST.get(f"map_{c.key}") for c in reg.columns}
    try:
        services.import_job_map(job=job, mapping=mapping)
        messages.success(request, _("已保存表头对应"))
    except BangfuError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@login_required
@require_POST
def import_start(request, pk: int):
    job = services.import_job_get(user=request.user, pk=pk)
    try:
        services.import_job_start(job=job, dry_run=request.POST.get("dry_run") == "1")
    except BangfuError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@login_required
def import_report(request, pk: int):
    fh, name = services.import_job_report(user=request.user, pk=pk)
    return FileResponse(fh, as_attachment=True, filename=name)
