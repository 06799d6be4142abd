"""A filled Word document as print HTML, for the PDF of an office's replaced template.

When an office replaces a kind's template, its PDF must follow the new layout too: headings added,
fields moved, sections reordered. Converting .docx to PDF faithfully needs LibreOffice, which is not
installable everywhere Bangfu runs (CI, small servers), so the PDF is printed by WeasyPrint from
HTML made here from the filled .docx, in pure Python: the body's paragraphs and tables in document
order, with their alignment, first-line indent, bold/italic/underline, font sizes and East Asian
fonts, merged cells, header rows repeated on every page (w:tblHeader), rows kept whole (w:cantSplit)
and exact row heights, pictures (charts) as data: URLs, page breaks, the section's page size and
margins, and the footer's page number ("— 1 —"). Text boxes, floating shapes and Word's own
numbering are not reproduced. The shipped default templates keep their hand-written print
templates (documents/print/*.html), which lay the same content out a little better for the screen.
"""

import base64
import html
import io

from docx import Document
from docx.oxml.ns import qn

FALLBACK = '"Noto Serif CJK SC", serif'
SANS = {"黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "等线", "DengXian"}


def _val(element, tag: str, attr: str = "w:val"):
    found = element.find(qn(tag)) if element is not None else None
    return None if found is None else found.get(qn(attr))


def _on(rpr, tag: str) -> bool:
    found = rpr.find(qn(tag)) if rpr is not None else None
    return found is not None and found.get(qn("w:val")) not in ("0", "false", "none")


def _font_css(east_asia: str | None) -> str:
    if not east_asia:
        return ""
    fallback = '"Noto Sans CJK SC", sans-serif' if east_asia in SANS else FALLBACK
    return f'font-family: "{html.escape(east_asia)}", {fallback};'


class _Converter:
    def __init__(self, content: bytes):
        self.doc = Document(io.BytesIO(content))
        self.part = self.doc.part

    # runs ------------------------------------------------------------------------------------
    def _image(self, drawing) -> str:
        blip = drawing.find(".//" + qn("a:blip"))
        if blip is None:
            return ""
        part = self.part.related_parts.get(blip.get(qn("r:embed")))
        if part is None:
            return ""
        extent = drawing.find(".//" + qn("wp:extent"))
        width = f' style="width: {int(extent.get("cx")) / 36000:.1f}mm"' if extent is not None else ""
        data = base64.b64encode(part.blob).decode()
        return f'<img src="data:{part.content_type};base64,{data}"{width} alt="">'

    def _run(self, r) -> str:
        rpr = r.find(qn("w:rPr"))
        out = []
        for child in r:
            tag = child.tag
            if tag == qn("w:t"):
                out.append(html.escape(child.text or ""))
            elif tag == qn("w:tab"):
                out.append("&emsp;")
            elif tag == qn("w:br"):
                out.append('<span class="page-break"></span>' if child.get(qn("w:type")) == "page" else "<br>")
            elif tag == qn("w:drawing"):
                out.append(self._image(child))
        text = "".join(out)
        if not text:
            return ""
        style = []
        size = _val(rpr, "w:sz")
        if size:
            style.append(f"font-size: {int(size) / 2:g}pt;")
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None:
            style.append(_font_css(fonts.get(qn("w:eastAsia"))))
        if _on(rpr, "w:b"):
            style.append("font-weight: bold;")
        if _on(rpr, "w:i"):
            style.append("font-style: italic;")
        if rpr is not None and rpr.find(qn("w:u")) is not None and _val(rpr, "w:u") != "none":
            style.append("text-decoration: underline;")
        css = "".join(s for s in style if s)
        return f'<span style="{css}">{text}</span>' if css else text

    def _paragraph(self, p, *, in_cell: bool = False) -> str:
        ppr = p.find(qn("w:pPr"))
        style = []
        align = _val(ppr, "w:jc")
        if align in ("center", "right", "both", "distribute"):
            style.append("text-align: %s;" % {"both": "justify", "distribute": "justify"}.get(align, align))
        ind = ppr.find(qn("w:ind")) if ppr is not None else None
        if ind is not None and (ind.get(qn("w:firstLine")) or ind.get(qn("w:firstLineChars"))):
            chars = ind.get(qn("w:firstLineChars"))
            indent = f"{int(chars) / 100:g}em" if chars else f"{int(ind.get(qn('w:firstLine'))) / 20:g}pt"
            style.append(f"text-indent: {indent};")
        elif not in_cell:
            style.append("text-indent: 0;")
        if ppr is not None and ppr.find(qn("w:pageBreakBefore")) is not None:
            style.append("break-before: page;")
        if ppr is not None and ppr.find(qn("w:keepNext")) is not None:
            style.append("break-after: avoid;")
        inner = []
        for child in p:
            if child.tag == qn("w:r"):
                inner.append(self._run(child))
            elif child.tag == qn("w:hyperlink"):
                inner.extend(self._run(r) for r in child.findall(qn("w:r")))
        body = "".join(inner) or "&nbsp;"
        css = f' style="{"".join(style)}"' if style else ""
        return f"<p{css}>{body}</p>"

    # tables ----------------------------------------------------------------------------------
    def _table(self, tbl) -> str:
        rows = tbl.findall(qn("w:tr"))
        grid = []  # per row: list of (tc, colspan, vmerge)
        for tr in rows:
            cells = []
            for tc in tr.findall(qn("w:tc")):
                tcpr = tc.find(qn("w:tcPr"))
                span = int(_val(tcpr, "w:gridSpan") or 1)
                merge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
                vmerge = None if merge is None else (merge.get(qn("w:val")) or "continue")
                cells.append((tc, span, vmerge))
            grid.append(cells)

        def column(row: int, index: int) -> int:
            return sum(span for _tc, span, _m in grid[row][:index])

        head, body = [], []
        for r, (tr, cells) in enumerate(zip(rows, grid)):
            trpr = tr.find(qn("w:trPr"))
            row_style = []
            height = trpr.find(qn("w:trHeight")) if trpr is not None else None
            if height is not None and height.get(qn("w:val")):
                rule = "height" if height.get(qn("w:hRule")) == "exact" else "min-height"
                row_style.append(f"{rule}: {int(height.get(qn('w:val'))) / 20:g}pt;")
            out = []
            for i, (tc, span, vmerge) in enumerate(cells):
                if vmerge == "continue":
                    continue
                rowspan = 1
                if vmerge == "restart":
                    col = column(r, i)
                    for below in range(r + 1, len(grid)):
                        match = [m for j, (_t, _s, m) in enumerate(grid[below]) if column(below, j) == col]
                        if match and match[0] == "continue":
                            rowspan += 1
                        else:
                            break
                attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
                content = "".join(self._paragraph(p, in_cell=True) if p.tag == qn("w:p") else self._table(p)
                                  for p in tc if p.tag in (qn("w:p"), qn("w:tbl")))
                out.append(f"<td{attrs}>{content}</td>")
            css = f' style="{"".join(row_style)}"' if row_style else ""
            line = f"<tr{css}>{''.join(out)}</tr>"
            is_header = trpr is not None and trpr.find(qn("w:tblHeader")) is not None
            (head if is_header and not body else body).append(line)
        borders = tbl.find(qn("w:tblPr"))
        styled = _val(borders, "w:tblStyle") if borders is not None else None
        cls = ' class="grid"' if styled or (borders is not None and borders.find(qn("w:tblBorders")) is not None) else ""
        thead = f"<thead>{''.join(head)}</thead>" if head else ""
        return f"<table{cls}>{thead}<tbody>{''.join(body)}</tbody></table>"

    # the page --------------------------------------------------------------------------------
    def _page_css(self) -> str:
        section = self.doc.sections[0]
        size = f"{section.page_width.mm:.0f}mm {section.page_height.mm:.0f}mm" if section.page_width else "A4"
        margins = " ".join(f"{(m.mm if m is not None else 20):.0f}mm" for m in
                           (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin))
        footer = ""
        if section.footer is not None and "PAGE" in section.footer._element.xml:
            dashed = "—" in "".join(t.text or "" for t in section.footer._element.iter(qn("w:t")))
            number = '"— " counter(page) " —"' if dashed else "counter(page)"
            footer = f"@bottom-center {{ content: {number}; font-size: 14pt; }}"
        normal = self.doc.styles["Normal"]
        size_pt = normal.font.size.pt if normal.font.size else 12
        spacing = normal.paragraph_format.line_spacing
        line = f"{spacing.pt:g}pt" if hasattr(spacing, "pt") and spacing is not None else "1.5"
        east = None
        rpr = normal.element.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            east = rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        family = _font_css(east) or f"font-family: {FALLBACK};"
        return (f"@page {{ size: {size}; margin: {margins}; {footer} }}"
                f"body {{ {family} font-size: {size_pt:g}pt; line-height: {line}; }}")

    def html(self) -> str:
        parts = []
        for child in self.doc.element.body:
            if child.tag == qn("w:p"):
                parts.append(self._paragraph(child))
            elif child.tag == qn("w:tbl"):
                parts.append(self._table(child))
        style = (self._page_css() +
                 "p { margin: 0; } table { width: 100%; border-collapse: collapse; margin: 2pt 0; font-size: 10.5pt;"
                 " line-height: 1.35; } thead { display: table-header-group; } tr { break-inside: avoid; }"
                 " td { padding: 2pt 4pt; vertical-align: top; text-indent: 0; }"
                 " table.grid td { border: 0.5pt solid #000; } img { max-width: 100%; }"
                 " .page-break { display: block; break-after: page; }")
        return (f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><style>{style}</style></head>'
                f"<body>{''.join(parts)}</body></html>")


def docx_to_html(content: bytes) -> str:
    """Print HTML for a filled .docx (see the module's docstring for what is kept)."""
    return _Converter(content).html()
