"""Document pages: the 文书 menu, generating a document, the template page, batches. Thin."""

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.accounts.roles import DOCUMENT_TEMPLATE_ROLES
from bangfu.documents import batch, selectors, services, workplan
from bangfu.documents.kinds import field_list, kind_get, kinds_all
from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError


def _as_of(value: str | None) -> date:
    """The data date a form gives; today when left empty (the interface's default, recorded on the document)."""
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("数据截止日期格式应为 YYYY-MM-DD：%(v)s") % {"v": value}, field="as_of")


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _generated_response(generated) -> HttpResponse:
    response = file_response(generated.content, generated.filename, generated.content_type)
    response["X-Bangfu-Document"] = str(generated.record.pk)
    response["X-Bangfu-Data-Sha256"] = generated.record.data_sha256
    return response


@login_required
def index(request):
    """文书: every kind with its form, and one's recent documents."""
    kinds = kinds_all()
    return render(request, "documents/index.html", {
        "kinds": kinds, "documents": selectors.document_list(user=request.user, limit=30),
        "today": timezone.localdate().isoformat(), "can_full": request.user.role_rules.see_personal_data,
        "can_batch": request.user.role_rules.export,
        "can_templates": request.user.role in DOCUMENT_TEMPLATE_ROLES,
        "region": request.user.region_id or ""})


@login_required
@require_POST
def generate(request, kind: str):
    found = kind_get(kind)
    try:
        generated = services.document_generate(
            user=request.user, kind=found.key, subject=request.POST.get("subject", "").strip(),
            as_of=_as_of(request.POST.get("as_of")), fmt=request.POST.get("format", "docx"),
            params={name: request.POST.get(name, "") for name in found.params}, full=request.POST.get("full") == "1")
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
        return redirect("documents:index")
    return _generated_response(generated)


def regenerated_response(user, pk: int) -> HttpResponse:
    """One's recorded document generated again (page and API): the file, and whether its data are the same."""
    generated, same = services.document_regenerate(user=user, document=selectors.document_get(user=user, pk=pk))
    response = _generated_response(generated)
    response["X-Bangfu-Same-Data"] = "1" if same else "0"
    return response


@login_required
@require_POST
def regenerate(request, pk: int):
    return regenerated_response(request.user, pk)


@login_required
@require_POST
def batch_start(request):
    try:
        job = batch.batch_start(user=request.user, kind=request.POST.get("kind", "booklet"),
                                region=request.POST.get("region", "").strip(),
                                as_of=_as_of(request.POST.get("as_of")), fmt=request.POST.get("format", "docx"),
                                full=request.POST.get("full") == "1")
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
        return redirect("documents:index")
    messages.info(request, _("已开始批量生成 %(n)s 份，完成后可在“我的导出”下载。") % {"n": job.rows_total})
    return redirect("exports:jobs")


@login_required
def templates(request):
    """The template page: for each kind the version in use, download, upload an edited one, revert."""
    rows = []
    for kind in kinds_all():
        current = selectors.template_current(kind=kind.key, prefix=request.user.scope.prefix)
        rows.append({"kind": kind, "current": current, "fields": field_list(kind.fields),
                     "versions": selectors.template_versions(kind=kind.key, region_id=request.user.region_id)[:10]})
    return render(request, "documents/templates.html", {
        "rows": rows, "can_manage": request.user.role in DOCUMENT_TEMPLATE_ROLES and bool(request.user.region_id)})


@login_required
def template_download(request, kind: str):
    content, filename = services.template_content(user=request.user, kind=kind)
    return file_response(content, filename, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@login_required
@require_POST
def template_upload(request, kind: str):
    upload = request.FILES.get("file")
    try:
        template = services.template_upload(user=request.user, kind=kind, content=upload.read() if upload else b"",
                                            name=upload.name if upload else "")
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect("documents:templates")
    messages.success(request, _("已启用新模板(版本 %(v)s)") % {"v": template.version})
    return redirect("documents:templates")


@login_required
@require_POST
def template_revert(request, kind: str):
    services.template_revert(user=request.user, kind=kind)
    messages.success(request, _("已恢复为系统默认模板"))
    return redirect("documents:templates")


# Work plans ---------------------------------------------------------------------------------


@login_required
def plans(request):
    """工作计划: the plans of the user's region and below, and (offices) drafting one from a programme."""
    from bangfu.programmes.selectors import programme_list

    can_draft = request.user.role in DOCUMENT_TEMPLATE_ROLES and bool(request.user.region_id)
    return render(request, "documents/plans.html", {
        "plans": workplan.workplan_list(user=request.user), "can_draft": can_draft,
        "programmes": programme_list(scope=request.user.scope)[:200] if can_draft else [],
        "year": timezone.localdate().year})


@login_required
@require_POST
def plan_draft(request):
    try:
        plan = workplan.workplan_draft(user=request.user, programme=request.POST.get("programme", ""),
                                       year=request.POST.get("year", ""))
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
        return redirect("documents:plans")
    return redirect("documents:plan", pk=plan.pk)


@login_required
def plan(request, pk: int):
    """A plan's text sections, editable while it is a draft (POST saves them), with its print buttons."""
    found = workplan.workplan_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            workplan.workplan_update(user=request.user, plan=found,
                                     sections={k: request.POST.get(k, "") for k in workplan.SECTIONS})
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
        return redirect("documents:plan", pk=found.pk)
    can_edit = (found.status == "draft" and request.user.role in DOCUMENT_TEMPLATE_ROLES
                and bool(request.user.region_id) and request.user.scope.contains_code(found.region_id))
    return render(request, "documents/plan.html", {
        "plan": found, "can_edit": can_edit, "today": timezone.localdate().isoformat(),
        "sections": [(key, label, found.sections.get(key, "")) for key, label in workplan.SECTIONS.items()]})


@login_required
@require_POST
def plan_issue(request, pk: int):
    found = workplan.workplan_get(user=request.user, pk=pk)
    try:
        issued = workplan.workplan_issue(user=request.user, plan=found, on=_as_of(request.POST.get("on")))
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
        return redirect("documents:plan", pk=found.pk)
    messages.success(request, _("已印发(第%(v)s版)") % {"v": issued.version})
    return redirect("documents:plan", pk=found.pk)
