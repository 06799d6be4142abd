"""bangfu export_cleanup: delete background exports older than BANGFU_EXPORT_RETENTION_DAYS (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from bangfu.exports.services import export_jobs_purge


class Command(BaseCommand):
    help = "删除超过保存期限的后台导出文件及其任务记录"

    def handle(self, *args, **options):
        count = export_jobs_purge()
        if options["verbosity"]:
            self.stdout.write(f"已删除 {count} 个超过 {settings.BANGFU_EXPORT_RETENTION_DAYS} 天的导出")
