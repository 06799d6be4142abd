"""An office replaces a kind's template with an edited Word file, gets its layout, and can revert."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as Docx

from bangfu.accounts.roles import Role
from bangfu.documents.models import Document, DocumentTemplate
from bangfu.documents.tests.conftest import user
from bangfu.documents.tests.test_households import docx_text, generate, pdf_text
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def edited(content: bytes, *, extra: str | None = None) -> bytes:
    """The template as an office edits it in Word: a new heading first, the household number moved
    from the subtitle to the end, and optionally one more paragraph."""
    doc = Docx(io.BytesIO(content))
    subtitle = next(p for p in doc.paragraphs if "{{ household.number }}" in p.text)
    subtitle._p.getparent().remove(subtitle._p)
    doc.paragraphs[0].insert_paragraph_before("长安镇帮扶手册（2025年修订）")
    doc.add_paragraph("本户编号：{{ household.number }}")
    if extra:
        doc.add_paragraph(extra)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload(client, kind: str, content: bytes):
    return client.post(reverse("documents:template_upload", args=[kind]),
                       {"file": SimpleUploadedFile("手册.docx", content)}, follow=True)


def test_an_edited_template_gives_documents_in_the_new_layout(client, world):
    office = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    default = client.get(reverse("documents:template_download", args=["booklet"])).content
    response = upload(client, "booklet", edited(default))
    assert "已启用新模板(版本 1)" in response.content.decode()
    household = world["household"]
    result = generate(client, "booklet", household.pk)
    text = docx_text(result.content)
    assert text.startswith("长安镇帮扶手册（2025年修订）\n帮扶手册")
    assert f"本户编号：{household.number}" in text and text.index(household.number) > text.index("签字")
    assert f"户编号：{household.number}" not in text.replace("本户编号", "")
    record = Document.objects.get(pk=result["X-Bangfu-Document"])
    assert record.template.version == 1 and record.template_version == "450224100-v1"
    # the PDF follows the office's layout too: printed from the filled Word file
    pdf = pdf_text(generate(client, "booklet", household.pk, fmt="pdf").content)
    flat = "".join(pdf.split())
    assert flat.startswith("长安镇帮扶手册（2025年修订）帮扶手册")
    assert f"本户编号：{household.number}" in flat and flat.index(f"本户编号：{household.number}") > flat.index("签字")
    assert "139****5678" in flat and "覃帮扶" in flat
    # the county and the other township keep the default
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    other = world["households"][2]
    assert "修订" not in docx_text(generate(client, "booklet", other.pk).content)
    # back to the default: a new version, and the old document still regenerates in its own layout
    client.force_login(office)
    client.post(reverse("documents:template_revert", args=["booklet"]))
    assert "修订" not in docx_text(generate(client, "booklet", household.pk).content)
    again = client.post(reverse("documents:regenerate", args=[record.pk]))
    assert again.content == result.content and again["X-Bangfu-Same-Data"] == "1"
    assert list(DocumentTemplate.objects.values_list("version", flat=True).order_by("version")) == [1, 2]


def test_a_template_with_an_unknown_field_is_refused_by_name(client, world):
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    default = client.get(reverse("documents:template_download", args=["booklet"])).content
    response = upload(client, "booklet", edited(default, extra="户主电话：{{ household.mobile }}"))
    assert "模板中有未知字段「mobile」" in response.content.decode()
    response = upload(client, "booklet", b"not a word file")
    assert "不是有效的 Word 文档" in response.content.decode()
    response = upload(client, "booklet", edited(default, extra="{{ household.number "))
    assert "模板字段写法有误" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_only_offices_replace_templates(client, world):
    client.force_login(user(Role.VILLAGE_TEAM, region=world["household"].region_id))
    default = client.get(reverse("documents:template_download", args=["booklet"])).content
    assert default[:2] == b"PK"
    assert upload(client, "booklet", default).status_code == 403
    assert client.post(reverse("documents:template_revert", args=["booklet"])).status_code == 403
    page = client.get(reverse("documents:templates"))
    assert page.status_code == 200 and "上传并启用" not in page.content.decode() and "household.number" in page.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_the_documents_page_offers_what_the_role_may_do(client, world):
    client.force_login(user(Role.HELPER, region=world["household"].region_id))
    html = client.get(reverse("documents:index")).content.decode()
    for title in ("帮扶手册", "明白卡/联系卡", "驻村工作队月报", "年度工作总结", "学校结对学期总结"):
        assert title in html
    assert "后台批量生成" not in html and "含完整个人信息" not in html and "更换文书模板" not in html
    client.force_login(user())
    html = client.get(reverse("documents:index")).content.decode()
    assert "后台批量生成" in html and "含完整个人信息" in html and "更换文书模板" in html
    assert client.get(reverse("documents:index")).status_code == 200
    client.logout()
    assert client.get(reverse("documents:index")).status_code == 302
    assert client.post(reverse("documents:generate", args=["booklet"])).status_code == 302
    assert client.get("/api/v1/documents/kinds").status_code == 401
