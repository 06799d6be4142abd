"""bangfu export <列表> [名=值 …] --user NAME [--format xlsx|csv] [-o 文件]

The same listings as the pages' 导出 buttons (bangfu.exports.listings): the user's scope, the
page's filters by the same names, personal data masked (--full: in full, for a role that may see it,
every value logged). Written here and now, whatever the size, with a progress bar on a terminal.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.exports.listings import LISTINGS, listing_get
from bangfu.exports.services import export_check, export_params
from bangfu.exports.writers import FORMATS, csv_stream, table_write
from bangfu.privacy.models import ReadReason


class Command(BaseCommand):
    help = "导出用户可见的列表(与页面相同的范围和筛选，个人信息打码)为 xlsx 或 csv"

    def add_arguments(self, parser):
        parser.add_argument("listing", choices=sorted(LISTINGS), help="列表")
        parser.add_argument("filters", nargs="*", metavar="名=值",
                            help="与列表页相同的筛选条件，如 status=poor q=覃 programme=3")
        parser.add_argument("--user", required=True, help="以哪个账号的范围和权限导出")
        parser.add_argument("--format", choices=FORMATS, help="省略时按输出文件的扩展名，默认 xlsx(写到标准输出时为 csv)")
        parser.add_argument("-o", "--output", help="输出文件；省略时 CSV 写到标准输出")
        parser.add_argument("--filter", action="append", default=[], metavar="名=值", help="同上，可重复")
        parser.add_argument("--full", action="store_true",
                            help="身份证号、电话、银行账号不打码(仅限可查看完整个人信息的角色；每个值记入查看日志)")
        parser.add_argument("--reason", default="", choices=["", *ReadReason.values],
                            help="完整导出的用途(记入查看日志)：" + "、".join(f"{v} {label}" for v, label in ReadReason.choices)
                            + "；默认 report")
        parser.add_argument("--reason-note", default="", help="用途说明(--reason other 时必填)")

    def handle(self, *args, **options):
        user = User.objects.select_related("region").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        params = {}
        for item in [*options["filters"], *options["filter"]]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"筛选条件应写成 名=值：{item}")
            params[name] = value
        output = options["output"]
        fmt = options["format"] or ("csv" if not output or output.lower().endswith(".csv") else "xlsx")
        if not output and fmt != "csv":
            raise CommandError("xlsx 须用 -o 指定输出文件")
        try:
            export_check(user)
            found = listing_get(options["listing"])
            table = found.table(user, export_params(params), full=options["full"], reason=options["reason"],
                                note=options["reason_note"])
            total = table.count()
            bar = tqdm(total=total, unit="行", disable=not sys.stderr.isatty() or options["verbosity"] == 0,
                       file=sys.stderr)
            rows = _ticking(table.rows(), bar)
            if output:
                table_write(fmt, table.headers, rows, output, str(found.title))
            else:
                for chunk in csv_stream(table.headers, rows):
                    sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
            bar.close()
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        if output and options["verbosity"]:
            self.stderr.write(f"已导出 {total} 行到 {output}")


def _ticking(rows, bar):
    for row in rows:
        bar.update(1)
        yield row
