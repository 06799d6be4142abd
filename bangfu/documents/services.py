"""Generating documents and replacing their templates: the one path for pages, API, CLI and batches.

A document is generated inside the caller's scope (the kind's `find` uses the same selectors as the
pages: a subject outside the scope is not found). Personal numbers are masked unless the caller asks
for them in full, the role may see them (`see_personal_data`) AND the kind's purpose needs them
(`full_fields`); then each value printed is logged as a FullRead (channel "document").
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.accounts.roles import DOCUMENT_TEMPLATE_ROLES
from bangfu.documents import rendering
from bangfu.documents.kinds import DocumentKind, Subject, kind_get
from bangfu.documents.models import Document, DocumentTemplate
from bangfu.documents.selectors import template_current
from bangfu.errors import PermissionDenied, ValidationError
from bangfu.privacy.masking import MASKS
from bangfu.privacy.services import PersonalValues

logger = logging.getLogger(__name__)
FORMATS = ("docx", "pdf")
# Documents are Chinese papers, whatever language the page is in: their labels (户状态, 与户主关系 …)
# are filled in Chinese, and the same data give the same hash for every user.
DOCUMENT_LANGUAGE = "zh-hans"


class DocumentPersonal:
    """Personal numbers as a document prints them: in full only for the kind's `full_fields` when the
    generation is a full one (each value logged), masked otherwise."""

    def __init__(self, *, user, full: bool, kind: DocumentKind):
        if full and not kind.full_fields:
            raise ValidationError(_("“%(k)s”不含需要完整显示的个人信息") % {"k": kind.title}, field="full")
        if full and not (user is not None and user.role_rules.see_personal_data):
            raise PermissionDenied(_("您的角色无权在文书中使用完整个人信息"))
        self.values = PersonalValues(user=user, full=full, channel="document")
        self.fields = kind.full_fields

    def value(self, record, field: str) -> str:
        if field in self.fields:
            return self.values.value(record, field)
        return MASKS[field](getattr(record, field))

    def flush(self) -> None:
        self.values.flush()


def _format(fmt: str) -> str:
    fmt = (fmt or "docx").lower()
    if fmt not in FORMATS:
        raise ValidationError(_("文书格式只能是 docx 或 pdf，收到的是 %(f)s") % {"f": fmt}, field="format")
    return fmt


def _template_bytes(kind: DocumentKind, template: DocumentTemplate | None) -> tuple[bytes, str]:
    if template is None or template.is_default:
        return rendering.default_template(kind.key), f"默认-v{kind.default_version}"
    with template.file.open("rb") as fh:
        return fh.read(), template.label


@dataclass
class Generated:
    record: Document
    content: bytes
    filename: str
    content_type: str
    data: dict
    personal: "DocumentPersonal | None" = None
    subject: Subject | None = None


def document_data(*, user, kind: DocumentKind, subject_key: str, as_of: date, params: dict | None = None,
                  full: bool = False) -> tuple[Subject, dict, dict, DocumentPersonal]:
    """The subject (found in the user's scope), the parsed options and the data a document is filled with."""
    scope = user.scope
    subject = kind.find(scope, str(subject_key))
    parsed = kind.parse_params(params or {}, as_of)
    personal = DocumentPersonal(user=user, full=full, kind=kind)
    with translation.override(DOCUMENT_LANGUAGE):
        data = kind.gather(scope=scope, subject=subject, as_of=as_of, params=parsed, personal=personal)
    return subject, parsed, data, personal


def document_fill(*, user, kind: DocumentKind, subject: Subject, data: dict, personal: DocumentPersonal,
                  as_of: date, fmt: str, parsed: dict, full: bool, template: DocumentTemplate | None,
                  template_content: bytes, version: str) -> Generated:
    """Fill the template with gathered data and describe the result (an unsaved Document)."""
    replaced = template is not None and not template.is_default
    if fmt == "docx":
        content = rendering.docx_render(template_content, data)
    elif replaced:  # the office's layout: the PDF printed from its filled Word file
        content = rendering.pdf_render(kind, data, docx=rendering.docx_render(template_content, data))
    else:
        content = rendering.pdf_render(kind, data)
    record = Document(
        kind=kind.key, subject=subject.key, title=data["doc"]["title"][:200], county_code=subject.county_code,
        scope_prefix=user.scope.prefix, as_of=as_of, params={k: v.isoformat() if isinstance(v, date) else v for k, v in parsed.items() if v not in (None, "")},
        format=fmt, full=full, template=template if template is not None and not template.is_default else None,
        template_version=version, data_sha256=rendering.data_hash(data),
        file_sha256=hashlib.sha256(content).hexdigest(), created_by=user)
    filename = f"{kind.title}-{subject.name}-{as_of:%Y%m%d}.{fmt}"
    return Generated(record=record, content=content, filename=filename, content_type=rendering.CONTENT_TYPES[fmt],
                     data=data, personal=personal, subject=subject)


def document_generate(*, user, kind: str, subject: str, as_of: date, fmt: str = "docx", params: dict | None = None,
                      full: bool = False, template: DocumentTemplate | None = None, use_current: bool = True
                      ) -> Generated:
    """Fill `kind` for `subject` as of `as_of` with the template the user's office uses (or `template`)
    and record it (Document). Refused outside the scope (404) and for full numbers a role may not see (403)."""
    found = kind_get(kind)
    fmt = _format(fmt)
    if as_of is None:
        raise ValidationError(_("请填写数据截止日期"), field="as_of")
    if use_current:
        template = template_current(kind=found.key, prefix=user.scope.prefix)
    template_content, version = _template_bytes(found, template)
    subject_obj, parsed, data, personal = document_data(user=user, kind=found, subject_key=subject, as_of=as_of,
                                                        params=params, full=full)
    made = document_fill(user=user, kind=found, subject=subject_obj, data=data, personal=personal, as_of=as_of,
                         fmt=fmt, parsed=parsed, full=full, template=template, template_content=template_content,
                         version=version)
    with transaction.atomic():
        made.personal.flush()
        made.record.save()
    return made


def document_regenerate(*, user, document: Document) -> tuple[Generated, bool]:
    """The same document again: same kind, subject, date, options and template version. Whether its
    data are still the same (the data hash) says if the registry changed since."""
    template = document.template if document.template_id else None
    again = document_generate(user=user, kind=document.kind, subject=document.subject, as_of=document.as_of,
                              fmt=document.format, params=document.params, full=document.full, template=template,
                              use_current=False)
    return again, again.record.data_sha256 == document.data_sha256


# Templates ----------------------------------------------------------------------------------


def template_manage_check(user) -> None:
    if user.role not in DOCUMENT_TEMPLATE_ROLES:
        raise PermissionDenied(_("您的角色不能更换文书模板"))
    if not user.region_id:
        raise PermissionDenied(_("请以有管辖区域的账号更换文书模板"))


def _next_version(kind: str, region_id: str) -> int:
    return (DocumentTemplate.objects.filter(kind=kind, region_id=region_id).aggregate(v=Max("version"))["v"] or 0) + 1


@transaction.atomic
def template_upload(*, user, kind: str, content: bytes, name: str) -> DocumentTemplate:
    """A new version of `kind`'s template for the user's region, accepted only if it renders."""
    template_manage_check(user)
    found = kind_get(kind)
    if not content:
        raise ValidationError(_("请选择要上传的 Word 文件(.docx)"), field="file")
    if len(content) > 10 * 1024 * 1024:
        raise ValidationError(_("模板文件不能超过 10 MB"), field="file")
    rendering.template_check(found, content)
    template = DocumentTemplate(kind=found.key, region_id=user.region_id, version=_next_version(found.key, user.region_id),
                                name=name[:120], sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user)
    template.file.save(f"{found.key}.docx", ContentFile(content), save=False)
    template.save()
    return template


@transaction.atomic
def template_revert(*, user, kind: str) -> DocumentTemplate:
    """Back to the shipped default for the user's region: a new version without a file."""
    template_manage_check(user)
    found = kind_get(kind)
    return DocumentTemplate.objects.create(kind=found.key, region_id=user.region_id,
                                           version=_next_version(found.key, user.region_id), uploaded_by=user)


def template_content(*, user, kind: str) -> tuple[bytes, str]:
    """The .docx the user's office uses now (to download, edit and upload again)."""
    found = kind_get(kind)
    content, version = _template_bytes(found, template_current(kind=found.key, prefix=user.scope.prefix))
    return content, f"{found.title}-模板-{version}.docx"
