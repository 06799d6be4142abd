"""`bangfu clues --user NAME [--region CODE] [--status pending|open|…]`: the clue list (疑点线索) per
village, the same selector as the page. Lists are loaded with `bangfu import FILE --register
xc_civil_servants|xc_vehicles|xc_businesses|xc_housing|xc_deaths|xc_dibao --user NAME`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.crosschecks import selectors
from bangfu.errors import BangfuError


class Command(BaseCommand):
    help = _("数据比对的疑点线索")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True)
        parser.add_argument("--region", default="")
        parser.add_argument("--status", default="")
        parser.add_argument("--villages", action="store_true", help=_("只列各村汇总"))

    def handle(self, *args, user, region, status, villages, **options):
        found = User.objects.select_related("region").filter(username=user).first()
        if found is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": user})
        try:
            if villages:
                for v in selectors.clue_villages(scope=found.scope, region=region):
                    self.stdout.write(f"{v['name']}\t{v['total']}\t{v['pending']}\t{v['closed']}\t{v['exempted']}")
                return
            for c in selectors.clue_list(scope=found.scope, region=region, status=status).iterator(chunk_size=500):
                name = c.person.name if c.person_id else (c.entry.name if c.entry_id else "")
                self.stdout.write("\t".join([str(c.pk), c.region.name, c.household.number if c.household_id else "",
                                             name, str(c.get_source_display()), c.description,
                                             str(c.get_status_display()), str(c.get_finding_display() or "")]))
        except BangfuError as exc:
            raise CommandError(exc.message) from None
