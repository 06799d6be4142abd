"""`bangfu funds_report --user NAME [--year Y] [--source S] [--level 6|9]`: the execution report
(budget, allocated, disbursed, rate) in the user's scope, as a table on standard output."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.funds import selectors


class Command(BaseCommand):
    help = _("资金执行情况(预算、已分配、已支付、执行率)，按来源、年度、区域")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help=_("以哪个账号的范围查看"))
        parser.add_argument("--year", type=int)
        parser.add_argument("--source", default="")
        parser.add_argument("--level", type=int, choices=[6, 9], default=6, help=_("按县(6)或乡镇(9)汇总"))

    def handle(self, *args, user, year, source, level, **options):
        found = User.objects.select_related("region").filter(username=user).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": user})
        try:
            rows = selectors.execution_report(scope=found.scope, year=year, source=source, level=level)
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write("\t".join(str(h) for h in selectors.REPORT_HEADERS))
        for row in selectors.execution_report_rows(rows):
            self.stdout.write("\t".join(str(v) for v in row))
