"""`bangfu demo`: load the demo county 融安县 (450224) into an empty registry."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bangfu.demo import generator
from bangfu.errors import BangfuError
from bangfu.registry.choices import HouseholdStatus


class Command(BaseCommand):
    help = _("载入演示县 融安县(450224)：建档立卡户与家庭成员、单位、学校、干部、教师、驻村工作队和演示账号")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help=_("随机种子：同一种子生成完全相同的数据(默认 2026)"))
        parser.add_argument("--scale", type=float, default=1.0,
                            help=_("户数与人数的倍数(默认 1，约 6,000 户 2 万人；可为小数)"))
        parser.add_argument("--if-empty", action="store_true", help=_("登记库已有数据时什么也不做"))
        parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help=_("帮扶活动的历史写到这一天为止(默认今天)；同一种子和同一天生成完全相同的数据"))
        parser.add_argument("--without-programmes", action="store_true",
                            help=_("只生成登记数据，不生成帮扶项目、结对和帮扶活动"))

    def handle(self, *args, seed, scale, if_empty, without_programmes, today, **options):
        if if_empty and not generator.registry_is_empty():
            self.stdout.write(_("登记库中已有数据，跳过演示数据。"))
            return
        try:
            summary = generator.demo_load(seed=seed, scale=scale, programmes=not without_programmes,
                                          today=today, progress=self.stdout.write)
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        labels = dict(HouseholdStatus.choices)
        self.stdout.write(self.style.SUCCESS(
            _("演示数据已载入：%(h)d 户 %(p)d 人，用时 %(s).1f 秒") % {
                "h": summary.households, "p": summary.people, "s": summary.seconds}))
        for status, count in sorted(summary.by_status.items(), key=lambda item: -item[1]):
            self.stdout.write(f"  {labels.get(status, status)}：{count}")
        for name, households, people in summary.by_township:
            self.stdout.write(_("  %(t)s：%(h)d 户 %(p)d 人") % {"t": name, "h": households, "p": people})
        self.stdout.write(_("单位 %(o)d 个，干部 %(c)d 人，教师 %(t)d 人，学生 %(s)d 人，驻村工作队 %(w)d 支，新建账号 %(a)d 个") % {
            "o": summary.organizations, "c": summary.cadres, "t": summary.teachers, "s": summary.students,
            "w": summary.teams, "a": summary.accounts})
