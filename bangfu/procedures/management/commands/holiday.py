"""`bangfu holiday list [--year Y]` / `bangfu holiday set DATE [--working] [--name N] --user NAME`:
the office's holiday table, for years chinesecalendar does not know yet (docs/procedures.md)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.procedures import selectors, services


class Command(BaseCommand):
    help = _("节假日表：查看或录入放假、调休上班日期")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "set"])
        parser.add_argument("day", nargs="?", type=date.fromisoformat)
        parser.add_argument("--year", type=int)
        parser.add_argument("--working", action="store_true", help=_("调休上班日(不加表示放假)"))
        parser.add_argument("--name", default="")
        parser.add_argument("--user", help=_("录入人(县级业务部门或系统管理员)"))

    def handle(self, *args, action, day, year, working, name, user, **options):
        if action == "list":
            for h in selectors.holiday_list(year=year):
                self.stdout.write(f"{h.day}\t{_('上班') if h.working else _('放假')}\t{h.name}")
            return
        found = User.objects.select_related("region").filter(username=user or "").first()
        if found is None or day is None:
            raise CommandError(_("请给出日期和 --user"))
        try:
            services.holiday_set(scope=found.scope, by=found, day=day, working=working, name=name)
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(_("已保存 %(d)s") % {"d": day})
