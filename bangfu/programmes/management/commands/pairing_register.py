"""bangfu pairing_register FILE --programme ID --user NAME [--dry-run] [--report 报告.xlsx]: pair by register (帮扶结对名册)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.programmes import register, selectors


class Command(BaseCommand):
    help = "按帮扶结对名册(xlsx/xls/ods/csv)批量结对：每行都无误才全部结对，否则一个也不结对并列出行号和列"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--programme", type=int, required=True, help="帮扶项目编号")
        parser.add_argument("--user", required=True, help="以哪个账号的角色和管辖范围结对")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不结对")
        parser.add_argument("--report", help="有错误时把错误报告(xlsx，标出错误单元格)写到这里")

    def handle(self, *args, **options):
        user = User.objects.select_related("region").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        try:
            programme = selectors.programme_get(scope=user.scope, pk=options["programme"])
            # sheet_open checks the file (type, a zip's directory and true sizes) before anything expands
            result = register.pairing_register_import(scope=user.scope, by=user, programme=programme, path=path,
                                                      dry_run=options["dry_run"])
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"数据行 {result.rows}，可结对 {result.valid}，错误 {len(result.errors)}")
        for error in result.errors[:50]:
            self.stdout.write(f"  第 {error.row} 行「{error.header or '整行'}」：{error.message}")
        if result.errors:
            if options["report"] and result.report:
                Path(options["report"]).write_bytes(result.report)
                self.stdout.write(f"错误报告：{options['report']}")
            raise CommandError("名册有错误，一个也没有结对")
        self.stdout.write(f"已结对 {result.created} 个" if result.created else "检查通过(只检查，未结对)")
