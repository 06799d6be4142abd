"""`bangfu overdue --user NAME [--as-of DATE] [--level 9|12]`: cases past their deadline in
working days, counted per region of the user's scope."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.procedures import selectors


class Command(BaseCommand):
    help = _("逾期事项按区域统计")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help=_("以哪个账号的范围查看"))
        parser.add_argument("--as-of", type=date.fromisoformat, help=_("统计日期，默认今天"))
        parser.add_argument("--level", type=int, choices=[6, 9, 12], default=9)

    def handle(self, *args, user, as_of, level, **options):
        found = User.objects.select_related("region").filter(username=user).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": user})
        try:
            rows = selectors.overdue_by_region(scope=found.scope, as_of=as_of or timezone.localdate(), level=level)
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        for row in rows:
            self.stdout.write(f"{row['prefix']}\t{row['name']}\t{row['count']}")
        self.stdout.write(_("合计 %(n)d 件") % {"n": sum(r["count"] for r in rows)})
