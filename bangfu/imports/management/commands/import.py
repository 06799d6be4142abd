"""bangfu import FILE --register members|households|cadres|teachers|students|organizations --user NAME [--dry-run] [--map 表头=字段] [--report 报告.xlsx]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from bangfu.accounts.models import User
from bangfu.errors import BangfuError
from bangfu.imports.reading import sheet_open
from bangfu.imports.registers import COUNT_LABELS, REGISTERS, register_get
from bangfu.imports.report import report_write
from bangfu.imports.services import BATCH_ROWS, date_columns, import_file
from bangfu.imports.validation import error_kind_label, mapping_guess, row_label


class Command(BaseCommand):
    help = "导入台账文件(xlsx/xls/ods/csv)：校验每一行，无误则全部写入，有误则全部不写并给出错误报告"
    # Django's system checks import every URL and API module to check them (about 0.6 s of pydantic
    # schemas): nothing an import uses, and `bangfu check` runs them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--register", default="members", choices=sorted(REGISTERS),
                            help="台账：" + "，".join(f"{k}={r.title}" for k, r in REGISTERS.items()))
        parser.add_argument("--user", required=True, help="以哪个账号的角色和管辖范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--map", action="append", default=[], metavar="表头=字段",
                            help="指定表头对应，如 --map 户号=h_number；字段名见 docs/import.md")
        parser.add_argument("--report", help="有错误时把错误报告(xlsx)写到这里")
        parser.add_argument("--batch-size", type=int, default=BATCH_ROWS)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        user = User.objects.select_related("region").filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        try:
            register = register_get(options["register"])
            sheet = sheet_open(path)
            mapping = mapping_guess(register, sheet.headers)
            for item in options["map"]:
                header, _sep, key = item.rpartition("=")
                header = header.strip()
                if header not in sheet.headers or key not in {c.key for c in register.columns}:
                    raise CommandError(f"无法对应 {item}：文件表头为 {'、'.join(sheet.headers)}；"
                                       f"字段为 {' '.join(c.key for c in register.columns)}")
                index = sheet.headers.index(header)
                mapping = {k: v for k, v in mapping.items() if v != index}  # the column now feeds this field only
                mapping[key] = index
            bar = tqdm(total=0, unit="行", disable=options["no_progress"], file=sys.stderr, dynamic_ncols=True)

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            outcome = import_file(path=path, register=register.key, scope=user.scope, by=user,
                                  dry_run=options["dry_run"], mapping=mapping, progress=progress,
                                  batch_rows=options["batch_size"], sheet=sheet)
            bar.close()
        except BangfuError as exc:
            raise CommandError(exc.message) from None
        out = self.stdout
        out.write(f"数据行 {outcome.rows}，错误 {outcome.error_total}")
        for kind, count in sorted(outcome.error_counts.items(), key=lambda kv: -kv[1]):
            out.write(f"  {error_kind_label(kind)}: {count}")
        for row in outcome.errors.head(20).iter_rows(named=True):
            out.write(f"  {row_label(row['row'], row['seq'])}「{row['header']}」：{row['message']}")
        if outcome.unmapped:
            out.write("未导入的列(没有对应的字段，内容不会导入；可用 --map '表头=字段' 指定)：")
            for column in outcome.unmapped:
                out.write(f"  第 {column['index'] + 1} 列「{column['header']}」：{'、'.join(column['samples'])}")
        for key, c in outcome.counts().items():
            out.write(f"{COUNT_LABELS[key]}：新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}")
        if outcome.error_total:
            if options["report"]:
                report_write(sheet=sheet, errors=outcome.errors, error_counts=outcome.error_counts,
                             path=Path(options["report"]), dates=date_columns(register, mapping))
                out.write(f"错误报告：{options['report']}")
            raise CommandError("文件有错误，未写入任何数据")
        out.write("已写入" if outcome.written else "校验通过(未写入)")
        if options["verbosity"] >= 2:
            for phase, seconds in outcome.timings.items():
                out.write(f"  {phase}: {seconds:.2f} s")
