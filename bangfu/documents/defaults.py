"""The shipped default templates, built from code with python-docx (no binary in the repository).

Official documents follow GB/T 9704-2012 (党政机关公文格式): A4; margins 37 mm top, 35 mm bottom,
28 mm left, 26 mm right; title in 小标宋 二号 (22 pt) centred; body in 仿宋_GB2312 三号 (16 pt), 22 lines
of 28 characters (fixed line spacing 28.95 pt); first-level headings in 黑体; page numbers in 四号
半角 Arabic figures between em dashes (— 1 —) at the foot. Word substitutes a similar face where the
official fonts are not installed; the PDF, printed on the server, falls back to the Noto CJK fonts
(print.css). Each field is one run, so docxtpl finds it; table rows repeat with {%tr for … %}.

`bangfu document_templates -o DIR` writes these files for an office to start editing from.
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _fonts(run_or_style, east_asia: str, size: float | None = None, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = LATIN_FONT
    if size:
        font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
        run = paragraph.add_run()
        _fonts(run, "宋体", 14)
        if text:
            run.text = text
            continue
        begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {field} "
        end.set(qn("w:fldCharType"), "end")
        run._r.append(begin)
        run._r.append(instr)
        run._r.append(end)


def new_document(*, official: bool, body_size: float = 16, landscape: bool = False):
    """An empty A4 document with the standard's margins, fonts and page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    if official:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    else:
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(18)
    section.footer_distance = Mm(28) if official else Mm(10)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, body_size)
    fmt = normal.paragraph_format
    if official:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    _page_number_footer(section)
    # A fixed creation date: the same data and template give the same file (Document.data_sha256).
    doc.core_properties.author = "Bangfu"
    doc.core_properties.last_modified_by = "Bangfu"
    return doc


def title(doc, text: str, size: float = 22) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(12)
    _fonts(paragraph.add_run(text), TITLE_FONT, size)


def subtitle(doc, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text)


def heading(doc, text: str) -> None:
    """A first-level heading (一、…) in 黑体."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.keep_with_next = True
    _fonts(paragraph.add_run(text), HEADING_FONT)


def para(doc, *parts: str, indent: bool = True, align=None) -> None:
    """A body paragraph, indented two characters; each part (text or a {{ field }}) its own run."""
    paragraph = doc.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    if align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for part in parts:
        paragraph.add_run(part)
    return paragraph


def table(doc, headers: list[str], cells: list[str], *, loop: str | None = None, size: float = 10.5,
          widths: list[float] | None = None) -> None:
    """A bordered table: a header row, then either one row of `cells` repeated by
    `{%tr for <loop> %}` (docxtpl) or, without a loop, the cells as one plain row."""
    rows = 2 + (2 if loop else 0)
    grid = doc.add_table(rows=rows, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers):
        _cell(cell, text, size, bold=True)
    body = 1
    if loop:
        _cell(grid.rows[1].cells[0], "{%tr for " + loop + " %}", size)
        body = 2
        _cell(grid.rows[3].cells[0], "{%tr endfor %}", size)
    for cell, text in zip(grid.rows[body].cells, cells):
        _cell(cell, text, size)
    if widths:
        for row in grid.rows:
            for cell, width in zip(row.cells, widths):
                cell.width = Mm(width)
    doc.add_paragraph()


def pairs_table(doc, pairs: list[tuple[str, str]], *, size: float = 10.5, columns: int = 2) -> None:
    """A label/value grid (基本情况): `columns` label-value pairs per row."""
    rows = (len(pairs) + columns - 1) // columns
    grid = doc.add_table(rows=rows, cols=2 * columns)
    grid.style = "Table Grid"
    for i, (label, value) in enumerate(pairs):
        row, col = divmod(i, columns)
        _cell(grid.rows[row].cells[2 * col], label, size, bold=True)
        _cell(grid.rows[row].cells[2 * col + 1], value, size)
    doc.add_paragraph()


def _cell(cell, text: str, size: float, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold


def _repeat_header(row) -> None:
    """Repeat the header row on every page a long table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)


def signatures(doc, labels: list[str]) -> None:
    """The 签字 block: a label, a line to sign on and a date line per signer."""
    grid = doc.add_table(rows=len(labels), cols=2)
    grid.style = "Table Grid"
    for row, label in zip(grid.rows, labels):
        _cell(row.cells[0], label, 12, bold=True)
        _cell(row.cells[1], "签字：                    日期：      年    月    日", 12)
    doc.add_paragraph()


def _cell_line(cell, text: str, size: float = 11) -> None:
    paragraph = cell.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(0)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)


def row_height(row, mm: float) -> None:
    """A table row of exactly `mm` that never splits across pages (cards cut from the sheet)."""
    trpr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(int(mm * 56.7)))  # twentieths of a point
    height.set(qn("w:hRule"), "exact")
    trpr.append(height)
    trpr.append(OxmlElement("w:cantSplit"))
