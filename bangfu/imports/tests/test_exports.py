import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.imports.exports import safe_cell
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db


def test_it_exports_the_filtered_list_masked_and_in_scope(client, regions):
    mine = make_household(township=TOWNSHIP_A, address="=HYPERLINK(1)")
    other = make_household(township=TOWNSHIP_B)
    exited = make_household(township=TOWNSHIP_A, status="exited", exited_on="2020-01-01")
    user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(user)
    response = client.get(reverse("imports:export", args=["households"]), {"format": "csv", "status": "poor"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [mine.number] and other.number not in text and exited.number not in text
    assert mine.head.id_number not in text and mine.head.id_number[-4:] in rows[1][3]

    response = client.get(reverse("imports:export", args=["persons"]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "姓名" and len(rows) == 1 + 4
    assert all("*" in r[1] for r in rows[1:])


def test_it_escapes_formulas():
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x" and safe_cell("-2") == "'-2"
    assert safe_cell("覃") == "覃" and safe_cell(12) == 12


def test_the_export_command_writes_csv(regions, tmp_path):
    household = make_household()
    user = make_user(Role.COUNTY_OFFICE)
    out = tmp_path / "h.csv"
    call_command("export", "households", "--user", user.username, "-o", str(out), "--filter", f"q={household.number}")
    assert household.number in out.read_text(encoding="utf-8-sig")
