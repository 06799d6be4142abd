"""bangfu document KIND SUBJECT --user NAME [--as-of DATE] [--format docx|pdf] [--param 名=值 …] [--full] -o FILE

The same kinds, scope, masking and templates as the 文书 page; `bangfu document kinds` lists the kinds
and their fields; `bangfu document templates -o DIR` writes the shipped default templates.

Work plans (工作计划页): `bangfu document plan-draft PROGRAMME_ID --param year=2025 --user NAME`,
`bangfu document plan-edit PLAN_ID --param goals=… --user NAME` (sections guidance, goals, measures,
requirements), `bangfu document plan-issue PLAN_ID --as-of DATE --user NAME`; then print it with
`bangfu document work_plan PLAN_ID …`."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangfu.accounts.models import User
from bangfu.documents import rendering, services
from bangfu.documents.kinds import field_list, kinds_all
from bangfu.errors import BangfuError


class Command(BaseCommand):
    help = ("生成文书(帮扶手册、一户一策、明白卡、民情日记、工作队月报、半年和年度总结、工作计划、学期总结)为 Word 或 PDF；"
            "kinds 列出类型，templates 写出默认模板；plan-draft / plan-edit / plan-issue 起草、修改、印发工作计划")

    def add_arguments(self, parser):
        parser.add_argument("kind", help="文书类型(见 kinds)，或 kinds / templates / plan-draft / plan-edit / plan-issue")
        parser.add_argument("subject", nargs="?", default="", help="户编号(id)、工作队编号、12位区划代码或结对编号")
        parser.add_argument("--user", help="以哪个账号的范围和权限生成")
        parser.add_argument("--as-of", help="数据截止日期 YYYY-MM-DD(必填，保证可重复生成)")
        parser.add_argument("--format", choices=services.FORMATS, help="省略时按输出文件扩展名，默认 docx")
        parser.add_argument("--param", action="append", default=[], metavar="名=值", help="如 month=2025-03、year=2025、term=3")
        parser.add_argument("--full", action="store_true", help="身份证号、电话不打码(仅限有权角色，记入查看日志)")
        parser.add_argument("-o", "--output", help="输出文件(templates：输出目录)")

    def handle(self, *args, **options):
        kind = options["kind"]
        if kind == "kinds":
            for found in kinds_all():
                self.stdout.write(f"{found.key}\t{found.title}\t对象：{found.subject_label}\t选项：{', '.join(found.params) or '—'}")
                for path, label in field_list(found.fields):
                    self.stdout.write(f"    {path}\t{label}")
            return
        if kind == "templates":
            folder = Path(options["output"] or ".")
            folder.mkdir(parents=True, exist_ok=True)
            for found in kinds_all():
                target = folder / f"{found.key}.docx"
                target.write_bytes(rendering.default_template(found.key))
                self.stdout.write(f"{target}\t{found.title}")
            return
        user = User.objects.select_related("region").filter(username=options["user"] or "").first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}(用 --user 指定)")
        if kind not in PLAN_VERBS and (not options["as_of"] or not options["output"]):
            raise CommandError("须用 --as-of 指定数据截止日期，用 -o 指定输出文件")
        params = {}
        for item in options["param"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"选项应写成 名=值：{item}")
            params[name] = value
        if kind in PLAN_VERBS:
            return self._plan(kind, user, options["subject"], params, options["as_of"])
        output = options["output"]
        fmt = options["format"] or ("pdf" if output.lower().endswith(".pdf") else "docx")
        try:
            generated = services.document_generate(user=user, kind=kind, subject=options["subject"],
                                                   as_of=date.fromisoformat(options["as_of"]), fmt=fmt, params=params,
                                                   full=options["full"])
        except BangfuError as exc:
            raise CommandError(exc.message)
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{exc}")
        Path(output).write_bytes(generated.content)
        record = generated.record
        self.stdout.write(f"{output}\t{record.title}\t模板 {record.template_version}\t数据摘要 {record.data_sha256[:16]}")

    def _plan(self, verb: str, user, subject: str, params: dict, on: str | None) -> None:
        from bangfu.documents import workplan

        try:
            if verb == "plan-draft":
                plan = workplan.workplan_draft(user=user, programme=subject, year=params.get("year", ""))
            else:
                if not str(subject).isdigit():
                    raise CommandError(f"工作计划编号应为数字：{subject}")
                plan = workplan.workplan_get(user=user, pk=int(subject))
                if verb == "plan-edit":
                    plan = workplan.workplan_update(user=user, plan=plan, sections=params)
                else:
                    if not on:
                        raise CommandError("须用 --as-of 指定印发日期")
                    plan = workplan.workplan_issue(user=user, plan=plan, on=date.fromisoformat(on))
        except BangfuError as exc:
            raise CommandError(exc.message)
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{exc}")
        self.stdout.write(f"{plan.pk}\t{plan.year}\t{plan.programme.name}\t{plan.get_status_display()}"
                          f"\t{plan.version or ''}")


PLAN_VERBS = ("plan-draft", "plan-edit", "plan-issue")
