"""Programme and pairing pages: thin — parse, call one selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangfu.activities import selectors as activity_selectors
from bangfu.errors import BangfuError, NotFound, PermissionDenied
from bangfu.imports.models import ImportStatus
from bangfu.programmes import register, selectors, services
from bangfu.programmes.forms import ExemptionForm, HandoverForm, ObligationForm, PairingForm, ProgrammeForm, TermForm
from bangfu.programmes.models import Programme
from bangfu.registry.views import _form_error, _page, term_grades_context


def _handle(request, form, save, success):
    """Run a service for a valid POSTed form; its error lands on the field it names."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except (NotFound, PermissionDenied):  # 404 and 403 pages, not a message on the form
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, success)
            return result
    return None


@login_required
def programme_list(request):
    scope = request.user.scope
    page, querystring_base = _page(request, selectors.programme_list(scope=scope))
    return render(request, "programmes/programme_list.html", {
        "page_obj": page, "querystring_base": querystring_base, "can_edit": scope.rules.edit_registry})


@login_required
def programme_create(request):
    scope = request.user.scope
    form = ProgrammeForm(request.POST or None, scope=scope)
    result = _handle(request, form, lambda: services.programme_create(
        scope=scope, by=request.user, data=form.service_data()), _("已新建帮扶项目"))
    if isinstance(result, Programme):
        return redirect("programmes:programme_detail", pk=result.pk)
    return render(request, "programmes/form.html", {"form": form, "title": _("新建帮扶项目")},
                  status=400 if form.errors else 200)


@login_required
def programme_detail(request, pk: int):
    scope = request.user.scope
    programme = selectors.programme_get(scope=scope, pk=pk)
    q = request.GET.get("q", "")
    page, querystring_base = _page(request, selectors.pairing_list(scope=scope, programme=programme, q=q))
    selectors.pairings_linked(scope, page.object_list)
    return render(request, "programmes/programme_detail.html", {
        "programme": programme, "page_obj": page, "querystring_base": querystring_base, "q": q,
        "terms": programme.terms.all(), "obligations": programme.obligations.all(),
        "capacity_rules": programme.capacity_rules.all(),
        "phases": selectors.programme_phases(programme=programme, as_of=_as_of(request)),
        "uncovered": selectors.uncovered_targets(scope=scope, programme=programme)[:100],
        "over_capacity": selectors.over_capacity_helpers(scope=scope, programme=programme),
        "can_edit": scope.rules.edit_registry, "can_setup": _may_set_up(scope, programme)})


def _as_of(request):
    """The day a page is shown for: today, or `?as_of=` (tests pin it)."""
    from bangfu.compliance.filters import compliance_filters

    return compliance_filters(request.GET)[1]


def _may_set_up(scope, programme: Programme) -> bool:
    try:
        services.programme_manage_check(scope=scope, programme=programme)
    except PermissionDenied:
        return False
    return True


@login_required
def programme_edit(request, pk: int):
    """Change a programme (name, dates, kinds …): its periods and compliance follow (the service)."""
    scope = request.user.scope
    programme = selectors.programme_get(scope=scope, pk=pk)
    services.programme_manage_check(scope=scope, programme=programme)
    form = ProgrammeForm(request.POST or None, instance=programme, scope=scope)
    result = _handle(request, form, lambda: services.programme_update(
        scope=scope, by=request.user, programme=programme, data=form.service_data()), _("已保存帮扶项目"))
    if isinstance(result, Programme):
        return redirect("programmes:programme_detail", pk=pk)
    return render(request, "programmes/form.html", {"form": form, "title": _("修改帮扶项目"), "programme": programme},
                  status=400 if form.errors else 200)


def _programme_child(request, pk, form_class, save, success, title, part=None, setup=True, **form_kwargs):
    """A form for something of a programme: a new one, or (`part`: its related name and id) one to change.
    `setup`: it changes how the programme is set up (terms, obligations), which only its own offices may."""
    scope = request.user.scope
    programme = selectors.programme_get(scope=scope, pk=pk)
    if setup:
        services.programme_manage_check(scope=scope, programme=programme)
    kwargs = {k: (programme if v is Programme else v) for k, v in form_kwargs.items()}
    if part is not None:
        related, part_pk = part
        kwargs["instance"] = selectors.programme_part_get(scope=scope, programme_pk=pk, related=related, pk=part_pk)
    form = form_class(request.POST or None, **kwargs)
    result = _handle(request, form, lambda: save(scope, programme, form), success)
    if result is not None:
        return redirect("programmes:programme_detail", pk=pk)
    return render(request, "programmes/form.html", {"form": form, "title": title, "programme": programme},
                  status=400 if form.errors else 200)


@login_required
def term_add(request, pk: int):
    return _programme_child(request, pk, TermForm, lambda scope, programme, form: services.term_add(
        scope=scope, by=request.user, programme=programme, **form.service_data()), _("已添加学期"), _("设置学期日期"))


@login_required
def term_edit(request, pk: int, term_pk: int):
    return _programme_child(request, pk, TermForm, lambda scope, programme, form: services.term_update(
        scope=scope, by=request.user, term=form.instance, data=form.service_data()), _("已保存学期"), _("修改学期"),
        part=("terms", term_pk))


@login_required
def obligation_edit(request, pk: int, obligation_pk: int):
    return _programme_child(request, pk, ObligationForm, lambda scope, programme, form: services.obligation_update(
        scope=scope, by=request.user, obligation=form.instance, data=form.service_data()), _("已保存帮扶要求"),
        _("修改帮扶要求"), part=("obligations", obligation_pk), programme=Programme)


@login_required
def obligation_add(request, pk: int):
    return _programme_child(request, pk, ObligationForm, lambda scope, programme, form: services.obligation_add(
        scope=scope, by=request.user, programme=programme, data=form.service_data()), _("已添加帮扶要求"),
        _("添加帮扶要求"), programme=Programme)


@login_required
def pairing_create(request, pk: int):
    """Pair one helper with one or many targets (一对多); several helpers to one target is several rows."""
    def save(scope, programme, form):
        d = form.cleaned_data
        helper = services.party_get(scope, d["helper_kind"], d["helper_id"], field="helper_id")
        targets = [services.party_get(scope, d["target_kind"], t, field="target_ids") for t in form.target_list()]
        return services.pairing_bulk_create(scope=scope, by=request.user, programme=programme, helper=helper,
                                            targets=targets, starts_on=d["starts_on"])
    # Pairing registers in Excel: pairing_register_upload below (through the import machinery's reading).
    return _programme_child(request, pk, PairingForm, save, _("已结对"), _("新增结对"), setup=False)


@login_required
def pairing_detail(request, pk: int):
    scope = request.user.scope
    pairing = selectors.pairing_get(scope=scope, pk=pk)
    handover = HandoverForm(request.POST or None, prefix="h") if "h-on" in request.POST else HandoverForm(prefix="h")
    exemption = ExemptionForm(request.POST if "e-reason" in request.POST else None, prefix="e",
                              programme=pairing.programme)
    if "h-on" in request.POST:
        def save():
            d = handover.cleaned_data
            helper = services.party_get(scope, d["helper_kind"], d["helper_id"], field="helper_id")
            return services.pairing_handover(scope=scope, by=request.user, pairing=pairing, new_helper=helper,
                                             on=d["on"], reason=d["reason"])
        new = _handle(request, handover, save, _("已移交"))
        if new is not None:
            return redirect("programmes:pairing_detail", pk=new.pk)
    if "e-reason" in request.POST:
        done = _handle(request, exemption, lambda: services.exemption_grant(
            scope=scope, by=request.user, pairing=pairing, obligation=exemption.cleaned_data["obligation"],
            starts_on=exemption.cleaned_data["starts_on"], ends_on=exemption.cleaned_data["ends_on"],
            reason=exemption.cleaned_data["reason"]), _("已登记免除"))
        if done is not None:
            return redirect("programmes:pairing_detail", pk=pk)
    failed = bool(handover.errors or exemption.errors)
    selectors.pairings_linked(scope, [pairing])
    return render(request, "programmes/pairing_detail.html", {
        "pairing": pairing, "chain": selectors.pairing_chain(pairing=pairing),
        "activities": activity_selectors.activity_list(scope=scope, pairing=pairing.pk, include_superseded=True)[:200],
        "exemptions": pairing.exemptions.select_related("obligation", "approved_by"),
        "handover": handover, "exemption": exemption, "can_edit": scope.rules.edit_registry,
        # a student's pairing shows the term before and the latest term side by side
        **(term_grades_context(scope, pairing.target_person, back=request.path) if pairing.target_person_id else {}),
    }, status=400 if failed else 200)


@login_required
def my_pairings(request):
    """我的帮扶: a helper's own targets, on the phone, with what falls due this week."""
    person_id = request.user.person_id
    if person_id is None:
        return render(request, "programmes/mine.html", {"pairings": [], "linked": False})
    from bangfu.compliance.filters import compliance_filters
    from bangfu.compliance.overview import todo_rows

    scope = request.user.scope
    _filters, as_of = compliance_filters(request.GET)  # ?as_of= pins the date (tests)
    pairings = selectors.own_pairings(scope=scope, person=person_id)
    from bangfu.measures.selectors import measures_to_deliver

    return render(request, "programmes/mine.html", {
        "pairings": pairings, "linked": True, "person_id": person_id, "as_of": as_of,
        "todo": todo_rows(scope=scope, as_of=as_of, person_id=person_id, pairings={p.pk: p for p in pairings}),
        "measures": measures_to_deliver(scope=scope, helper=person_id)})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def pairing_register_template(request):
    response = HttpResponse(register.pairing_register_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%B8%AE%E6%89%B6%E7%BB%93%E5%AF%B9%E5%90%8D%E5%86%8C.xlsx"
    return response


@login_required
def pairing_register_upload(request, pk: int):
    """按名册批量结对: upload the register, check it (dry run), then pair every row — or none. The file
    is read by the background worker (register.pairing_register_job_create); `?job=` shows that
    upload's outcome, and refreshes itself while the worker is at it."""
    scope = request.user.scope
    programme = selectors.programme_get(scope=scope, pk=pk)
    job, result, problem = None, None, ""
    dry_run = request.method != "POST" or request.POST.get("dry_run") == "on"
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = _("请选择要上传的结对名册")
        else:
            try:
                job = register.pairing_register_job_create(scope=scope, by=request.user, programme=programme,
                                                           upload=upload, dry_run=dry_run)
            except NotFound:
                raise
            except BangfuError as exc:
                problem = exc.message
    elif request.GET.get("job"):
        job = register.pairing_register_job_get(scope=scope, user=request.user, programme=programme,
                                                pk=request.GET["job"])
        dry_run = job.dry_run
        if job.status == ImportStatus.FAILED:
            problem = job.message
    if job is not None:
        result = register.pairing_register_result(job)
        if result is not None and result.created:
            messages.success(request, _("已按名册结对 %(n)s 个") % {"n": result.created})
            return redirect("programmes:programme_detail", pk=pk)
        if request.method == "POST" and job.running:  # the worker has it: this page, refreshing, follows it
            return redirect(f"{reverse('programmes:pairing_register_upload', args=[pk])}?job={job.pk}")
    failed = bool(problem or (result and result.errors))
    return render(request, "programmes/register_upload.html", {
        "programme": programme, "job": job, "running": job is not None and job.running, "result": result,
        "problem": problem, "report": job.pk if job is not None and job.report else "", "dry_run": dry_run,
        "errors": result.errors[:500] if result else [], "can_edit": scope.rules.edit_registry,
    }, status=400 if failed else 200)


@login_required
def pairing_register_report(request, pk: int, token: str):
    """The error report of one's own upload (`token`: its job's id): the file back, bad cells marked."""
    programme = selectors.programme_get(scope=request.user.scope, pk=pk)
    job = register.pairing_register_job_get(scope=request.user.scope, user=request.user, programme=programme,
                                            pk=token)
    if not job.report:
        raise Http404
    return FileResponse(job.report.open("rb"), as_attachment=True, filename="结对名册错误报告.xlsx",
                        content_type=XLSX)
