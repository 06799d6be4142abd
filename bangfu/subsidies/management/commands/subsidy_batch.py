"""`bangfu subsidy_batch bank BATCH -o FILE --user NAME`: the bank's 代发 workbook (account
numbers in full, each logged); `bangfu subsidy_batch paid BATCH --paid-on DATE --voucher NO
--user NAME`: mark a batch paid, disbursing its total from the allocation."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.subsidies import payments, selectors


class Command(BaseCommand):
    help = _("奖补代发批次：导出银行代发清单，或标记已发放")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["bank", "paid"])
        parser.add_argument("batch", type=int)
        parser.add_argument("--user", required=True)
        parser.add_argument("-o", "--output")
        parser.add_argument("--paid-on", type=date.fromisoformat)
        parser.add_argument("--voucher", default="")

    def handle(self, *args, action, batch, user, output, paid_on, voucher, **options):
        found = User.objects.select_related("region").filter(username=user).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": user})
        scope = found.scope
        try:
            chosen = selectors.batch_get(scope=scope, pk=batch)
            if action == "bank":
                if not output:
                    raise CommandError(_("请用 -o 指定输出文件"))
                Path(output).write_bytes(payments.batch_export(scope=scope, by=found, batch=chosen))
                self.stdout.write(_("已写入 %(f)s(%(n)d 户，%(t)s 元)") % {"f": output, "n": chosen.count, "t": chosen.total})
            else:
                if paid_on is None:
                    raise CommandError(_("请用 --paid-on 给出发放日期"))
                paid = payments.batch_mark_paid(scope=scope, by=found, batch=chosen, paid_on=paid_on,
                                                voucher_no=voucher)
                self.stdout.write(_("已发放：%(n)d 户，%(t)s 元") % {"n": paid.count, "t": paid.total})
        except BangfuError as exc:
            raise CommandError(exc.message) from None
