"""A household's plan (一户一策): its measures, planned and delivered; the responsible helper
(or an office) marks one delivered from the same page, on a phone."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError
from bangfu.measures.forms import AcceptForm, HouseholdsForm, ProjectEditForm, ProjectForm
from bangfu.measures.models import Milestone
from bangfu.registry.views import _form_error
from bangfu.measures import selectors, services
from bangfu.registry import selectors as registry_selectors


@login_required
def household_plan(request, pk: int):
    scope = request.user.scope
    if not scope.rules.see_households:
        raise PermissionDenied(_("您的角色不查看农户"))
    household = registry_selectors.household_get(scope=scope, pk=pk)
    return render(request, "measures/plan.html", {
        "household": household,
        "measures": selectors.measure_list(scope=scope, household=household.pk).prefetch_related("evidence")})


@login_required
@require_POST
def measure_deliver(request, pk: int):
    scope = request.user.scope
    measure = selectors.measure_get(scope=scope, pk=pk)
    try:
        delivered_on = date.fromisoformat(request.POST.get("delivered_on", ""))
    except ValueError:
        delivered_on = None  # the service refuses it, after saying whether this user may mark it at all
    try:
        services.measure_deliver(scope=scope, by=request.user, measure=measure, delivered_on=delivered_on,
                                 note=request.POST.get("note", ""), uploads=request.FILES.getlist("photo"))
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:  # already delivered (a second tap), no date: said on the plan, not a 500
        messages.error(request, exc.message)
        return redirect("measures:household_plan", pk=measure.household_id)
    messages.success(request, _("已标记落实"))
    return redirect("measures:household_plan", pk=measure.household_id)


@login_required
def measure_evidence(request, pk: int):
    evidence = selectors.measure_evidence_get(scope=request.user.scope, pk=pk)
    return FileResponse(evidence.file.open("rb"), filename=evidence.name, content_type=evidence.content_type)


def _may_edit(user) -> bool:
    return user.role_rules.edit_registry and user.role_rules.see_households


@login_required
def project_list(request):
    if not request.user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看项目"))
    return render(request, "measures/project_list.html", {
        "projects": selectors.project_list(scope=request.user.scope)[:500], "may_edit": _may_edit(request.user)})


@login_required
def project_create(request):
    if not _may_edit(request.user):
        raise PermissionDenied(_("您的角色不能制定帮扶措施或项目"))
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(scope=request.user.scope, by=request.user, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记项目"))
            return redirect("measures:project_detail", pk=project.pk)
    return render(request, "measures/project_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def project_detail(request, pk: int):
    """A project: size, budget, milestones, acceptance and its 带贫户; the forms for an office."""
    if not request.user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看项目"))
    scope = request.user.scope
    project = selectors.project_get(scope=scope, pk=pk)
    may_edit = _may_edit(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    accept = AcceptForm(request.POST if action == "accept" else None, prefix="accept")
    more = HouseholdsForm(request.POST if action == "households" else None, prefix="more")
    if action:
        if not may_edit:
            raise PermissionDenied(_("您的角色不能制定帮扶措施或项目"))
        try:
            if action == "accept" and accept.is_valid():
                services.project_accept(scope=scope, by=request.user, project=project, **accept.cleaned_data)
            elif action == "households" and more.is_valid():
                services.project_households_add(scope=scope, by=request.user, project=project,
                                                household_ids=more.cleaned_data["households"])
            elif action == "milestone":
                from datetime import date

                try:
                    done_on = date.fromisoformat(request.POST.get("done_on", ""))
                except ValueError:
                    done_on = None
                milestone = Milestone(pk=int(request.POST.get("milestone") or 0))
                services.milestone_done(scope=scope, by=request.user, milestone=milestone, done_on=done_on)
            else:
                errors = [str(e) for errs in (*accept.errors.values(), *more.errors.values()) for e in errs]
                raise ValidationError(_("请检查填写的内容：%(e)s") % {"e": "；".join(errors) or action})
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("measures:project_detail", pk=project.pk)
    return render(request, "measures/project_detail.html", {
        "project": project, "may_edit": may_edit, "accept": accept, "more": more,
        "milestones": project.milestones.all(),
        "households": selectors.project_households(scope=scope, project=project)},
        status=400 if accept.errors or more.errors else 200)


@login_required
def project_edit(request, pk: int):
    project = selectors.project_get(scope=request.user.scope, pk=pk)
    if not _may_edit(request.user):
        raise PermissionDenied(_("您的角色不能制定帮扶措施或项目"))
    initial = {name: getattr(project, name) for name in ProjectEditForm.base_fields}
    form = ProjectEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(scope=request.user.scope, by=request.user, project=project,
                                    data={k: v for k, v in form.cleaned_data.items() if v != initial.get(k)})
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("measures:project_detail", pk=project.pk)
    return render(request, "measures/project_form.html", {"form": form, "project": project},
                  status=400 if form.errors else 200)
