"""`bangfu quality rates|summary|targets --user NAME --region CODE --year Y`: 三率一度 with their
numerators and denominators, the township summary in seed 003's form, or targets against progress —
the same selectors as the pages and the API, in the user's scope.

    bangfu quality rates --user NAME --region 450224100000 --year 2025 [--list wrong_exit]
    bangfu quality summary --user NAME --region 450224100000 --year 2025
    bangfu quality targets --user NAME --region 450224100000 --year 2025 [--set households_exit=40 …]
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.quality import selectors, services


class Command(BaseCommand):
    help = _("三率一度、乡镇基本情况与目标任务")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rates", "summary", "targets"])
        parser.add_argument("--user", required=True, help=_("以哪个账号的范围查看"))
        parser.add_argument("--region", default="", help=_("区划代码；不填为账号所在区域"))
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--list", default="", help=_("列出某项指标背后的名单：incidence missed wrong_identification "
                                                         "wrong_exit satisfaction"))
        parser.add_argument("--set", nargs="*", default=[], help=_("填报目标：字段=数值"))

    def handle(self, *args, what, user, region, year, list, set, **options):  # noqa: A002
        found = User.objects.select_related("region").filter(username=user).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": user})
        scope = found.scope
        region = region or (found.region_id or "")
        try:
            if what == "rates":
                self._rates(scope, region, year, list)
            elif what == "summary":
                for line in selectors.township_summary(scope=scope, region=region, year=year)["text"]:
                    self.stdout.write(line)
            else:
                if set:
                    values = dict(item.split("=", 1) for item in set if "=" in item)
                    services.target_set(scope=scope, by=found, region=region, year=year, values=values)
                for row in selectors.target_progress(scope=scope, region=region, year=year)["rows"]:
                    rate = f"{row['rate']}%" if row["rate"] is not None else "—"
                    self.stdout.write(f"{row['name']}\t{row['target']}\t{row['done']}\t{rate}")
        except BangfuError as exc:
            raise CommandError(exc.message) from None

    def _rates(self, scope, region, year, key):
        period = selectors.period_of(year=year)
        if key:
            title, count, rows = selectors.rate_list(scope=scope, key=key, region=region, period=period)
            self.stdout.write(f"{title}：{count}")
            for row in rows:
                self.stdout.write("\t".join(str(v) for v in row.values()))
            return
        out = selectors.quality_rates(scope=scope, region=region, period=period)
        for r in out.rates:
            value = f"{r.value}%" if r.value is not None else "—"
            self.stdout.write(f"{r.label}\t{value}\t{r.numerator}/{r.denominator if r.denominator is not None else '—'}"
                              f"\t{r.note}")
