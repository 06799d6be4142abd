"""Compliance as an xlsx sheet: rows from the selector, written by xlsxwriter (no formulas, no links)."""

import io
from datetime import date

import xlsxwriter
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.compliance import selectors

BATCH = 5000


def compliance_rows_iter(*, scope: Scope, filters, as_of: date):
    """All rows, fetched a batch at a time (each batch one query plus two lookups)."""
    offset = 0
    while True:
        batch = selectors.compliance_rows(scope=scope, filters=filters, as_of=as_of, limit=BATCH, offset=offset)
        yield from batch
        if len(batch) < BATCH:
            return
        offset += BATCH


def compliance_xlsx(*, scope: Scope, filters, as_of: date) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    sheet = book.add_worksheet(_("落实情况"))
    bold = book.add_format({"bold": True})
    headers = [_("项目"), _("帮扶方"), _("帮扶对象"), _("所在区域"), _("要求"), _("周期"), _("开始"), _("结束"),
               _("应完成"), _("截至目前应完成"), _("已完成"), _("差额"), _("单位"), _("状态")]
    sheet.write_row(0, 0, headers, bold)
    for i, r in enumerate(compliance_rows_iter(scope=scope, filters=filters, as_of=as_of), start=1):
        p = r.pairing
        sheet.write_row(i, 0, [p.programme.name, p.helper_name, p.target_name, p.region.name, r.obligation.name,
                               r.period_label, r.period_starts_on.isoformat(), r.period_ends_on.isoformat(),
                               r.required, r.expected, r.done, r.shortfall, r.obligation.unit, r.status_label])
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
