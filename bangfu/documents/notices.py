"""The public notice (公示) of any procedure as a Word document and a PDF, ready to post.

One kind serves every procedure definition (subsidy acceptance today; identification, exit and
monitoring later): its columns and rows come from `procedures.selectors.notice_rows`, which reads
the definition's `notice_columns` and `notice_rows` and masks ID, phone and bank numbers whatever
the reader's role — a notice is posted in public, so this kind never prints a number in full
(no `full_fields`). The table's columns are a loop (docxtpl `{%tc %}`), so a definition with other
columns needs no other template.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.documents import defaults as d
from bangfu.documents.households import day
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.errors import ValidationError
from bangfu.procedures.definitions import definition_get
from bangfu.procedures.selectors import notice_get, notice_rows

L = gettext_lazy


def find_notice(scope: Scope, key: str) -> Subject:
    if not str(key).isdigit():
        raise ValidationError(_("公示编号应为数字：%(k)s") % {"k": key}, field="subject")
    notice = notice_get(scope=scope, pk=int(key))
    return Subject(key=str(notice.pk), obj=notice, county_code=notice.county_code, name=notice.title)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return day(value)
    return str(value)


def notice_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    notice = subject.obj
    columns, rows = notice_rows(scope=scope, notice=notice)  # masked there, for every reader
    definition = definition_get(notice.definition)
    return {
        "doc": {"title": notice.title, "as_of": day(as_of)},
        "notice": {"title": notice.title, "procedure": str(definition.label), "place": notice.region.full_name,
                   "village": notice.region.name, "starts_on": day(notice.starts_on), "ends_on": day(notice.ends_on),
                   "count": len(rows), "posted_on": day(notice.starts_on)},
        "headers": [{"label": _("序号")}] + [{"label": label} for _key, label in columns],
        "rows": [{"no": str(i), "cells": [{"value": str(i)}] + [{"value": _cell(row.get(key))} for key, _l in columns]}
                 for i, row in enumerate(rows, start=1)],
    }


NOTICE_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "notice": {"title": L("公示标题"), "procedure": L("事项"), "place": L("公示地点(全称)"), "village": L("公示地点"),
               "starts_on": L("公示开始"), "ends_on": L("公示结束"), "count": L("公示户数"),
               "posted_on": L("张贴日期")},
    "headers": [{"label": L("表头")}],
    "rows": [{"no": L("序号"), "cells": [{"value": L("单元格")}]}],
}


def notice_template():
    doc = d.new_document(official=False, body_size=12)
    d.title(doc, "{{ notice.title }}", size=18)
    d.para(doc, "经申报、审核，现将", "{{ notice.place }}", "以下", "{{ notice.count }}",
           "户的", "{{ notice.procedure }}", "结果予以公示，公示期为", "{{ notice.starts_on }}", "至",
           "{{ notice.ends_on }}", "。")
    grid = doc.add_table(rows=4, cols=3)
    grid.style = "Table Grid"
    d._repeat_header(grid.rows[0])
    for cell, text in zip(grid.rows[0].cells, ("{%tc for h in headers %}", "{{ h.label }}", "{%tc endfor %}")):
        d._cell(cell, text, 10.5, bold=True)
    d._cell(grid.rows[1].cells[0], "{%tr for r in rows %}", 10.5)
    for cell, text in zip(grid.rows[2].cells, ("{%tc for c in r.cells %}", "{{ c.value }}", "{%tc endfor %}")):
        d._cell(cell, text, 10.5)
    d._cell(grid.rows[3].cells[0], "{%tr endfor %}", 10.5)
    doc.add_paragraph()
    d.para(doc, "公示期间，如对公示对象有异议，请以书面或口头形式向村民委员会或乡镇人民政府反映。"
                "为保护个人信息，身份证号、电话号码等已作部分隐藏。")
    d.para(doc, "{{ notice.village }}", indent=False, align="right")
    d.para(doc, "{{ notice.posted_on }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="notice", title=L("公示"), subject_label=L("公示编号"), find=find_notice, fields=NOTICE_FIELDS,
    gather=notice_gather, default_template=notice_template, html="documents/print/notice.html"))
