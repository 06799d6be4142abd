"""Rules pages: the rule sets with their history (a change previewed before it is saved),
evaluations and their snapshots with reasons, a household's results, identification and exit
cases, monitoring records and their steps. Thin: each POST calls one service."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.errors import BangfuError, PermissionDenied, ValidationError
from bangfu.procedures import selectors as procedure_selectors
from bangfu.procedures import services as procedures
from bangfu.procedures.definitions import definition_get
from bangfu.registry.choices import MonitoringCategory
from bangfu.registry.models import Household
from bangfu.registry.views import _form_error
from bangfu.rules import procedures as defs
from bangfu.rules import selectors, services, workflow
from bangfu.rules.models import MonitoringSource, RiskType, RuleSet

DATE = forms.DateInput(attrs={"type": "date"})


def _can_see(user) -> None:
    if not user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看农户"))


def _day(request, name: str = "on") -> date:
    raw = request.GET.get(name) or request.POST.get(name)
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise ValidationError(_("日期格式应为 2026-05-01"), field=name) from None


class RuleSetForm(forms.ModelForm):
    region = forms.CharField(label=gettext_lazy("适用地区(省或县的12位代码)"), max_length=12,
                             initial="450000000000")

    class Meta:
        model = RuleSet
        fields = ["year", "effective_from", *services.EDITABLE, "note"]
        widgets = {"effective_from": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in services.EDITABLE:  # a value left empty keeps the previous version's
            self.fields[name].required = False


@login_required
def rule_sets(request):
    """Every version of the rules; county offices and administrators add a version, seeing first
    how many households it would move."""
    form = RuleSetForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.EDITABLE}
        args = {"scope": request.user.scope, "region": form.cleaned_data["region"], "year": form.cleaned_data["year"],
                "data": data, "effective_from": form.cleaned_data["effective_from"]}
        try:
            if "save" in request.POST:
                saved = services.rule_set_save(by=request.user, note=form.cleaned_data["note"], **args)
                messages.success(request, _("已保存：%(r)s") % {"r": saved.label})
                return redirect("rules:rule_sets")
            preview = services.rule_set_preview(**args)
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
    return render(request, "rules/rule_sets.html", {
        "form": form, "preview": preview, "rule_sets": selectors.rule_set_list()[:200],
        "can_edit": request.user.role in services.RULE_ROLES}, status=400 if form.errors else 200)


class EvaluationForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("地区代码"), max_length=12)
    on = forms.DateField(label=gettext_lazy("测算日期"), widget=DATE)


@login_required
def evaluations(request):
    services.evaluation_check(request.user.scope)
    scope = request.user.scope
    form = EvaluationForm(request.POST or None, initial={"region": request.user.region_id or "",
                                                        "on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_run(scope=scope, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            return redirect("rules:evaluation_detail", pk=evaluation.pk)
    return render(request, "rules/evaluations.html", {
        "form": form, "evaluations": selectors.evaluation_list(scope=scope)[:100]},
        status=400 if form.errors else 200)


@login_required
def evaluation_detail(request, pk: int):
    scope = request.user.scope
    evaluation = selectors.evaluation_get(scope=scope, pk=pk)
    show = request.GET.get("show", "failing")
    if show not in selectors.SHOW and show not in ("villages", "counties"):
        show = "failing"
    context = {"evaluation": evaluation, "show": show, "kinds": selectors.SHOW.items()}
    if show == "villages":
        context["villages"] = selectors.village_results(scope=scope, evaluation=evaluation)
    elif show == "counties":
        context["counties"] = selectors.county_results(scope=scope, evaluation=evaluation)
    else:
        page = Paginator(selectors.evaluation_rows(scope=scope, evaluation=evaluation, show=show), 50).get_page(
            request.GET.get("page"))
        context.update(page=page, rows=selectors.rows_with_reasons(page.object_list, evaluation.rule_set))
    return render(request, "rules/evaluation_detail.html", context)


@login_required
def household(request, pk: int):
    """A household's exit eligibility and monitoring flag by the rules in force, each with its reason."""
    _can_see(request.user)
    on = _day(request)
    scope = request.user.scope
    result = selectors.household_evaluate(scope=scope, household=Household(pk=pk), on=on)
    found = scope.households(Household.objects.select_related("region", "head")).filter(pk=pk).first()
    return render(request, "rules/household.html", {
        "household": found, "on": on, "result": result,
        "monitoring": selectors.monitoring_list(scope=scope).filter(household_id=pk)[:20]})


class CasesForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("操作"), choices=[
        ("apply", gettext_lazy("识别：申请")), ("nominate", gettext_lazy("退出：提名")),
        ("advance", gettext_lazy("办理一步")), ("publish", gettext_lazy("村内公示")),
        ("enter", gettext_lazy("识别：录入")), ("exit", gettext_lazy("退出：退出"))])
    definition = forms.ChoiceField(label=gettext_lazy("流程"), choices=[(defs.IDENTIFICATION, gettext_lazy("贫困户识别")),
                                                                      (defs.EXIT, gettext_lazy("脱贫退出"))],
                                   required=False)
    ids = forms.CharField(label=gettext_lazy("户或事项编号(逗号分隔)"), max_length=2000)
    transition = forms.CharField(label=gettext_lazy("下一步(代码)"), required=False, max_length=30)
    village = forms.CharField(label=gettext_lazy("村代码"), required=False, max_length=12)
    on = forms.DateField(label=gettext_lazy("日期"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("公示结束日期"), required=False, widget=DATE)
    comment = forms.CharField(label=gettext_lazy("意见"), required=False, max_length=500)

    def clean_ids(self):
        try:
            return [int(i) for i in self.cleaned_data["ids"].replace("，", ",").split(",") if i.strip()]
        except ValueError:
            raise forms.ValidationError(_("编号应为数字，以逗号分隔")) from None


@login_required
def cases(request):
    """Identification and exit cases: open, step, post on notice, enter or exit."""
    _can_see(request.user)
    scope, by = request.user.scope, request.user
    form = CasesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["action"] == "apply":
                workflow.identification_apply(scope=scope, by=by, household_ids=d["ids"], on=d["on"],
                                              comment=d["comment"])
            elif d["action"] == "nominate":
                workflow.exit_nominate(scope=scope, by=by, household_ids=d["ids"], on=d["on"], comment=d["comment"])
            elif d["action"] == "advance":
                procedures.cases_advance(scope=scope, by=by, definition=d["definition"] or defs.EXIT,
                                         case_ids=d["ids"], transition=d["transition"], on=d["on"],
                                         comment=d["comment"])
            elif d["action"] == "publish":
                workflow.cases_publish(scope=scope, by=by, definition=d["definition"] or defs.EXIT, case_ids=d["ids"],
                                       village=d["village"], starts_on=d["on"], ends_on=d["ends_on"] or d["on"])
            elif d["action"] == "enter":
                workflow.identification_enter(scope=scope, by=by, case_ids=d["ids"], on=d["on"], comment=d["comment"])
            else:
                workflow.exit_complete(scope=scope, by=by, case_ids=d["ids"], on=d["on"], comment=d["comment"])
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已办理"))
            return redirect("rules:cases")
    rows = []
    for key in (defs.IDENTIFICATION, defs.EXIT):
        d = definition_get(key)
        for case in procedure_selectors.case_list(scope=scope, definition=key).select_related("region")[:200]:
            rows.append({"case": case, "definition": d.label, "state": d.state(case.state).label,
                         "next": [(t.key, t.label) for t in d.transitions_from(case.state)]})
    return render(request, "rules/cases.html", {"form": form, "rows": rows}, status=400 if form.errors else 200)


class DeclareForm(forms.Form):
    household = forms.IntegerField(label=gettext_lazy("户(编号)"), min_value=1)
    source = forms.ChoiceField(label=gettext_lazy("发现途径"), choices=MonitoringSource.choices[:3])
    on = forms.DateField(label=gettext_lazy("日期"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("情况说明"), max_length=2000, required=False, widget=forms.Textarea)


@login_required
def monitoring_list(request):
    _can_see(request.user)
    scope = request.user.scope
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            monitoring = workflow.monitoring_declare(scope=scope, by=request.user, household=Household(pk=d["household"]),
                                                     source=d["source"], on=d["on"], reason=d["reason"])
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            return redirect("rules:monitoring_detail", pk=monitoring.pk)
    page = Paginator(selectors.monitoring_list(scope=scope, state=request.GET.get("state") or None), 50).get_page(
        request.GET.get("page"))
    for m in page:  # the state's label, not its code (a closed case says 已标注, not closed)
        m.state_label = defs.MONITORING_DEFINITION.state(m.case.state).label if m.case_id else ""
    return render(request, "rules/monitoring_list.html", {"form": form, "page": page,
                                                          "definition": defs.MONITORING_DEFINITION},
                  status=400 if form.errors else 200)


class StepForm(forms.Form):
    step = forms.CharField(max_length=30)
    on = forms.DateField(widget=DATE)
    comment = forms.CharField(required=False, max_length=500)
    category = forms.ChoiceField(required=False, choices=[("", "—"), *MonitoringCategory.choices])
    risk_types = forms.MultipleChoiceField(required=False, choices=RiskType.choices)
    measures = forms.CharField(required=False, max_length=2000)
    ends_on = forms.DateField(required=False, widget=DATE)


@login_required
def monitoring_detail(request, pk: int):
    _can_see(request.user)
    scope, by = request.user.scope, request.user
    monitoring = selectors.monitoring_get(scope=scope, pk=pk)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        step, on, comment = d["step"], d["on"], d["comment"]
        try:
            if step == "confirm":
                workflow.monitoring_confirm(scope=scope, by=by, monitoring=monitoring, category=d["category"],
                                            risk_types=d["risk_types"], on=on, comment=comment)
            elif step == "decline":
                workflow.monitoring_decline(scope=scope, by=by, monitoring=monitoring, on=on, comment=comment)
            elif step == "help":
                workflow.monitoring_help(scope=scope, by=by, monitoring=monitoring, measures=d["measures"], on=on)
            elif step == "eliminate":
                workflow.monitoring_eliminate(scope=scope, by=by, monitoring=monitoring, on=on, comment=comment)
            elif step == "publish":
                workflow.cases_publish(scope=scope, by=by, definition=defs.MONITORING, case_ids=[monitoring.case_id],
                                       village=monitoring.region_id, starts_on=on, ends_on=d["ends_on"] or on)
            elif step == "mark":
                workflow.monitoring_mark(scope=scope, by=by, monitoring=monitoring, on=on, comment=comment)
            else:
                procedures.cases_advance(scope=scope, by=by, definition=defs.MONITORING, case_ids=[monitoring.case_id],
                                         transition=step, on=on, comment=comment)
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已办理"))
            return redirect("rules:monitoring_detail", pk=pk)
    d = defs.MONITORING_DEFINITION
    case = monitoring.case
    return render(request, "rules/monitoring_detail.html", {
        "monitoring": monitoring, "form": form, "state": d.state(case.state).label if case else "",
        "next": [(t.key, t.label) for t in d.transitions_from(case.state)] if case else [],
        "steps": procedure_selectors.step_list_labelled(scope=scope, case=case) if case else [],
        "notices": case.notices.all() if case else [], "categories": MonitoringCategory.choices,
        "risk_types": RiskType.choices}, status=400 if form.errors else 200)
