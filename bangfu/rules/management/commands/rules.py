"""`bangfu rules …`: the rules app from the command line, over the same services as the pages.

    bangfu rules list [--year Y]                                   every version of the rules
    bangfu rules set --user NAME --region CODE --year Y --from DATE --poverty-line N --monitoring-line N [--note T]
    bangfu rules evaluate --user NAME --region CODE --on DATE      a dated snapshot, its counts
    bangfu rules household --user NAME ID [--on DATE]              one household's results and reasons
"""

from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.registry.models import Household
from bangfu.rules import selectors, services


class Command(BaseCommand):
    help = _("识别、退出与监测标准：查看、设定、测算")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list")
        listing.add_argument("--year", type=int)
        setting = sub.add_parser("set")
        setting.add_argument("--user", required=True)
        setting.add_argument("--region", required=True)
        setting.add_argument("--year", type=int, required=True)
        setting.add_argument("--from", dest="effective_from", type=date.fromisoformat, required=True)
        setting.add_argument("--poverty-line", type=Decimal)
        setting.add_argument("--monitoring-line", type=Decimal)
        setting.add_argument("--note", default="")
        evaluate = sub.add_parser("evaluate")
        evaluate.add_argument("--user", required=True)
        evaluate.add_argument("--region", required=True)
        evaluate.add_argument("--on", type=date.fromisoformat)
        household = sub.add_parser("household")
        household.add_argument("--user", required=True)
        household.add_argument("id", type=int)
        household.add_argument("--on", type=date.fromisoformat)

    def _user(self, name: str) -> User:
        found = User.objects.select_related("region").filter(username=name).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": name})
        return found

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except BangfuError as exc:
            raise CommandError(exc.message) from None

    def _list(self, *, year=None, **_options):
        for r in selectors.rule_set_list(year=year):
            self.stdout.write(f"{r.pk}\t{r.label}\t{r.effective_from}\t{r.poverty_line}\t{r.monitoring_line}\t{r.note}")

    def _set(self, *, user, region, year, effective_from, poverty_line, monitoring_line, note, **_options):
        found = self._user(user)
        data = {k: v for k, v in {"poverty_line": poverty_line, "monitoring_line": monitoring_line}.items() if v}
        saved = services.rule_set_save(scope=found.scope, by=found, region=region, year=year, data=data,
                                       effective_from=effective_from, note=note)
        self.stdout.write(_("已保存：%(r)s") % {"r": saved.label})

    def _evaluate(self, *, user, region, on, **_options):
        found = self._user(user)
        e = services.evaluation_run(scope=found.scope, by=found, region=region, on=on or timezone.localdate())
        self.stdout.write(_("测算 %(id)s(%(v)s，%(d)s)：%(n)d 户；达到退出标准的未脱贫户 %(x)d；未达标 %(f)d；"
                            "应纳入监测 %(m)d；可消除风险 %(r)d；已脱贫但未达标 %(ef)d；可出列村 %(ve)d/%(vt)d") % {
            "id": e.pk, "v": e.rule_set.label, "d": e.on, "n": e.households, "x": e.exit_eligible, "f": e.failing,
            "m": e.monitoring_candidates, "r": e.risk_eliminable, "ef": e.exited_failing, "ve": e.villages_exit,
            "vt": e.villages})

    def _household(self, *, user, id, on, **_options):
        found = self._user(user)
        result = selectors.household_evaluate(scope=found.scope, household=Household(pk=id),
                                              on=on or timezone.localdate())
        if result is None:
            raise CommandError(_("该年度还没有适用的标准"))
        self.stdout.write(_("规则版本：%(v)s") % {"v": result["rule_version"]})
        self.stdout.write(_("退出标准：%(r)s") % {"r": _("达到") if result["exit_ok"] else _("未达到")})
        for item in result["failures"]:
            self.stdout.write(f"  ✗ {item['label']}：{item['text']}")
        self.stdout.write(_("监测：%(r)s") % {"r": _("应纳入") if result["monitoring_candidate"] else _("否")})
        for item in result["triggers"]:
            self.stdout.write(f"  ⚠ {item['label']}：{item['text']}")
