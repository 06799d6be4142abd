"""Export pages: the 导出 buttons of every list, and 我的导出 (one's background exports). Thin."""

import tempfile
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import ValidationError
from bangfu.exports import services
from bangfu.exports.writers import CONTENT_TYPES, csv_stream, xlsx_write


@login_required
@require_POST
def export_start(request, listing: str):
    """The list's filters come in the query string (as on its page), the format in the form."""
    try:
        result = services.export_begin(user=request.user, listing=listing, params=request.GET,
                                       fmt=request.POST.get("format", ""), full=request.POST.get("full") == "1",
                                       reason=request.POST.get("reason", ""), note=request.POST.get("reason_note", ""))
    except ValidationError as exc:
        return HttpResponseBadRequest(exc.message)
    if isinstance(result, services.DirectExport):
        return _download(result)
    messages.info(request, _("共 %(n)s 行，较多，已转入后台导出；完成后可在此下载。") % {"n": result.rows_total})
    return redirect("exports:jobs")


def _download(export: services.DirectExport):
    if export.format == "csv":
        response = StreamingHttpResponse(csv_stream(export.headers, export.rows), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.filename)}"
        return response
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", prefix="bangfu-export-")  # deleted when the response closes it
    xlsx_write(export.headers, export.rows, tmp.name, export.title)
    return FileResponse(tmp, as_attachment=True, filename=export.filename, content_type=CONTENT_TYPES["xlsx"])


@login_required
def job_list(request):
    """我的导出: one's export jobs with their progress (the table is polled by htmx while any runs)."""
    jobs = services.export_job_list(user=request.user, limit=50)
    context = {"jobs": jobs, "running": any(job.running for job in jobs),
               "retention_days": settings.BANGFU_EXPORT_RETENTION_DAYS}
    template = "exports/_jobs.html" if request.htmx else "exports/job_list.html"
    return render(request, template, context)


@login_required
def job_download(request, pk: int):
    job, path = services.export_job_file(user=request.user, pk=pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=CONTENT_TYPES[job.format])
