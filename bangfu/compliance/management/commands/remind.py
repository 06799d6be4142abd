"""`bangfu remind`: send each helper what falls due this week, through BANGFU_REMINDER_SENDERS."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.compliance import reminders
from bangfu.compliance.tasks import reminders_send_task


class Command(BaseCommand):
    help = _("向帮扶人发送本周到期未完成的帮扶要求提醒(短信、邮件等，见 BANGFU_REMINDER_SENDERS)")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help=_("按哪一天计算(YYYY-MM-DD，默认今天)"))
        parser.add_argument("--dry-run", action="store_true", help=_("只列出要提醒的帮扶人，不发送"))
        parser.add_argument("--enqueue", action="store_true", help=_("交给后台任务发送"))

    def handle(self, *args, as_of, dry_run, enqueue, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": as_of}) from None
        if dry_run:
            due = reminders.due_this_week(scope=reminders.ALL, as_of=day)
            for reminder in due:
                self.stdout.write(_("%(name)s：%(n)d 项，还差 %(s)g") % {
                    "name": reminder.name, "n": len(reminder.rows), "s": reminder.shortfall})
            self.stdout.write(_("共 %(n)d 位帮扶人本周有未完成的要求(未发送)") % {"n": len(due)})
            return
        if enqueue:
            result = reminders_send_task.enqueue(day.isoformat())
            self.stdout.write(_("已提交后台任务 %(id)s") % {"id": result.id})
            return
        counts = reminders.reminders_send(as_of=day)
        sent = ", ".join(f"{name} {n}" for name, n in counts.items() if name != "helpers") or _("未配置发送方式")
        self.stdout.write(_("本周有未完成要求的帮扶人 %(h)d 位；已发送：%(s)s") % {"h": counts["helpers"], "s": sent})
