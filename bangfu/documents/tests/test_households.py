"""帮扶手册 and 明白卡: Word and PDF, the household page's figures, scope and masking."""

import io

import pytest
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from bangfu.accounts.roles import Role
from bangfu.documents.models import Document
from bangfu.documents.tests.conftest import AS_OF, user
from bangfu.privacy.models import FullRead
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(dict.fromkeys(c.text for c in row.cells)))
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def generate(client, kind, subject, fmt="docx", **extra):
    return client.post(reverse("documents:generate", args=[kind]),
                       {"subject": subject, "as_of": AS_OF.isoformat(), "format": fmt, **extra})


def test_it_prints_the_booklet_with_the_household_pages_figures(client, world):
    client.force_login(user())
    household = world["household"]
    page = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert "打印帮扶手册" in page.content.decode()
    response = generate(client, "booklet", household.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    shown = page.context["household"]
    members = list(page.context["members"])
    assert f"户编号：{household.number}" in text
    assert f"{shown.income_per_capita:.2f}" in text and "12000.00" in text  # income by year
    assert all(m["name"] in text for m in members) and f"{len(members)}人" in text
    assert "覃帮扶" in text and "共\n3\n次" not in text and "共3次。" in text
    assert "走访了解家庭情况" in text and "签字" in text
    # numbers masked for everyone unless a full print is asked for
    assert "139****5678" in text and "138****1234" in text
    first = members[0]["person"]  # a line of the members table (registry.display.member_lines)
    assert first.id_number not in text and first.id_number[:6] + "********" in text

    pdf = generate(client, "booklet", household.pk, fmt="pdf")
    assert pdf.content[:4] == b"%PDF"
    text = pdf_text(pdf.content)
    assert household.number in text and "覃帮扶" in text and f"{shown.income_per_capita:.2f}" in text
    assert "139****5678" in text


def test_a_full_booklet_is_logged_and_refused_to_roles_without_full_rights(client, world):
    household = world["household"]
    member = household.members.order_by("pk").first()
    client.force_login(user())
    text = docx_text(generate(client, "booklet", household.pk, full="1").content)
    assert member.id_number in text and "13912345678" in text
    reads = FullRead.objects.filter(channel="document")
    assert reads.filter(record_type="registry.person", record_id=member.pk, field="id_number").exists()
    assert reads.filter(record_type="registry.household", field="phone").count() == 1
    team = user(Role.VILLAGE_TEAM, region=household.region_id)
    client.force_login(team)
    assert generate(client, "booklet", household.pk, full="1").status_code == 403
    masked = docx_text(generate(client, "booklet", household.pk).content)
    assert member.id_number not in masked and "139****5678" in masked
    assert not FullRead.objects.filter(user=team).exists()


def test_another_townships_household_is_not_found(client, world):
    other = world["households"][2]  # in 浮石镇
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert generate(client, "booklet", other.pk).status_code == 404
    assert generate(client, "card", other.pk).status_code == 404
    assert generate(client, "card", TOWNSHIP_B).status_code == 404
    assert not Document.objects.exists()


def test_cards_print_four_to_a_page_for_a_village(client, world):
    household = world["household"]
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    response = generate(client, "card", household.region_id)
    assert response.status_code == 200
    text = docx_text(response.content)
    assert text.count("帮扶明白卡") == 2 and "覃帮扶" in text and "138****1234" in text
    pdf = generate(client, "card", household.pk, fmt="pdf")
    text = pdf_text(pdf.content)
    assert "帮扶明白卡" in text and household.number in text and "138****1234" in text


def test_the_same_document_again_is_the_same_file(client, world):
    household = world["household"]
    client.force_login(user())
    first = generate(client, "booklet", household.pk)
    again = generate(client, "booklet", household.pk)
    assert first.content == again.content
    record = Document.objects.get(pk=first["X-Bangfu-Document"])
    assert record.as_of == AS_OF and record.template_version == "默认-v1" and record.scope_prefix == "450224"
    regenerated = client.post(reverse("documents:regenerate", args=[record.pk]))
    assert regenerated.content == first.content and regenerated["X-Bangfu-Same-Data"] == "1"
    pdf1, pdf2 = generate(client, "booklet", household.pk, fmt="pdf"), generate(client, "booklet", household.pk, fmt="pdf")
    assert pdf1.content == pdf2.content


@pytest.mark.parametrize("role", [Role.COUNTY_OFFICE, Role.TOWNSHIP_OFFICE, Role.VILLAGE_TEAM, Role.HELPER,
                                  Role.SCHOOL_ADMIN, Role.INSPECTOR])
def test_no_role_prints_what_is_outside_its_scope(client, world, role):
    home = world["household"]
    region = {Role.COUNTY_OFFICE: "450223000000"}.get(role, home.region_id)  # a county office of 鹿寨县
    client.force_login(user(role, region=region))
    for kind, subject in (("booklet", world["households"][2].pk), ("card", world["households"][2].pk),
                          ("year_summary", TOWNSHIP_B)):
        assert generate(client, kind, subject, year="2025").status_code == 404
    body = {"kind": "booklet", "subject": str(world["households"][2].pk), "as_of": "2025-03-31"}
    assert client.post("/api/v1/documents", body, content_type="application/json").status_code == 404
    if role == Role.SCHOOL_ADMIN:  # works with its school, never with households
        assert generate(client, "booklet", home.pk).status_code == 404
    assert not Document.objects.exists()


def test_a_document_is_chinese_and_the_same_whatever_the_pages_language(client, world):
    household = world["household"]
    client.force_login(user())
    chinese = generate(client, "booklet", household.pk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english_page = generate(client, "booklet", household.pk)
    assert english_page["X-Bangfu-Data-Sha256"] == chinese["X-Bangfu-Data-Sha256"]
    assert english_page.content == chinese.content and "未脱贫" in docx_text(english_page.content)
