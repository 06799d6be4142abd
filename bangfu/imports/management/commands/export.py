"""bangfu export households|persons|organizations --user NAME [-o 文件.xlsx|.csv] [--filter q=张]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.imports.exports import LISTINGS, csv_stream, export_rows, xlsx_write


class Command(BaseCommand):
    help = "导出用户可见的列表(与页面相同的范围和筛选，个人信息打码)为 xlsx 或 csv"

    def add_arguments(self, parser):
        parser.add_argument("listing", choices=sorted(LISTINGS))
        parser.add_argument("--user", required=True)
        parser.add_argument("-o", "--output", help="输出文件(.xlsx 或 .csv)；省略时 CSV 写到标准输出")
        parser.add_argument("--filter", action="append", default=[], metavar="名=值",
                            help="与列表页相同的筛选条件，如 --filter status=poor --filter q=覃")

    def handle(self, *args, **options):
        user = User.objects.select_related("region").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        params = QueryDict(mutable=True)
        for item in options["filter"]:
            name, _sep, value = item.partition("=")
            params[name] = value
        try:
            headers, rows = export_rows(listing=options["listing"], scope=user.scope, params=params)
            output = options["output"]
            if output and output.endswith(".xlsx"):
                xlsx_write(headers, rows, output, str(LISTINGS[options["listing"]]))
            elif output:
                with open(output, "wb") as fh:
                    for chunk in csv_stream(headers, rows):
                        fh.write(chunk)
            else:
                for chunk in csv_stream(headers, rows):
                    sys.stdout.buffer.write(chunk)
        except BangfuError as exc:
            raise CommandError(exc.message) from None
