"""bangfu restore DIR [--key FILE]: into the empty database DATABASE_URL names, checked by decrypting (docs/deploy.md)."""

from django.core.management.base import BaseCommand, CommandError

from bangfu.errors import BangfuError
from bangfu.privacy.backup import restore


class Command(BaseCommand):
    help = "把 bangfu backup 的备份恢复到一个新建的空数据库，并用数据密钥解密核对"

    def add_arguments(self, parser):
        parser.add_argument("folder", help="bangfu backup 写的备份目录")
        parser.add_argument("--key", help="备份时保存的数据密钥文件(默认备份目录下的 data.key)")

    def handle(self, *args, **options):
        try:
            result = restore(folder=options["folder"], key_file=options["key"])
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write("已恢复数据库和上传的文件")
        if result.key_installed:
            self.stdout.write(f"数据密钥已写入 {result.key_installed}")
        self.stdout.write(f"核对：{result.checked} 个身份证号用此密钥解密并与检索摘要一致")
        if result.pending_migrations:
            self.stdout.write(f"备份来自较旧的版本：还有 {result.pending_migrations} 个数据库迁移，请运行 bangfu migrate")
