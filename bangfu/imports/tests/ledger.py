"""A township's 建档立卡 member ledger as the offices write it, made in code (no binary in the repository).

Sixty members of fifteen households of 融安县 under two title rows: a 序号 column, 县 and 乡镇 beside
行政村, every relationship of the 建档立卡 list (with and without 之) and the common variants, 致贫原因
cells with several causes, one 低保/五保 column, 是否在校生, names padded with full-width spaces, four
ways of writing a date, a column the system has no header for (家庭详细住址(门牌)), and — with
`errors=True` — one deliberate error of each kind the importer checks for a county office's member
register (`ledger.expected`: sheet row → kinds). Written as GB18030 CSV or as .xlsx with merged titles.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from bangfu.privacy import id_numbers

TITLE_ROWS = ("融安县2026年建档立卡脱贫户家庭成员信息表", "填报单位：融安县乡村振兴局　　　填报日期：2026年11月30日")
HEADERS = ["序号", "县", "乡镇", "行政村", "户编号", "姓名", "性别", "身份证号", "与户主关系", "民族", "出生日期", "文化程度",
           "是否在校生", "健康状况", "劳动能力", "致贫原因", "低保/五保", "脱贫状态", "识别时间", "脱贫时间", "联系电话",
           "一卡通账号", "工资性收入", "家庭详细住址(门牌)"]
FIRST_ROW = len(TITLE_ROWS) + 2  # the sheet row of 序号 1
UNMAPPED = "家庭详细住址(门牌)"

# What each relationship spelling is stored as (written out here, not taken from the importer's table).
RELATIONS = {
    "户主": "head", "配偶": "spouse", "之子": "child", "之女": "child", "之儿媳": "child_in_law", "之女婿": "child_in_law",
    "之孙子": "grandchild", "之孙女": "grandchild", "之外孙子": "grandchild", "之外孙女": "grandchild", "之父": "parent",
    "之母": "parent", "之岳父": "parent_in_law", "之岳母": "parent_in_law", "之公公": "parent_in_law",
    "之婆婆": "parent_in_law", "之祖父": "grandparent", "之祖母": "grandparent", "之兄弟姐妹": "sibling",
    "之曾孙子女": "great_grandchild", "其他": "other",
    # without the 之
    "子": "child", "女": "child", "女婿": "child_in_law", "外孙女": "grandchild", "岳父": "parent_in_law",
    "婆婆": "parent_in_law", "祖母": "grandparent", "兄弟姐妹": "sibling", "曾孙子女": "great_grandchild",
    # the common variants
    "儿子": "child", "女儿": "child", "儿媳": "child_in_law", "孙子": "grandchild", "父亲": "parent", "母亲": "parent",
    "妻": "spouse", "夫": "spouse",
}
_NON_HEAD = [r for r in RELATIONS if r != "户主"]
_FEMALE = ("女", "母", "妻", "婆", "媳", "祖母")
# (age at 2026 relative to the head: older +, younger -)
_AGE = {"spouse": -2, "child": -25, "child_in_law": -24, "grandchild": -45, "parent": 24, "parent_in_law": 22,
        "grandparent": 40, "sibling": -3, "great_grandchild": -62, "other": -10}
VILLAGES = [("长安镇", "大巷村", "450224100201"), ("长安镇", "大洲村", "450224100202"), ("浮石镇", "浮石村", "450224101201")]
SURNAMES = "覃韦莫黄梁蓝罗潘吴杨廖龙石贾钟"
GIVEN = ["志强", "秀兰", "建国", "丽华", "明", "小红", "海燕", "国庆", "春梅", "德明", "桂英", "永福", "玉兰", "文", "金凤", "成"]
CAUSES = ["因病、缺劳力", "因学，缺资金", "因残；缺技术", "缺劳力 因病", "因病", "因学/因病/缺资金"]
CAUSE_CODES = {"因病、缺劳力": ("illness", "labour"), "因学，缺资金": ("schooling", "capital"),
               "因残；缺技术": ("disability", "skills"), "缺劳力 因病": ("labour", "illness"), "因病": ("illness",),
               "因学/因病/缺资金": ("schooling", "illness", "capital")}
ASSISTANCE = {"低保": (True, False), "五保": (False, True), "低保、五保": (True, True), "否": (False, False),
              "": (False, False)}
DATE_FORMS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}.{m:02d}.{d:02d}")


@dataclass
class Member:
    household: str
    village: tuple[str, str, str]
    name: str
    relation: str
    gender: str
    born: date
    id_number: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Ledger:
    members: list[Member]
    rows: list[list[str]]  # the data rows, in HEADERS order
    expected: dict[int, set[str]]  # sheet row → the kinds of error it must get (empty without errors)

    def csv(self, name: str = "成员信息表.csv") -> io.BytesIO:
        """As Chinese Excel saves "CSV (逗号分隔)": GB18030, CRLF, the title rows padded with commas."""
        width = len(HEADERS)
        lines = [title + "," * (width - 1) for title in TITLE_ROWS] + [",".join(HEADERS)]
        lines += [",".join(_quoted(v) for v in row) for row in self.rows]
        fh = io.BytesIO(("\r\n".join(lines) + "\r\n").encode("gb18030"))
        fh.name = name
        return fh

    def xlsx(self, name: str = "成员信息表.xlsx") -> io.BytesIO:
        """The same rows in a workbook: merged title rows, ISO dates as real date cells, the rest as text."""
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet("成员信息")
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for r, title in enumerate(TITLE_ROWS):
            sheet.merge_range(r, 0, r, len(HEADERS) - 1, title)
        sheet.write_row(len(TITLE_ROWS), 0, HEADERS)
        for r, row in enumerate(self.rows, start=len(TITLE_ROWS) + 1):
            for c, value in enumerate(row):
                try:
                    when = datetime.strptime(value, "%Y-%m-%d") if len(value) == 10 and value[4] == "-" else None
                except ValueError:
                    when = None
                if when is not None:
                    sheet.write_datetime(r, c, when, day)
                else:
                    sheet.write_string(r, c, value)
        book.close()
        buffer.name = name
        buffer.seek(0)
        return buffer


def _quoted(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def _date(born: date, form: int) -> str:
    return DATE_FORMS[form % len(DATE_FORMS)].format(y=born.year, m=born.month, d=born.day)


def member_ledger(*, errors: bool, registered_id: str = "") -> Ledger:
    """The ledger; with `errors`, one deliberate error of each kind (`registered_id`: an ID number
    registered in another household beforehand, for the registry duplicate)."""
    members: list[Member] = []
    relations = iter(_NON_HEAD * 2)
    seq = 0
    for h in range(15):
        village = VILLAGES[h % len(VILLAGES)]
        number = f"RA{h + 1:04d}"
        head_born = date(1950 + h, 1 + h % 12, 3 + h)
        for m in range(4):
            relation = "户主" if m == 0 else next(relations)
            code = RELATIONS[relation]
            gender = ("female" if any(k in relation for k in _FEMALE) and relation != "女婿" else
                      "male" if m == 0 or relation in ("夫", "女婿", "之女婿") else ("male", "female")[m % 2])
            # Nobody born after 2020: the ledger is valid whatever day the tests run.
            born = date(min(2020, head_born.year - _AGE.get(code, 0)), head_born.month, min(28, head_born.day + m))
            seq += 1
            name = SURNAMES[h] + GIVEN[(h + m * 5) % len(GIVEN)]
            members.append(Member(number, village, name, relation, gender, born,
                                  id_numbers.make("450224", born, 100 + seq, gender)))
    members[5].name = "王　芳"  # padded to line up with three-character names
    members[9].name = "莫 小 红"
    rows = []
    for i, person in enumerate(members):
        h = int(person.household[2:]) - 1
        township, village, _code = person.village
        head = person.relation == "户主"
        age_2026 = 2026 - person.born.year
        cause = CAUSES[h % len(CAUSES)]
        exited = h % 3 == 0
        cells = {
            "序号": str(i + 1), "县": "融安县" if i % 2 else "融安", "乡镇": township if i % 3 else township[:-1],
            "行政村": village, "户编号": person.household, "姓名": person.name,
            "性别": "男" if person.gender == "male" else "女", "身份证号": person.id_number, "与户主关系": person.relation,
            "民族": ("壮族", "汉族", "苗族", "仫佬")[i % 4], "出生日期": _date(person.born, i),
            "文化程度": "小学" if age_2026 > 20 else "初中", "是否在校生": "是" if 6 <= age_2026 <= 18 else ("否" if i % 2 else ""),
            "健康状况": ("健康", "长期慢性病")[i % 2], "劳动能力": ("有劳动能力", "弱劳动力", "无劳动力")[i % 3],
            # household columns, on every member's row as the offices fill them
            "致贫原因": cause, "低保/五保": list(ASSISTANCE)[h % len(ASSISTANCE)], "脱贫状态": "已脱贫" if exited else "未脱贫",
            "识别时间": _date(date(2016, 9, 1 + h % 20), h), "脱贫时间": _date(date(2019, 12, 1 + h), h + 1) if exited else "",
            "联系电话": f"139 0772 {1000 + h:04d}" if head else "", "一卡通账号": f"622848000000000{1000 + h:04d}" if head else "",
            "工资性收入": f"{12000 + h * 100:,}" if head else "", UNMAPPED: f"{village}{h + 1}组{i + 1}号",
        }
        person.cells = cells
        rows.append(cells)
    expected: dict[int, set[str]] = {}
    if errors:
        expected = _errors(members, rows, registered_id)
    return Ledger(members, [[r[h] for h in HEADERS] for r in rows], expected)


def _same_person(row: dict, id_number: str) -> None:
    """The row takes another person's ID number, with its birth date and gender."""
    parsed = id_numbers.parse(id_number)
    row["身份证号"] = id_number
    row["出生日期"] = parsed.birth_date.isoformat()
    row["性别"] = "男" if parsed.gender == "male" else "女"


def _errors(members: list[Member], rows: list[dict], registered_id: str) -> dict[int, set[str]]:
    """One error of each kind, each in its own row but for the two that test the checks across rows
    on a row refused for another cell. Returns sheet row → kinds."""
    expected: dict[int, set[str]] = {}

    def bad(index: int, kind: str, header: str, value: str) -> None:
        rows[index][header] = value
        expected.setdefault(FIRST_ROW + index, set()).add(kind)

    def member(index: int) -> int:  # a row that is not the head's
        assert members[index].relation != "户主"
        return index

    bad(member(1), "required", "姓名", "")
    bad(member(2), "too_long", "姓名", "覃" * 41)
    bad(member(3), "id_format", "身份证号", members[3].id_number[:17])
    original = members[6].id_number
    bad(member(6), "id_birth", "身份证号", original[:10] + "1345" + original[14:])
    original = members[7].id_number
    bad(member(7), "id_check", "身份证号", original[:17] + ("0" if original[17] != "0" else "1"))
    born = members[10].born
    bad(member(10), "birth_mismatch", "出生日期", f"{born.year}-{born.month:02d}-{born.day + 1:02d}")
    bad(member(11), "gender_mismatch", "性别", "女" if rows[11]["性别"] == "男" else "男")
    bad(member(13), "date", "出生日期", f"{members[13].born.year}-02-30")
    bad(member(14), "choice", "健康状况", "很好")
    bad(member(15), "bool", "是否在校生", "在读")
    bad(16, "number", "工资性收入", "一万二")  # a head's row: household values come from it
    # The head of RA0006 has a bad phone: her household still has its head (no false "0 名户主").
    bad(20, "phone", "联系电话", "1390772")
    bad(member(18), "region_unknown", "行政村", "幸福村")
    bad(member(25), "region_scope", "行政村", "450203001001")
    bad(24, "rule", "脱贫时间", "")  # RA0007 is 已脱贫: its date is required
    bad(member(26), "region_mismatch", "乡镇", "浮石镇")
    # The same ID number in two households, the second row also refused for its bank account.
    _same_person(rows[member(33)], rows[member(29)]["身份证号"])
    bad(33, "duplicate_file", "身份证号", rows[33]["身份证号"])
    bad(33, "bank_account", "一卡通账号", "62284800")
    if registered_id:
        _same_person(rows[member(34)], registered_id)
        expected.setdefault(FIRST_ROW + 34, set()).add("duplicate_registry")
    # RA0010 (大巷村): one member written in 大洲村.
    bad(member(37), "household", "行政村", "大洲村")
    # RA0012: a second 户主 (the error is on the household's first row).
    rows[member(45)]["与户主关系"] = "户主"
    expected.setdefault(FIRST_ROW + 44, set()).add("head")
    return expected
