"""bangfu backup -o DIR [--key-out FILE] [--no-media]: the database, the media and the data key (docs/deploy.md)."""

from django.core.management.base import BaseCommand, CommandError

from bangfu.errors import BangfuError
from bangfu.privacy.backup import backup


class Command(BaseCommand):
    help = "备份数据库、上传的文件和数据密钥到一个新目录(恢复用 bangfu restore)"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="新的备份目录")
        parser.add_argument("--key-out", help="数据密钥写到这里(默认备份目录下的 data.key)：请与备份分开保存")
        parser.add_argument("--no-media", action="store_true", help="不备份上传的文件(照片、报告)")

    def handle(self, *args, **options):
        try:
            result = backup(folder=options["output"], key_out=options["key_out"], media=not options["no_media"])
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已备份到 {result.folder}：{'、'.join(result.files)}")
        self.stdout.write(f"数据密钥：{result.key_path}(没有它，备份中的身份证号、电话、银行账号无法恢复；请与备份分开保存)")
