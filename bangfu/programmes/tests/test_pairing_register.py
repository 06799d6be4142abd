"""Bulk pairing by upload (帮扶结对名册): the template, a dry run whose errors name row and column,
an error report with the bad cells marked, and an import that pairs every row or none — through
the programme's pages and the API, with the pairing services' checks (capacity, scope)."""

import io
from datetime import date

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.programmes import services
from bangfu.programmes.models import Pairing
from bangfu.programmes.tests.factories import make_person, make_programme, make_school
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db
HEADERS = ["序号", "帮扶项目", "帮扶人身份证号", "帮扶人姓名", "帮扶人单位", "帮扶角色", "户编号", "帮扶对象身份证号", "结对日期"]


def workbook(rows: list[list[str]]) -> io.BytesIO:
    """A register as offices send it: a merged title row above the headers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "2025年干部结对帮扶名册")
    sheet.write_row(1, 0, HEADERS)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            sheet.write_string(i, j, value)
    book.close()
    buffer.seek(0)
    buffer.name = "结对名册.xlsx"
    return buffer


def read_xlsx(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def setup(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = make_programme(name="2025年干部结对帮扶")
    services.capacity_rule_set(scope=ADMIN_SCOPE, by=None, programme=programme, helper_rank="", max_targets=2)
    bureau = make_school(name="融安县财政局", kind="government")
    chief = make_person(name="覃建国", rank="section", region=TOWNSHIP_A)
    clerk = make_person(name="韦小红", region=TOWNSHIP_A, organization=bureau)
    households = [make_household(members=1) for _ in range(4)]
    far = make_household(township=TOWNSHIP_B, members=1)
    return {"client": client, "programme": programme, "chief": chief, "clerk": clerk, "households": households,
            "far": far}


def good_rows(s) -> list[list[str]]:
    h = s["households"]
    head_id = h[3].head.id_number
    return [
        ["1", "2025年干部结对帮扶", s["chief"].id_number, "", "", "第一帮扶责任人", h[0].number, "", "2025-03-01"],
        ["2", "", "", "韦小红", "融安县财政局", "", h[1].number, "", "2025/3/1"],
        ["3", "", s["chief"].id_number, "", "", "", "", head_id, "2025年3月5日"],  # the household by its head's ID
    ]


def test_the_template_has_the_headers_an_example_and_notes(setup):
    for url in ("/programmes/pairing-register-template.xlsx", "/api/v1/pairing-register/template"):
        response = setup["client"].get(url)
        assert response.status_code == 200
        rows = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
        assert "帮扶人身份证号" in rows[1] and "结对日期*" in rows[1] and "2025-03-01" in rows[2]


def test_a_dry_run_names_row_and_column_and_pairs_nobody(setup):
    client, programme = setup["client"], setup["programme"]
    bad_id = setup["chief"].id_number[:17] + ("0" if setup["chief"].id_number[17] != "0" else "1")
    rows = good_rows(setup) + [
        ["4", "", bad_id, "", "", "", setup["households"][2].number, "", "2025-03-01"],  # check digit
        ["5", "", "", "韦小红", "融安县教育局", "", setup["households"][2].number, "", "2025-03-01"],  # wrong unit
        ["6", "", "", "韦小红", "融安县财政局", "", "4502249999990001", "", "2025-03-01"],  # no such household
        ["7", "", "", "韦小红", "融安县财政局", "", setup["households"][2].number, "", ""],  # no date
        ["8", "别的项目", "", "韦小红", "融安县财政局", "", setup["households"][2].number, "", "2025-03-01"],
        ["9", "", setup["chief"].id_number, "", "", "", setup["households"][2].number, "", "2025-03-01"],  # a third
    ]
    page = f"/programmes/{programme.pk}/pairings/upload/"
    response = client.post(page, {"file": workbook(rows), "dry_run": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    errors = [(e.row, e.header) for e in response.context["errors"]]
    assert errors == [(6, "帮扶人身份证号"), (7, "帮扶人姓名"), (8, "户编号"), (9, "结对日期"), (10, "帮扶项目"),
                      (11, "帮扶人身份证号")]
    assert "校验位" in html and "达到上限 2" in html and "请填写结对日期" in html
    assert not Pairing.objects.filter(programme=programme).exists()

    report = client.get(f"/programmes/{programme.pk}/pairings/upload/report/{response.context['report']}/")
    sheet = read_xlsx(b"".join(report.streaming_content))
    row_7 = next(r for r in sheet if r[0] == "7")  # the file back, its message column filled in
    assert "结对日期：请填写结对日期" in row_7[len(HEADERS)]
    # someone else cannot fetch that report
    client.force_login(make_user(Role.COUNTY_OFFICE))
    assert client.get(f"/programmes/{programme.pk}/pairings/upload/report/{response.context['report']}/"
                      ).status_code == 404


def test_a_clean_register_is_checked_then_paired_all_at_once(setup):
    client, programme = setup["client"], setup["programme"]
    page = f"/programmes/{programme.pk}/pairings/upload/"
    checked = client.post(page, {"file": workbook(good_rows(setup)), "dry_run": "on"})
    assert checked.status_code == 200 and "检查通过：3 行" in checked.content.decode()
    assert not Pairing.objects.filter(programme=programme).exists()
    done = client.post(page, {"file": workbook(good_rows(setup))})
    assert done.status_code == 302
    made = {(p.helper_person_id, p.target_household_id, p.starts_on, p.helper_role)
            for p in Pairing.objects.filter(programme=programme)}
    h = setup["households"]
    assert made == {(setup["chief"].pk, h[0].pk, date(2025, 3, 1), "第一帮扶责任人"),
                    (setup["clerk"].pk, h[1].pk, date(2025, 3, 1), ""),
                    (setup["chief"].pk, h[3].pk, date(2025, 3, 5), "")}


def test_the_api_imports_all_or_nothing_and_keeps_to_the_scope(setup, client):
    programme = setup["programme"]
    url = f"/api/v1/programmes/{programme.pk}/pairings/upload"
    far = ["9", "", setup["chief"].id_number, "", "", "", setup["far"].number, "", "2025-03-01"]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    refused = client.post(url, {"file": workbook(good_rows(setup) + [far]), "dry_run": "false"})
    assert refused.status_code == 400
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(6, "p_target_household")]  # Excel row 6: title, headers, three rows above
    assert not Pairing.objects.filter(programme=programme).exists()  # the three good rows are not kept either
    accepted = client.post(url, {"file": workbook(good_rows(setup)), "dry_run": "false"})
    assert accepted.status_code == 200 and accepted.json()["created"] == 3
    assert Pairing.objects.filter(programme=programme).count() == 3
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(url, {"file": workbook(good_rows(setup))}).status_code == 403


def test_a_file_that_is_not_a_register_is_refused_plainly(setup):
    page = f"/programmes/{setup['programme'].pk}/pairings/upload/"
    text = io.BytesIO("随便写的说明".encode())
    text.name = "说明.txt"
    response = setup["client"].post(page, {"file": text, "dry_run": "on"})
    assert response.status_code == 400 and "请上传 Excel" in response.content.decode()
    other = io.BytesIO("姓名,电话\n覃,138\n".encode())
    other.name = "通讯录.csv"
    response = setup["client"].post(page, {"file": other, "dry_run": "on"})
    assert response.status_code == 400 and "结对日期" in response.content.decode()


def test_the_command_checks_then_pairs_a_register(setup, tmp_path):
    """`bangfu pairing_register`: the same service from the command line, as the account it names."""
    from django.core.management import CommandError, call_command

    user = make_user(Role.COUNTY_OFFICE)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook(good_rows(setup)).getvalue())
    args = [str(path), "--programme", str(setup["programme"].pk), "--user", user.username]
    out = io.StringIO()
    call_command("pairing_register", *args, "--dry-run", stdout=out)
    assert "可结对 3" in out.getvalue() and not Pairing.objects.filter(programme=setup["programme"]).exists()
    call_command("pairing_register", *args, stdout=out)
    assert Pairing.objects.filter(programme=setup["programme"]).count() == 3
    with pytest.raises(CommandError, match="一个也没有结对"):  # now each row is a duplicate
        call_command("pairing_register", *args, "--report", str(tmp_path / "报告.xlsx"), stdout=out)
    assert (tmp_path / "报告.xlsx").exists()
