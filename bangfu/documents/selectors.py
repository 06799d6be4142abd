"""Reads of document templates and generated documents."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.documents.models import Document, DocumentTemplate
from bangfu.errors import NotFound
from bangfu.regions.models import pad


def _ancestors(prefix: str) -> list[str]:
    return [pad(prefix[:n]) for n in (2, 4, 6, 9, 12) if len(prefix) >= n]


def template_current(*, kind: str, prefix: str) -> DocumentTemplate | None:
    """The template the offices of region `prefix` use for `kind`: the newest version uploaded for the
    nearest region at or above theirs; None (or a revert row, without a file) means the shipped default."""
    rows = list(DocumentTemplate.objects.filter(kind=kind, region_id__in=_ancestors(prefix))
                .select_related("region").order_by("-version"))
    if not rows:
        return None
    return max(rows, key=lambda t: (len(t.region.prefix), t.version))


def template_versions(*, kind: str, region_id: str | None) -> QuerySet[DocumentTemplate]:
    return (DocumentTemplate.objects.filter(kind=kind, region_id=region_id).select_related("uploaded_by")
            .order_by("-version"))


def document_list(*, user, limit: int = 50) -> list[Document]:
    """One's own generated documents, newest first."""
    return list(Document.objects.filter(created_by=user).select_related("template").order_by("-created_at", "-pk")[:limit])


def document_get(*, user, pk: int) -> Document:
    document = Document.objects.filter(pk=pk, created_by=user).select_related("template").first()
    if document is None:
        raise NotFound(_("文书记录不存在"))
    return document
