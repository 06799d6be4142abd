"""Exports of the lists a user sees: same selectors, same scope and filters, personal data masked.

Exports always mask ID, phone and bank numbers, whatever the role: a file leaves the system's
control, and revealing a value in full is a logged, one-at-a-time act (bangfu.privacy.services).
Cells starting with = + - @ (or a tab / carriage return) are prefixed with ' so a spreadsheet
never runs them as formulas. Rows are read with .iterator() and written as they come: CSV is
streamed to the client, xlsx is written in xlsxwriter's constant-memory mode.
"""

import codecs
import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound, PermissionDenied
from bangfu.privacy.masking import mask_bank_account, mask_id_number, mask_phone
from bangfu.registry import selectors
from bangfu.registry.forms import HouseholdFilterForm

LISTINGS = {"households": gettext_lazy("户籍台账"), "persons": gettext_lazy("人员"), "organizations": gettext_lazy("单位")}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def export_rows(*, listing: str, scope: Scope, params: QueryDict | dict) -> tuple[list[str], Iterator[tuple]]:
    """Headers and rows of a list, filtered as on its page."""
    if not scope.rules.export:
        raise PermissionDenied(_("您的角色不能导出数据"))
    if listing == "households":
        form = HouseholdFilterForm(params or None, scope=scope)
        filters = selectors.HouseholdFilters(**form.cleaned_data) if form.is_valid() else selectors.HouseholdFilters()
        qs = selectors.household_list(scope=scope, filters=filters).select_related("region", "head")
        headers = [_("户编号"), _("所在区域"), _("户主"), _("户主身份证号"), _("家庭人口"), _("户状态"), _("主要致贫原因"),
                   _("人均纯收入(元)"), _("低保户"), _("五保户"), _("特困供养"), _("识别日期"), _("脱贫日期"), _("联系电话"),
                   _("开户银行"), _("银行账号")]

        def rows():
            for h in qs.iterator(chunk_size=2000):
                yield (h.number, h.region.full_name, h.head.name if h.head else "",
                       mask_id_number(h.head.id_number) if h.head else "", h.size, h.get_status_display(),
                       h.get_main_cause_display(), h.income_per_capita, _yes(h.dibao), _yes(h.wubao), _yes(h.tekun),
                       h.identified_on, h.exited_on, mask_phone(h.phone), h.bank_name, mask_bank_account(h.bank_account))
    elif listing == "persons":
        qs = selectors.person_list(scope=scope, q=params.get("q", ""), kind=params.get("kind", ""))
        headers = [_("姓名"), _("身份证号"), _("性别"), _("出生日期"), _("民族"), _("人员类别"), _("所在区域"), _("所在户"),
                   _("与户主关系"), _("工作单位/学校"), _("联系电话")]

        def rows():
            for p in qs.iterator(chunk_size=2000):
                yield (p.name, mask_id_number(p.id_number), p.get_gender_display(), p.birth_date, p.ethnicity,
                       p.get_kind_display(), p.region.full_name, p.household.number if p.household else "",
                       p.get_relation_display(), p.organization.name if p.organization else "", mask_phone(p.phone))
    elif listing == "organizations":
        qs = selectors.organization_list(scope=scope, q=params.get("q", ""), kind=params.get("kind", ""))
        headers = [_("名称"), _("类型"), _("所在区域"), _("地址"), _("联系人"), _("联系电话"), _("人数")]

        def rows():
            for o in qs.iterator(chunk_size=2000):
                yield (o.name, o.get_kind_display(), o.region.full_name, o.address, o.contact_name,
                       mask_phone(o.contact_phone), o.people_count)
    else:
        raise NotFound(_("没有这个列表"))
    return [str(h) for h in headers], rows()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(value)) if isinstance(value, str) else str(value)


class _Echo:
    def write(self, value):
        return value


def csv_stream(headers: list[str], rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 with BOM, so that Excel opens it with the right characters."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8 + writer.writerow(headers).encode()
    for row in rows:
        yield writer.writerow([_text(v) for v in row]).encode()


def xlsx_write(headers: list[str], rows: Iterable[tuple], path: str, title: str = "") -> None:
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(title[:31] or "Sheet1")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(r, c, _yes(value))
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(r, c, float(value))
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write_string(r, c, safe_cell(str(value)))
    workbook.close()


@login_required
def export_view(request, listing: str):
    scope = request.user.scope
    fmt = request.GET.get("format", "xlsx")
    headers, rows = export_rows(listing=listing, scope=scope, params=request.GET)
    stem = f"{LISTINGS.get(listing, listing)}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(headers, rows), content_type="text/csv; charset=utf-8")
        from urllib.parse import quote

        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem)}.csv"
        return response
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", prefix="bangfu-export-")
    xlsx_write(headers, rows, tmp.name, str(LISTINGS.get(listing, "")))
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"{stem}.xlsx")
