"""`bangfu demo_logins`: the demo accounts, their scope and password, as a table."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bangfu.demo import generator

URL = "http://127.0.0.1:8000/"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    """Pad to a display width: a Chinese character takes two columns in a terminal."""
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = _("列出演示账号、角色、管辖范围和初始密码")

    def handle(self, *args, **options):
        users = generator.demo_accounts()
        if not users:
            self.stdout.write(_("还没有演示账号，请先运行 bangfu demo。"))
            return
        header = [_("用户名"), _("角色"), _("姓名"), _("管辖范围"), _("密码")]
        rows = []
        for user in users:
            scope = user.region.full_name if user.region_id else _("全国")
            if user.organization_id:
                scope = f"{scope} · {user.organization.name}"
            rows.append([user.username, user.get_role_display(), user.display_name, scope, generator.DEMO_PASSWORD])
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        self.stdout.write(_("演示账号(初始密码均为 %(p)s)：") % {"p": generator.DEMO_PASSWORD})
        for row in [header, *rows]:
            self.stdout.write("  ".join(_pad(str(cell), w) for cell, w in zip(row, widths)).rstrip())
        self.stdout.write(_("打开 %(url)s 用以上任一账号登录。") % {"url": URL})
