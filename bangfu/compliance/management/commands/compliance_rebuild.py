"""`bangfu compliance_rebuild`: rebuild the compliance summary from the activities, set-wise."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.compliance.summary import summary_rebuild
from bangfu.programmes.models import Programme


class Command(BaseCommand):
    help = _("按帮扶活动重建落实情况汇总(部署、迁移后或修复时使用)")

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, help=_("只重建这个项目(编号)"))

    def handle(self, *args, programme, **options):
        started = time.monotonic()
        target = None
        if programme is not None:
            target = Programme.objects.filter(pk=programme).first()
            if target is None:
                raise CommandError(_("帮扶项目不存在：%(id)s") % {"id": programme})
        with transaction.atomic():
            rows = summary_rebuild(target)
        self.stdout.write(_("落实情况汇总已重建：%(n)d 行，用时 %(s).1f 秒") % {"n": rows, "s": time.monotonic() - started})
