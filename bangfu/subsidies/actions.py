"""The subsidy procedure's steps from the scheme's page: one POST per step, each a thin call of
the service the API calls (the service checks role, level and scope and says why it refuses).

  apply     申报            household, quantity, applied_on
  advance   村登记汇总/县审核/审批  transition, on, comment — every application of the scheme in the
            caller's scope (optionally one region) that waits in the transition's source state
  assess    造册核定        region, on
  publish   村内公示        village, starts_on, ends_on
  batch     代发批次        township, allocation
  paid      标记已发放      batch, paid_on, voucher_no
"""

from datetime import date

from django.utils.translation import gettext as _

from bangfu.errors import ValidationError
from bangfu.registry.models import Household
from bangfu.subsidies import payments, procedure, selectors, services
from bangfu.subsidies.models import SubsidyScheme


def _day(post, name: str, label: str) -> date:
    try:
        return date.fromisoformat(post.get(name, ""))
    except ValueError:
        raise ValidationError(_("请填写%(l)s(如 2026-05-01)") % {"l": label}, field=name) from None


def _int(post, name: str, label: str) -> int:
    value = (post.get(name) or "").strip()
    if not value.isdigit():
        raise ValidationError(_("请填写%(l)s(数字)") % {"l": label}, field=name)
    return int(value)


def scheme_act(*, user, scheme: SubsidyScheme, post) -> str:
    """Take the step `post["action"]` names; returns what to tell the user."""
    scope, action = user.scope, post.get("action", "")
    if action == "apply":
        made = services.application_create(scope=scope, by=user, scheme=scheme,
                                           household=Household(pk=_int(post, "household", _("农户编号"))),
                                           quantity=post.get("quantity", ""),
                                           applied_on=_day(post, "applied_on", _("申报日期")),
                                           comment=post.get("comment", ""))
        return _("已申报(编号 %(n)s)") % {"n": made.pk}
    if action == "advance":
        transition = procedure.DEFINITION.transition(post.get("transition", ""))
        if transition is None or transition.system:
            raise ValidationError(_("请选择办理环节"), field="transition")
        ids = list(selectors.application_list(scope=scope, scheme=scheme, state=transition.source,
                                              region=post.get("region", "")).values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("没有处于“%(s)s”的申报") % {"s": procedure.DEFINITION.state(transition.source).label},
                                  field="transition")
        count = services.applications_advance(scope=scope, by=user, application_ids=ids, transition=transition.key,
                                              on=_day(post, "on", _("办理日期")), comment=post.get("comment", ""))
        return _("%(t)s：%(n)s 件") % {"t": transition.label, "n": count}
    if action == "assess":
        count = services.applications_assess(scope=scope, by=user, scheme=scheme, region=post.get("region", ""),
                                             on=_day(post, "on", _("核定日期")))
        return _("已造册核定 %(n)s 件") % {"n": count}
    if action == "publish":
        notice = services.applications_publish(scope=scope, by=user, scheme=scheme, village=post.get("village", ""),
                                               starts_on=_day(post, "starts_on", _("公示开始日期")),
                                               ends_on=_day(post, "ends_on", _("公示结束日期")))
        return _("已发布公示：%(t)s") % {"t": notice.title}
    if action == "batch":
        batch = payments.batch_create(scope=scope, by=user, scheme=scheme, township=post.get("township", ""),
                                      allocation_id=_int(post, "allocation", _("资金分配编号")))
        return _("已生成代发批次：%(n)s 户，合计 %(t)s 元") % {"n": batch.count, "t": batch.total}
    if action == "paid":
        batch = selectors.batch_get(scope=scope, pk=_int(post, "batch", _("批次编号")))
        payments.batch_mark_paid(scope=scope, by=user, batch=batch, paid_on=_day(post, "paid_on", _("发放日期")),
                                 voucher_no=post.get("voucher_no", ""))
        return _("已标记发放，已从资金分配中支付 %(t)s 元") % {"t": batch.total}
    raise ValidationError(_("请选择要办理的事项"), field="action")
