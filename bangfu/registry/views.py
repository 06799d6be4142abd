"""Registry pages: thin — parse, call one selector or service, render."""

from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, FieldErrors, NotFound, ValidationError
from bangfu.privacy.masking import MASKS
from bangfu.privacy.services import personal_value_reveal
from bangfu.privacy.templatetags.privacy import personal_field
from bangfu.registry import selectors, services
from bangfu.registry.choices import PersonKind
from bangfu.registry.display import HOUSEHOLD_SHOWN, household_lines, member_lines
from bangfu.registry.forms import (
    HouseholdFilterForm,
    HouseholdForm,
    OrganizationForm,
    PersonForm,
    TeamForm,
    TeamMemberForm,
    TermGradeForm,
)
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember


def _page(request, rows):
    page = Paginator(rows, settings.BANGFU_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    return page, (base + "&") if base else ""


def _form_error(form, exc: BangfuError) -> None:
    """Put a service's error on the form field it names (or on the form)."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "__all__": [exc.message]}
    for name, messages_ in errors.items():
        target = name if name in form.fields else None
        for message in messages_:
            form.add_error(target, message)


@login_required
def home(request):
    """Each role's home (roles.RoleRules.home): a helper lands on 我的帮扶; offices see coverage,
    completion and who is behind beside the registry counts. `?as_of=` pins the date (tests)."""
    from bangfu.compliance import overview
    from bangfu.compliance.filters import compliance_filters
    from bangfu.privacy.selectors import FIELD_LABELS, full_read_list

    scope = request.user.scope
    kind = scope.rules.home
    if kind == "helper" and request.user.person_id:
        return redirect("programmes:mine")
    _filters, as_of = compliance_filters(request.GET)
    context = {"home": kind, "as_of": as_of}
    if scope.rules.see_households:
        summary = selectors.registry_summary(scope=scope)
        context.update(summary=summary, cause_chart=[{"name": r["label"], "value": r["households"]}
                                                     for r in asdict(summary)["by_cause"]])
    if kind in ("office", "village", "inspector"):
        office = overview.office_overview(scope=scope, as_of=as_of)
        context.update(overview=office, area_chart=[
            {k: r[k] for k in ("name", "met", "on_track", "behind", "overdue", "url")} for r in office.areas])
    if kind == "village":
        context["by_helper"] = overview.households_by_helper(scope=scope)
    if kind == "inspector":
        context["behind"] = overview.behind_rows(scope=scope, as_of=as_of)
        context["reads"] = [{"read": r, "field_label": FIELD_LABELS.get(r.field, r.field)}
                            for r in full_read_list(scope=scope)[:10]]
    if kind == "school":
        context.update(pairings=overview.school_pairings(scope=scope), terms=overview.school_terms(scope=scope, as_of=as_of),
                       todo=overview.todo_rows(scope=scope, as_of=as_of, limit=20))
    return render(request, "registry/home.html", context)


# Households ---------------------------------------------------------------------------------


@login_required
def household_list(request):
    scope = request.user.scope
    form = HouseholdFilterForm(request.GET or None, scope=scope)
    form.is_valid()  # a bad choice is shown on its field and left out; the others still filter
    filters = selectors.HouseholdFilters(**getattr(form, "cleaned_data", {}))
    page, querystring_base = _page(request, selectors.household_listing(scope=scope, filters=filters,
                                                                         fields=HOUSEHOLD_SHOWN))
    context = {"form": form, "page_obj": page, "lines": household_lines(page.object_list),
               "querystring_base": querystring_base, "can_edit": scope.rules.edit_registry}
    template = "registry/_household_rows.html" if request.htmx else "registry/household_list.html"
    return render(request, template, context)


@login_required
def household_detail(request, pk: int):
    scope = request.user.scope
    household = selectors.household_get(scope=scope, pk=pk)
    return render(request, "registry/household_detail.html", {
        "household": household, **_helped_context(request, scope, household=household),
        "members": member_lines(selectors.household_members(household=household)),
        "history": selectors.record_history(record=household),
        "can_edit": scope.rules.edit_registry,
        "can_reveal": scope.rules.see_personal_data,
    })


def _edit(request, *, form, save, template, context, success):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.service_data())
        except BangfuError as exc:
            if isinstance(exc, NotFound):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, success)
            return obj
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


@login_required
def household_create(request):
    scope = request.user.scope
    services.registry_edit_check(scope)
    form = HouseholdForm(request.POST or None, scope=scope)
    result = _edit(request, form=form, template="registry/household_form.html", context={},
                   success=_("已登记新户"),
                   save=lambda data: services.household_create(scope=scope, by=request.user, data=data))
    return redirect("registry:household_detail", pk=result.pk) if isinstance(result, Household) else result


@login_required
def household_edit(request, pk: int):
    scope = request.user.scope
    services.registry_edit_check(scope)
    household = selectors.household_get(scope=scope, pk=pk)
    form = HouseholdForm(request.POST or None, instance=household, scope=scope)
    result = _edit(request, form=form, template="registry/household_form.html", context={"household": household},
                   success=_("已保存"),
                   save=lambda data: services.household_update(scope=scope, by=request.user, household=household,
                                                               data=data))
    return redirect("registry:household_detail", pk=pk) if isinstance(result, Household) else result


@login_required
def member_create(request, pk: int):
    scope = request.user.scope
    services.registry_edit_check(scope)
    household = selectors.household_get(scope=scope, pk=pk)
    form = PersonForm(request.POST or None, scope=scope, household=household)
    result = _edit(request, form=form, template="registry/person_form.html", context={"household": household},
                   success=_("已添加家庭成员"),
                   save=lambda data: services.person_create(scope=scope, by=request.user, data=data))
    return redirect("registry:household_detail", pk=pk) if isinstance(result, Person) else result


# Persons ------------------------------------------------------------------------------------


@login_required
def person_list(request):
    scope = request.user.scope
    q = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    page, querystring_base = _page(request, selectors.person_list(scope=scope, q=q, kind=kind))
    return render(request, "registry/person_list.html", {
        "page_obj": page, "querystring_base": querystring_base, "q": q, "kind": kind,
        "kinds": PersonKind.choices, "can_edit": scope.rules.edit_registry})


@login_required
def person_detail(request, pk: int):
    scope = request.user.scope
    person = selectors.person_get(scope=scope, pk=pk)
    return render(request, "registry/person_detail.html", {
        "person": person, "history": selectors.record_history(record=person),
        "can_edit": scope.rules.edit_registry, "can_reveal": scope.rules.see_personal_data,
        **_helped_context(request, scope, person=person), **term_grades_context(scope, person)})


def _helped_context(request, scope, *, household: Household | None = None, person: Person | None = None) -> dict:
    """Who helps this household or person (current and past), what is due and done in the periods
    under way; for a person also whom they help and visited. `?as_of=` pins the date (tests)."""
    from bangfu.compliance.filters import compliance_filters
    from bangfu.compliance.selectors import ComplianceFilters, compliance_rows
    from bangfu.programmes.selectors import helper_pairings, target_pairings

    _filters, as_of = compliance_filters(request.GET)
    helpers = target_pairings(scope=scope, household=household, person=person)
    context = {"helpers": helpers, "as_of": as_of,
               "due": compliance_rows(scope=scope, as_of=as_of, limit=50, pairings={p.pk: p for p in helpers},
                                      every_pairing=True,
                                      filters=ComplianceFilters(current_only=True,
                                                                target_household=household.pk if household else None,
                                                                target_person=person.pk if person else None))}
    if person:
        context["helping"] = helper_pairings(scope=scope, person=person.pk)[:100]
    return context


def term_grades_context(scope, person, *, form=None, back: str = "") -> dict:
    """What the term-grades section needs (person page, and a student's pairing page)."""
    if person.kind not in (PersonKind.STUDENT, PersonKind.CHILD):
        return {}
    return {"grades": selectors.term_grades_compare(scope=scope, person=person), "grade_person": person,
            "grade_form": form or (TermGradeForm() if scope.rules.edit_registry else None), "back": back}


@login_required
def term_grade_add(request, pk: int):
    """Record one subject's term score from the person's (or pairing's) page, then go back there."""
    scope = request.user.scope
    services.registry_edit_check(scope)
    person = selectors.person_get(scope=scope, pk=pk)
    form = TermGradeForm(request.POST or None)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.term_grade_record(scope=scope, by=request.user, person=person, **form.service_data())
        except BangfuError as exc:
            if isinstance(exc, NotFound):
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记学期成绩"))
            return redirect(back or reverse("registry:person_detail", args=[pk]))
    return render(request, "registry/person_detail.html", {
        "person": person, "history": selectors.record_history(record=person),
        "can_edit": scope.rules.edit_registry, "can_reveal": scope.rules.see_personal_data,
        **term_grades_context(scope, person, form=form, back=back)}, status=400 if form.errors else 200)


@login_required
def person_create(request):
    scope = request.user.scope
    services.registry_edit_check(scope)
    form = PersonForm(request.POST or None, scope=scope)
    result = _edit(request, form=form, template="registry/person_form.html", context={},
                   success=_("已登记人员"),
                   save=lambda data: services.person_create(scope=scope, by=request.user, data=data))
    return redirect("registry:person_detail", pk=result.pk) if isinstance(result, Person) else result


@login_required
def person_edit(request, pk: int):
    scope = request.user.scope
    services.registry_edit_check(scope)
    person = selectors.person_get(scope=scope, pk=pk)
    form = PersonForm(request.POST or None, instance=person, scope=scope)
    result = _edit(request, form=form, template="registry/person_form.html",
                   context={"person": person, "household": person.household}, success=_("已保存"),
                   save=lambda data: services.person_update(scope=scope, by=request.user, person=person, data=data))
    if isinstance(result, Person):
        return redirect("registry:household_detail", pk=result.household_id) if result.household_id else redirect(
            "registry:person_detail", pk=pk)
    return result


# Organizations ------------------------------------------------------------------------------


@login_required
def organization_list(request):
    scope = request.user.scope
    q = request.GET.get("q", "")
    page, querystring_base = _page(request, selectors.organization_list(scope=scope, q=q))
    return render(request, "registry/organization_list.html", {
        "page_obj": page, "querystring_base": querystring_base, "q": q, "can_edit": scope.rules.edit_registry})


@login_required
def organization_detail(request, pk: int):
    scope = request.user.scope
    organization = selectors.organization_get(scope=scope, pk=pk)
    people, querystring_base = _page(request, selectors.person_list(scope=scope, organization=organization.pk))
    return render(request, "registry/organization_detail.html", {
        "organization": organization, "page_obj": people, "querystring_base": querystring_base,
        "history": selectors.record_history(record=organization), "can_edit": scope.rules.edit_registry})


@login_required
def organization_create(request):
    scope = request.user.scope
    services.registry_edit_check(scope)
    form = OrganizationForm(request.POST or None, scope=scope)
    result = _edit(request, form=form, template="registry/organization_form.html", context={},
                   success=_("已登记单位"),
                   save=lambda data: services.organization_create(scope=scope, by=request.user, data=data))
    return redirect("registry:organization_detail", pk=result.pk) if isinstance(result, Organization) else result


@login_required
def organization_edit(request, pk: int):
    scope = request.user.scope
    services.registry_edit_check(scope)
    organization = selectors.organization_get(scope=scope, pk=pk)
    form = OrganizationForm(request.POST or None, instance=organization, scope=scope)
    result = _edit(request, form=form, template="registry/organization_form.html",
                   context={"organization": organization}, success=_("已保存"),
                   save=lambda data: services.organization_update(scope=scope, by=request.user,
                                                                  organization=organization, data=data))
    return redirect("registry:organization_detail", pk=pk) if isinstance(result, Organization) else result


# Teams --------------------------------------------------------------------------------------


@login_required
def team_list(request):
    scope = request.user.scope
    page, querystring_base = _page(request, selectors.team_list(scope=scope))
    return render(request, "registry/team_list.html", {
        "page_obj": page, "querystring_base": querystring_base, "can_edit": scope.rules.edit_registry})


@login_required
def team_detail(request, pk: int):
    scope = request.user.scope
    team = selectors.team_get(scope=scope, pk=pk)
    form = None
    if scope.rules.edit_registry:
        form = TeamMemberForm(request.POST or None, scope=scope)
        result = _edit(request, form=form, template="registry/team_detail.html",
                       context=_team_context(scope, team), success=_("已添加队员"),
                       save=lambda data: services.team_member_add(scope=scope, by=request.user, team=team, **data))
        if isinstance(result, TeamMember):
            return redirect("registry:team_detail", pk=pk)
        return result
    return render(request, "registry/team_detail.html", {"form": form, **_team_context(scope, team)})


def _team_context(scope, team):
    return {"team": team, "members": selectors.team_members(team=team),
            "history": selectors.record_history(record=team), "can_edit": scope.rules.edit_registry}


@login_required
def team_create(request):
    scope = request.user.scope
    services.registry_edit_check(scope)
    form = TeamForm(request.POST or None, scope=scope)
    result = _edit(request, form=form, template="registry/team_form.html", context={}, success=_("已登记工作队"),
                   save=lambda data: services.team_create(scope=scope, by=request.user, data=data))
    return redirect("registry:team_detail", pk=result.pk) if isinstance(result, Team) else result


# Personal data ------------------------------------------------------------------------------

_REVEALABLE = {"person": selectors.person_get, "household": selectors.household_get}


@login_required
@require_POST
def reveal(request, record_type: str, pk: int, field: str):
    """The full value of one personal-data field (htmx swap); each reveal is logged with its reason
    (the form's 用途 and 用途说明)."""
    getter = _REVEALABLE.get(record_type)
    if getter is None or field not in MASKS:
        raise NotFound(_("无此字段"))
    record = getter(scope=request.user.scope, pk=pk)
    reason, note = request.POST.get("reason", ""), request.POST.get("reason_note", "")
    try:
        value = personal_value_reveal(user=request.user, record=record, field=field, reason=reason, note=note)
    except ValidationError as exc:  # asked again, saying what was wrong (htmx swaps a 200, not a 400)
        return HttpResponse(personal_field(record_type, record, field, True, error=exc.message, reason=reason,
                                           note=note[:200]))
    return HttpResponse(f'<span class="personal" id="pf-{record_type}-{pk}-{escape(field)}">'
                        f'<span class="revealed">{escape(value) or "—"}</span></span>')
