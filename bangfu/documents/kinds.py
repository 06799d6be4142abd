"""Document kinds: each is a Word template (docxtpl fields) plus a function that gathers its data.

One declaration per kind drives everything: the subject it is about and how that subject is found
inside the caller's scope, the fields a template may use (listed on the template page, used to check
an uploaded template and to fill a sample), the gathering function, the shipped default template
(built by python-docx, defaults.py), the HTML print template for PDF, and which personal numbers the
document's purpose needs in full. Another app adds a kind (a public notice) with `kind_register`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound, ValidationError


@dataclass(frozen=True)
class Subject:
    """What a document is about, found inside the caller's scope."""

    key: str  # as given: a household id, a region code …
    obj: Any
    county_code: str
    name: str


@dataclass(frozen=True)
class DocumentKind:
    key: str
    title: Any  # a lazy Chinese label
    subject_label: Any
    find: Callable[[Scope, str], Subject]  # the subject in scope, or NotFound
    fields: dict  # name → label, or a nested dict, or [dict] for a table's rows
    gather: Callable[..., dict]  # gather(*, scope, subject, as_of, params, personal) → data
    default_template: Callable[[], Any]  # a python-docx Document holding docxtpl fields
    html: str  # the Django template the PDF is printed from
    official: bool = False  # laid out per GB/T 9704-2012
    full_fields: frozenset = frozenset()  # personal numbers the document's purpose needs in full
    params: dict = field(default_factory=dict)  # option name → (label, parser)
    batch: bool = False  # may be generated for every household of a region as one zip
    # gather_many(*, scope, subjects, as_of, params, personal) → {subject key: data}: the same data
    # as gather gives one by one, read set-wise for a batch (required when batch is set)
    gather_many: Callable[..., dict] | None = None
    default_version: int = 1  # bump when the shipped default template changes

    def parse_params(self, raw: dict, as_of: date) -> dict:
        parsed = {}
        for name, (label, parser) in self.params.items():
            value = (raw or {}).get(name) or ""
            try:
                parsed[name] = parser(str(value), as_of)
            except (ValueError, TypeError):
                raise ValidationError(_("%(label)s格式不正确：%(v)s") % {"label": label, "v": value}, field=name)
        return parsed


KINDS: dict[str, DocumentKind] = {}


def kind_register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.key] = kind
    return kind


def kind_get(key: str) -> DocumentKind:
    _load()
    found = KINDS.get(key)
    if found is None:
        raise NotFound(_("没有这种文书：%(k)s") % {"k": key}, field="kind")
    return found


def kinds_all() -> list[DocumentKind]:
    _load()
    return list(KINDS.values())


def _load() -> None:
    # The shipped kinds register themselves on import (kept out of module import time: they import
    # selectors of several apps).
    from bangfu.documents import households, reports  # noqa: F401
    from bangfu.documents import notices  # noqa: F401  (public notices of any procedure)
    from bangfu.documents import people, summaries, workplan  # noqa: F401
    from bangfu.documents import quality  # noqa: F401  (三率一度 and the township summary)


def sample(fields: dict) -> dict:
    """Data shaped like `fields`, each value its label: checks an uploaded template, fills a preview."""
    out = {}
    for name, spec in fields.items():
        if isinstance(spec, list):
            out[name] = [sample({"_": spec[0]})["_"]] if isinstance(spec[0], list) else [sample(spec[0])]
        elif isinstance(spec, dict):
            out[name] = sample(spec)
        else:
            out[name] = str(spec)
    return out


def field_list(fields: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(Jinja path, label) of every field, for the template page: household.number, members[].name …"""
    rows = []
    for name, spec in fields.items():
        if isinstance(spec, list):
            inner = spec[0][0] if isinstance(spec[0], list) else spec[0]
            rows += field_list(inner, f"{prefix}{name}[]{'[]' if isinstance(spec[0], list) else ''}.")
        elif isinstance(spec, dict):
            rows += field_list(spec, f"{prefix}{name}.")
        else:
            rows.append((f"{prefix}{name}", str(spec)))
    return rows


DOC_FIELDS = {"title": gettext_lazy("标题"), "as_of": gettext_lazy("数据截止日期"),
              "issuer": gettext_lazy("出具单位(生成人所在区域)")}
