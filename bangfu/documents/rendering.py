"""Filling a template: Word through docxtpl, PDF through WeasyPrint from the kind's HTML print template.

Both outputs are byte-for-byte reproducible: the .docx is re-zipped with fixed entry times (Word
files are zip archives stamped with the time they were written), and WeasyPrint writes no date
unless asked. The same data and template therefore give the same file and the same SHA-256.
"""

import base64
import functools
import hashlib
import io
import json
import re
import zipfile

import jinja2
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from bangfu.documents import charts
from bangfu.documents.docx_html import docx_to_html
from bangfu.documents.kinds import DocumentKind, sample
from bangfu.errors import ValidationError

ZIP_TIME = (2000, 1, 1, 0, 0, 0)
CONTENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "pdf": "application/pdf", "zip": "application/zip"}


class _Environment(jinja2.Environment):
    """Compiles each distinct part of a template once: docxtpl compiles the document's XML on every
    render, which costs as much as filling it (benchmarks/bench_documents.py)."""

    CACHED = 64

    def __init__(self):
        # A misspelt field is an error, never an empty cell.
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            found = super().from_string(source)
            if len(self._compiled) >= self.CACHED:
                self._compiled.clear()
            self._compiled[source] = found
        return found


class _Template(DocxTemplate):
    """docxtpl's template with its XML clean-up (patch_xml: regular expressions over the whole part)
    done once per distinct part, like the compilation."""

    def patch_xml(self, src_xml):
        return _patched(src_xml)


@functools.lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(_PATCHER, src_xml)


_PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml reads no state of its template
_ENVIRONMENT = _Environment()


def _environment() -> jinja2.Environment:
    return _ENVIRONMENT


class _FixedTimeWriter:
    """python-docx's zip writer, with every entry dated ZIP_TIME instead of the time of writing."""

    def __init__(self, stream):
        self._zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob) -> None:
        self._zip.writestr(zipfile.ZipInfo(pack_uri.membername, date_time=ZIP_TIME), blob,
                           compress_type=zipfile.ZIP_DEFLATED)

    def close(self) -> None:
        self._zip.close()


def _saved(document: DocxTemplate) -> bytes:
    """DocxTemplate.save through _FixedTimeWriter (docx.opc.pkgwriter.PackageWriter.write's steps)."""
    from docx.opc.pkgwriter import PackageWriter

    document.pre_processing()
    package = document.docx.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    writer = _FixedTimeWriter(buffer)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return buffer.getvalue()


def data_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _normalized(content: bytes) -> bytes:
    """The archive again with every entry dated ZIP_TIME, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), source.read(info.filename),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@functools.cache
def default_template(kind_key: str) -> bytes:
    """The shipped default .docx of a kind, built from code once per process (defaults.py)."""
    from bangfu.documents.kinds import kind_get

    buffer = io.BytesIO()
    kind_get(kind_key).default_template().save(buffer)
    return _normalized(buffer.getvalue())


def docx_render(template: bytes, data: dict) -> bytes:
    document = _Template(io.BytesIO(template))
    if charts.has_chart(data):  # each chart becomes a picture in the Word file (charts.py)
        document.init_docx()
        data = charts.replaced(data, lambda png: InlineImage(document, io.BytesIO(png), width=Mm(charts.WIDTH_MM)))
    document.render(data, jinja_env=_environment())
    return _saved(document)


def _png_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def html_render(kind: DocumentKind, data: dict) -> str:
    return render_to_string(kind.html, {"d": charts.replaced(data, _png_url), "kind": kind})


def pdf_render(kind: DocumentKind, data: dict, *, docx: bytes | None = None) -> bytes:
    """The PDF from the kind's print template, or — for an office's replaced Word template — from the
    filled .docx itself (`docx`), so the PDF follows the office's layout (docx_html.py)."""
    from weasyprint import HTML  # loads pango: only when a PDF is asked for

    source = docx_to_html(docx) if docx is not None else html_render(kind, data)
    return HTML(string=source).write_pdf()


_UNKNOWN = re.compile(r"has no attribute '([^']+)'|'([^']+)' is undefined")


def template_check(kind: DocumentKind, content: bytes) -> None:
    """Refuse a template that is not a Word file or that uses a field the kind does not have:
    render it with sample data and report the first unknown field by name."""
    try:
        document = DocxTemplate(io.BytesIO(content))
        document.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError(_("上传的文件不是有效的 Word 文档(.docx)：%(e)s") % {"e": exc}, field="file")
    try:
        document.render(sample(kind.fields), jinja_env=jinja2.Environment(undefined=jinja2.StrictUndefined))
        document.save(io.BytesIO())
    except jinja2.UndefinedError as exc:
        match = _UNKNOWN.search(str(exc))
        name = next((g for g in match.groups() if g), str(exc)) if match else str(exc)
        raise ValidationError(_("模板中有未知字段「%(f)s」：请对照页面上的“可用字段”修改后重新上传") % {"f": name},
                              field="file")
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationError(_("模板字段写法有误(第 %(line)s 处附近)：%(e)s") % {"line": exc.lineno, "e": exc.message},
                              field="file")
    except Exception as exc:  # docxtpl raises plain errors for broken {%tr %} blocks and the like
        raise ValidationError(_("模板无法生成文书：%(e)s") % {"e": exc}, field="file")
