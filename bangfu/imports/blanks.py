"""Downloadable templates (导入模板): headers in the page's language (Chinese unless the user reads
English; both import), an example row, drop-downs for choices."""

import io

import xlsxwriter
from django.utils.translation import gettext as _

from bangfu.exports.writers import sheet_name
from bangfu.imports.registers import OFFICE_RELATIONS, RELATION_VARIANTS, Register
from bangfu.imports.validation import DATE_FORMATS  # noqa: F401  (the formats the notes describe)


def register_template(register: Register) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    optional = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})  # ID numbers stay text: Excel would round them
    sheet = workbook.add_worksheet(sheet_name(register.title))
    # The template has the stored columns; those that only feed or check them (是否在校生, 低保/五保,
    # 县, 乡镇) are read when a ledger has them, and listed on the 填写说明 sheet.
    columns = register.stored
    sheet.merge_range(0, 0, 0, len(columns) - 1, str(register.title), title)
    for i, column in enumerate(columns):
        sheet.write_string(1, i, _(column.header) + ("*" if column.required else ""),
                           required if column.required else optional)
        sheet.write_string(2, i, column.example)
        sheet.set_column(i, i, 20 if column.kind in ("id_number", "region", "bank_account") else 12, text)
        if column.choices is not None:
            labels = [str(label) for _v, label in column.choices.choices]
            if len(",".join(labels)) < 250:
                sheet.data_validation(2, i, 10_000, i, {"validate": "list", "source": labels,
                                                        "error_type": "warning"})
    sheet.freeze_panes(2, 0)
    notes = workbook.add_worksheet(sheet_name(_("填写说明")))
    notes.write_row(0, 0, [_("列"), _("必填"), _("填写要求")], optional)
    for i, column in enumerate([*columns, *(c for c in register.columns if c.into)], start=1):
        if column.key == "p_relation":
            rule = (_("建档立卡关系：") + "、".join(OFFICE_RELATIONS) + _("(写不写“之”均可，如 之子 或 子)；也可写 ")
                    + "、".join(list(RELATION_VARIANTS)[:24]) + _(" 等"))
        elif column.choices is not None:
            rule = _("可填：") + "、".join(str(label) for _v, label in column.choices.choices)
            if column.help:
                rule += _("。") + str(column.help)
        else:
            rule = {
                "id_number": _("18位身份证号，末位可为X；出生日期和性别取自身份证号"),
                "date": _("如 2016-09-01、2016/9/1 或 2016年9月1日"),
                "bool": _("是 / 否"),
                "money": _("元，可带两位小数"),
                "region": str(column.help),
                "organization": str(column.help),
                "phone": str(column.help),
                "bank_account": str(column.help),
                "ethnicity": _("如 汉族、壮族"),
                "int": _("1 到 4"),
                "flags": str(column.help),
                "region_check": str(column.help),
            }.get(column.kind, "")
            if column.into and column.kind == "bool":
                rule = str(column.help)
        notes.write_row(i, 0, [_(column.header), _("是") if column.required else "", rule])
    notes.set_column(0, 0, 16)
    notes.set_column(2, 2, 60)
    workbook.close()
    return buffer.getvalue()
