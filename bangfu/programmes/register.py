"""Bulk pairing by upload: the pairing register (帮扶结对名册) an office keeps in Excel.

One row per pairing: the helper by ID number, or by name and unit (or a unit alone where units
help); the target by household number, ID number or organization name; the helper's role and the
date of pairing. The file is read, its headers mapped and the error report written by the import
machinery (bangfu/imports: reading, validation.mapping_guess, report); every row is then made by
`pairing_create` — the one way a pairing is made, with its checks of kinds, scope, duplicates and
capacity — inside one transaction that is kept only when no row failed and it is not a dry run.
A dry run therefore reports exactly what the import would refuse, capacity included.
"""

import logging
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.compliance.summary import summary_deferred
from bangfu.errors import BangfuError, NotFound, ValidationError
from bangfu.imports.blanks import register_template
from bangfu.imports.models import ImportJob, ImportStatus
from bangfu.imports.reading import Sheet, detect_format, sheet_batches, sheet_open
from bangfu.imports.services import import_job_checked
from bangfu.imports.uploads import file_check, upload_check
from bangfu.jobs import job_running
from bangfu.imports.registers import Column, Register, normalize_text
from bangfu.imports.report import report_write
from bangfu.imports.validation import DATE_FORMATS, ERROR_SCHEMA, mapping_guess
from bangfu.privacy import crypto, id_numbers
from bangfu.programmes.choices import PartyKind
from bangfu.programmes.models import Programme
from bangfu.programmes.services import _require_manage, pairing_create
from bangfu.registry.models import Household, Organization, Person
from bangfu.schemas import INT64_MAX

logger = logging.getLogger(__name__)

MAX_ROWS = 20_000
CHUNK = 500  # values per IN (…): SQLite's limit on parameters

PAIRING_REGISTER = Register("pairings", gettext_lazy("帮扶结对名册"), [
    Column("pairing", "programme", "帮扶项目", "text", ("项目", "项目名称", "结对项目"), example="2025年干部结对帮扶"),
    Column("pairing", "helper_id_number", "帮扶人身份证号", "id_number",
           ("帮扶责任人身份证号", "帮扶人身份证号码", "帮扶责任人身份证号码"), example="450224198005170220"),
    Column("pairing", "helper_name", "帮扶人姓名", "text",
           ("帮扶人", "帮扶责任人", "帮扶责任人姓名", "指导教师", "爱心妈妈", "结对教师"), example="覃桂英", max_length=40),
    Column("pairing", "helper_unit", "帮扶人单位", "text", ("工作单位", "帮扶单位", "帮扶人工作单位", "单位", "支援学校"),
           example="融安县财政局", max_length=100),
    Column("pairing", "helper_role", "帮扶角色", "text", ("帮扶人角色", "角色", "职责"), example="第一帮扶责任人",
           max_length=20),
    Column("pairing", "target_household", "帮扶对象户编号", "text", ("户编号", "户号", "帮扶户户编号", "贫困户户编号"),
           example="4502241012010001", max_length=20),
    Column("pairing", "target_id_number", "帮扶对象身份证号", "id_number",
           ("帮扶对象身份证号码", "户主身份证号", "受帮扶人身份证号", "结对对象身份证号")),
    Column("pairing", "target_organization", "帮扶对象单位", "text", ("受援单位", "受援学校", "帮扶对象单位名称", "结对学校"),
           max_length=100),
    Column("pairing", "starts_on", "结对日期", "date", ("结对时间", "开始日期", "结对开始日期"), required=True,
           example="2025-03-01"),
])
KNOWN_HEADERS = {name for column in PAIRING_REGISTER.columns for name in column.names}
HELPER_KEYS = ("p_helper_id_number", "p_helper_name", "p_helper_unit")
TARGET_KEYS = ("p_target_household", "p_target_id_number", "p_target_organization")


def pairing_register_template() -> bytes:
    """The blank register with its example row and notes (the import machinery's template writer)."""
    return register_template(PAIRING_REGISTER)


@dataclass
class RegisterError:
    row: int  # as the user sees it in Excel
    column: str  # the column's key, "" for the row as a whole
    header: str
    message: str


@dataclass
class RegisterResult:
    rows: int = 0
    valid: int = 0  # rows that would be (or were) paired
    created: int = 0
    dry_run: bool = True
    errors: list[RegisterError] = field(default_factory=list)
    report: bytes | None = None  # the file back, bad cells marked (when there are errors)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str) -> date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text.isdigit() and 20_000 < int(text) < 80_000:  # an Excel serial kept as a number
        return date(1899, 12, 30) + timedelta(days=int(text))
    return None


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


class _Lookup:
    """The parties the rows name, fetched set-wise (a few queries whatever the number of rows)."""

    def __init__(self, scope: Scope, rows: list[dict]):
        hashes = set()
        for row in rows:
            for key in ("p_helper_id_number", "p_target_id_number"):
                value = id_numbers.normalize(row.get(key, ""))
                if len(value) == 18:
                    hashes.add(crypto.keyed_hash(value))
        self.by_hash: dict[bytes, list[Person]] = {}
        for part in _chunks(list(hashes)):
            for person in scope.persons(Person.objects.filter(id_hash__in=part)).select_related("household"):
                self.by_hash.setdefault(bytes(person.id_hash), []).append(person)
        names = list({row["p_helper_name"].strip() for row in rows if row.get("p_helper_name", "").strip()})
        self.by_name: dict[tuple[str, str], list[Person]] = {}
        for part in _chunks(names):
            for person in scope.persons(Person.objects.filter(name__in=part)).select_related("organization"):
                unit = normalize_text(person.organization.name) if person.organization_id else ""
                self.by_name.setdefault((person.name, unit), []).append(person)
        numbers = list({row["p_target_household"].strip() for row in rows if row.get("p_target_household", "").strip()})
        self.households: dict[str, list[Household]] = {}
        for part in _chunks(numbers):
            for household in scope.households(Household.objects.filter(number__in=part)):
                self.households.setdefault(household.number, []).append(household)
        units = list({row[k].strip() for row in rows for k in ("p_helper_unit", "p_target_organization")
                      if row.get(k, "").strip()})
        self.organizations: dict[str, list[Organization]] = {}
        for part in _chunks(units):
            for organization in scope.organizations(Organization.objects.filter(name__in=part)):
                self.organizations.setdefault(normalize_text(organization.name), []).append(organization)

    def person(self, raw: str, key: str) -> Person | None:
        found = self.by_hash.get(crypto.keyed_hash(id_numbers.parse(raw).value), [])
        if len(found) > 1:  # registered in more than one county of the caller's scope
            raise _RowError(key, _("该身份证号在 %(n)s 个县都有登记，请先核对人员信息") % {"n": len(found)})
        return found[0] if found else None


class _RowError(Exception):
    def __init__(self, key: str, message: str):
        self.key, self.message = key, message


def _person_by_id(lookup: _Lookup, id_number: str, key: str):
    """The registered person with this ID number in scope, or the row's error on column `key`."""
    try:
        person = lookup.person(id_number, key)
    except ValidationError as exc:
        raise _RowError(key, exc.message) from None
    if person is None:
        raise _RowError(key, _("未找到身份证号为此号码的人员，或不在您的管辖范围内"))
    return person


def _helper(programme: Programme, row: dict, lookup: _Lookup):
    id_number, name, unit = (row.get(k, "").strip() for k in HELPER_KEYS)
    if id_number:
        return _person_by_id(lookup, id_number, "p_helper_id_number")
    if name:
        if not unit:
            raise _RowError("p_helper_unit", _("只填姓名时须同时填写帮扶人单位(或填写帮扶人身份证号)"))
        found = lookup.by_name.get((name, normalize_text(unit)), [])
        if not found:
            raise _RowError("p_helper_name", _("未找到“%(u)s”的“%(n)s”，或不在您的管辖范围内") % {"u": unit, "n": name})
        if len(found) > 1:
            raise _RowError("p_helper_name", _("“%(u)s”有 %(c)s 个“%(n)s”，请填写帮扶人身份证号") % {
                "u": unit, "c": len(found), "n": name})
        return found[0]
    if unit and PartyKind.ORGANIZATION in programme.helper_kinds:
        found = lookup.organizations.get(normalize_text(unit), [])
        if len(found) != 1:
            raise _RowError("p_helper_unit", _("未找到单位“%(u)s”，或有重名，或不在您的管辖范围内") % {"u": unit})
        return found[0]
    raise _RowError("p_helper_name", _("请填写帮扶人身份证号，或帮扶人姓名和单位"))


def _target(programme: Programme, row: dict, lookup: _Lookup):
    number, id_number, organization = (row.get(k, "").strip() for k in TARGET_KEYS)
    if number:
        found = lookup.households.get(number, [])
        if len(found) != 1:
            raise _RowError("p_target_household", _("未找到户编号 %(n)s，或不在您的管辖范围内") % {"n": number})
        return found[0]
    if id_number:
        person = _person_by_id(lookup, id_number, "p_target_id_number")
        if PartyKind.PERSON not in programme.target_kinds and PartyKind.HOUSEHOLD in programme.target_kinds:
            if person.household is None:
                raise _RowError("p_target_id_number", _("此人不是登记户的成员，本项目的帮扶对象是户"))
            return person.household
        return person
    if organization:
        found = lookup.organizations.get(normalize_text(organization), [])
        if len(found) != 1:
            raise _RowError("p_target_organization",
                            _("未找到单位“%(u)s”，或有重名，或不在您的管辖范围内") % {"u": organization})
        return found[0]
    raise _RowError("p_target_household", _("请填写帮扶对象的户编号、身份证号或单位名称"))


def _read(sheet: Sheet, mapping: dict[str, int]) -> list[dict]:
    rows = []
    for batch in sheet_batches(sheet, size=5_000):
        for values in batch.iter_rows(named=True):
            rows.append({"__row": values["__row"],
                         **{key: (values[f"c{index}"] or "").strip() for key, index in mapping.items()}})
            if len(rows) > MAX_ROWS:
                raise ValidationError(_("一次最多导入 %(n)s 行，请分批上传") % {"n": MAX_ROWS}, field="file")
    return rows


def pairing_register_import(*, scope: Scope, by, programme: Programme, path: Path | str,
                            dry_run: bool = True) -> RegisterResult:
    """Check every row of a pairing register and pair them all — or, on a dry run or any error, none.
    Errors name the Excel row and column; the report is the file back with the bad cells marked."""
    _require_manage(scope)
    sheet = sheet_open(path, known_names=KNOWN_HEADERS)
    mapping = mapping_guess(PAIRING_REGISTER, sheet.headers)
    if "p_starts_on" not in mapping:
        raise ValidationError(_("未找到“结对日期”列：请使用结对名册模板"), field="file")
    if not set(HELPER_KEYS) & set(mapping) or not set(TARGET_KEYS) & set(mapping):
        raise ValidationError(_("名册须有帮扶人(身份证号或姓名和单位)和帮扶对象(户编号、身份证号或单位)的列"),
                              field="file")
    rows = _read(sheet, mapping)
    result = RegisterResult(rows=len(rows), dry_run=dry_run)
    lookup = _Lookup(scope, rows)
    expected_name = normalize_text(programme.name)
    service_fields = {"helper": HELPER_KEYS, "target": TARGET_KEYS, "starts_on": ("p_starts_on",),
                      "helper_role": ("p_helper_role",)}

    def fail(row: dict, key: str, message: str) -> None:
        header = sheet.headers[mapping[key]] if key in mapping else ""
        result.errors.append(RegisterError(row=row["__row"], column=key if key in mapping else "", header=header,
                                           message=message))

    with transaction.atomic():
        with summary_deferred():  # the pairings' compliance summary: set-wise, once
            for row in rows:
                try:
                    given = row.get("p_programme", "")
                    if given and normalize_text(given) != expected_name:
                        raise _RowError("p_programme", _("与正在导入的项目“%(p)s”不一致") % {"p": programme.name})
                    starts_on = _date(row.get("p_starts_on", ""))
                    if starts_on is None:
                        raise _RowError("p_starts_on", _("请填写结对日期，如 2025-03-01"))
                    if len(row.get("p_helper_role", "")) > 20:
                        raise _RowError("p_helper_role", _("帮扶角色不能超过20个字"))
                    helper = _helper(programme, row, lookup)
                    target = _target(programme, row, lookup)
                except _RowError as exc:
                    fail(row, exc.key, exc.message)
                    continue
                try:
                    pairing_create(scope=scope, by=by, programme=programme, helper=helper, target=target,
                                   starts_on=starts_on, helper_role=row.get("p_helper_role", ""))
                except BangfuError as exc:
                    # the service names its field: put the message on the column the row used for it
                    keys = service_fields.get(exc.field or "", ())
                    key = next((k for k in keys if row.get(k)), keys[0] if keys else "")
                    fail(row, key, exc.message)
                    continue
                result.valid += 1
        if dry_run or result.errors:
            transaction.set_rollback(True)
        else:
            result.created = result.valid
    if result.errors:
        result.report = _report(sheet, mapping, result.errors)
    return result


def _report(sheet: Sheet, mapping: dict[str, int], errors: list[RegisterError]) -> bytes:
    frame = pl.DataFrame([{"row": e.row, "col": mapping.get(e.column, -1), "header": e.header, "kind": "pairing",
                           "message": e.message} for e in errors], schema=ERROR_SCHEMA)
    with tempfile.TemporaryDirectory(prefix="bangfu-register-") as folder:
        path = Path(folder) / "report.xlsx"
        report_write(sheet=sheet, errors=frame, error_counts={str(_("结对名册错误")): len(errors)}, path=path)
        return path.read_bytes()


def pairing_register_job_create(*, scope: Scope, by, programme: Programme, upload, dry_run: bool = True
                                ) -> ImportJob:
    """An uploaded register (pages and API), kept and read by the background worker as every import is
    (imports.services.import_job_create): here only what costs nothing is checked — the size, the type
    by the first bytes, a zip's directory (a zip bomb is refused by it before anything expands) — so
    no upload, however built, expands or parses inside the request. The worker runs
    `pairing_register_job_run`; with the embedded task backend (`make run`, tests) it has run when
    this returns. A file the worker refuses outright (no 结对日期 column, a directory that lied, too
    many rows) is a ValidationError here too when the job has already ended."""
    _require_manage(scope)
    upload_check(upload)
    job = ImportJob(register=PAIRING_REGISTER.key, programme=programme, created_by=by,
                    original_name=Path(upload.name).name[:200], dry_run=dry_run,
                    status=ImportStatus.CHECKING if dry_run else ImportStatus.IMPORTING,
                    language=translation.get_language() or "")
    job.file.save(Path(upload.name).name, upload, save=False)
    try:
        file_check(job.file.path, detect_format(Path(job.file.path)))
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.save()
    from bangfu.programmes.tasks import pairing_register_task

    pairing_register_task.enqueue(job.pk)  # as import_job_create: not on commit (see there)
    job.refresh_from_db()
    if job.status == ImportStatus.FAILED:
        raise ValidationError(job.message, field="file")
    return job


def pairing_register_job_run(*, job_id: int) -> ImportJob:
    """The task's body: read and check the register, pair its rows (all or none), keep the outcome and
    the error report on the job. The uploaded file is deleted after: a register is read once."""
    with job_running("import", job_id):
        job = ImportJob.objects.select_related("created_by", "programme").get(pk=job_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            job.started_at = timezone.now()
            job.save(update_fields=["started_at"])
            user = job.created_by
            try:
                result = pairing_register_import(scope=user.scope, by=user, programme=job.programme,
                                                 path=job.file.path, dry_run=job.dry_run)
            except BangfuError as exc:
                job.status, job.message = ImportStatus.FAILED, exc.message
            except Exception:
                logger.exception("pairing register job %s failed", job.pk)
                job.status, job.message = ImportStatus.FAILED, _(
                    "读取结对名册时发生意外错误(任务 %(id)s)，没有结对") % {"id": job.pk}
            else:
                job.rows, job.error_total = result.rows, len(result.errors)
                job.error_sample = [asdict(e) for e in result.errors]  # one a row at most: MAX_ROWS bounds it
                job.counts = {"valid": result.valid, "created": result.created}
                if result.report:
                    job.report.save("结对名册错误报告.xlsx", ContentFile(result.report), save=False)
                job.status = (ImportStatus.INVALID if result.errors else
                              ImportStatus.CHECKED if job.dry_run else ImportStatus.DONE)
                job.message = ""
            job.file.delete(save=False)
            job.finished_at = timezone.now()
            job.save()
        return job


def pairing_register_job_get(*, scope: Scope, user, programme: Programme, pk) -> ImportJob:
    """One's own register upload for this programme (another's, or another programme's, is not found)."""
    job = None
    if str(pk).isdigit() and int(pk) <= INT64_MAX:
        job = ImportJob.objects.filter(pk=int(pk), created_by=user, programme=programme).first()
    if job is None:
        raise NotFound(_("结对名册上传记录不存在"))
    return import_job_checked(job)


def pairing_register_result(job: ImportJob) -> RegisterResult | None:
    """What an ended job found, as pairing_register_import returned it (None while it runs or failed)."""
    if job.running or job.status == ImportStatus.FAILED:
        return None
    return RegisterResult(rows=job.rows, valid=job.counts.get("valid", 0), created=job.counts.get("created", 0),
                          dry_run=job.dry_run, errors=[RegisterError(**e) for e in job.error_sample])
