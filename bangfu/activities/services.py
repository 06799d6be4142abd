"""Recording activities and their evidence. Append-only: corrections are new rows."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity, Evidence
from bangfu.compliance.summary import summary_refresh
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.programmes.choices import Actor, PairingStatus
from bangfu.programmes.models import Pairing
from bangfu.programmes.selectors import pairings_in_scope

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
ACTIVITY_FIELDS = {"kind", "occurred_on", "actor", "with_counterpart", "quantity", "unit", "content", "outcome",
                   "place"}


def _full_clean(obj, *, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


def _build(pairing: Pairing, data: dict[str, Any], *, by, group: uuid.UUID) -> Activity:
    unknown = set(data) - ACTIVITY_FIELDS
    if unknown:
        raise ValidationError(_("不能设置的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    activity = Activity(pairing=pairing, county_code=pairing.county_code, region_id=pairing.region_id, group=group,
                        recorded_by=by, **data)
    if activity.kind not in pairing.programme.activity_kinds:
        raise ValidationError(_("活动类型“%(k)s”不在本项目的活动类型中") % {"k": activity.kind}, field="kind")
    if activity.actor not in Actor.values:
        raise ValidationError(_("完成方不正确"), field="actor")
    try:
        activity.quantity = Decimal(str(activity.quantity))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("数量请填写数字"), field="quantity") from None
    if activity.quantity <= 0:
        raise ValidationError(_("数量须大于0"), field="quantity")
    if not str(activity.content or "").strip():
        raise ValidationError(_("请填写活动内容"), field="content")
    on = activity.occurred_on
    if not isinstance(on, date):
        raise ValidationError(_("请填写活动日期"), field="occurred_on")
    if on > timezone.localdate() + timedelta(days=1):
        raise ValidationError(_("活动日期不能晚于今天"), field="occurred_on")
    if on < pairing.starts_on or (pairing.ends_on and on > pairing.ends_on):
        raise ValidationError(_("活动日期须在结对期间(%(a)s 至 %(b)s)内") % {
            "a": pairing.starts_on, "b": pairing.ends_on or _("今")}, field="occurred_on")
    _full_clean(activity, exclude=["pairing", "region", "recorded_by", "supersedes", "group"])
    return activity


def _require_record(scope: Scope) -> None:
    if not scope.rules.record_activities:
        raise PermissionDenied(_("您的角色只能查看，不能记录或更正帮扶活动"))


@transaction.atomic
def activity_record(*, scope: Scope, by, pairings: list[Pairing], data: dict[str, Any]) -> list[Activity]:
    """Record one activity for one or several pairings (a team visiting several households, a
    lecture for several mentees): one row per pairing, sharing a group id."""
    _require_record(scope)
    if not pairings:
        raise ValidationError(_("请选择结对"), field="pairings")
    ids = [p.pk for p in pairings]
    found = {p.pk: p for p in pairings_in_scope(scope).select_related("programme").filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("结对不存在或不在您的管辖范围内"))
    group = uuid.uuid4()
    rows = []
    for pk in dict.fromkeys(ids):
        pairing = found[pk]
        if pairing.status != PairingStatus.ACTIVE and not (pairing.ends_on and data.get("occurred_on")
                                                           and data["occurred_on"] <= pairing.ends_on):
            raise Conflict(_("结对已结束，不能再记录活动"), field="pairings")
        rows.append(_build(pairing, dict(data), by=by, group=group))
    made = Activity.objects.bulk_create(rows)
    summary_refresh(ids)
    return made


@transaction.atomic
def activity_correct(*, scope: Scope, by, activity: Activity, data: dict[str, Any], reason: str,
                     withdraw: bool = False) -> Activity:
    """Supersede a record with a corrected one (or withdraw it); the original stays, marked superseded."""
    _require_record(scope)
    original = (Activity.objects.select_for_update().select_related("pairing__programme")
                .filter(pk=activity.pk, pairing__in=pairings_in_scope(scope)).first())
    if original is None:
        raise NotFound(_("活动记录不存在或不在您的管辖范围内"))
    if Activity.objects.filter(supersedes=original).exists():
        raise Conflict(_("该记录已被更正过，请更正最新的一条"), field="supersedes")
    if not reason.strip():
        raise ValidationError(_("请填写更正原因"), field="reason")
    values = {f: getattr(original, f) for f in ACTIVITY_FIELDS}
    values.update(data)
    corrected = _build(original.pairing, values, by=by, group=original.group)
    corrected.supersedes = original
    corrected.withdrawn = withdraw
    corrected.correction_reason = reason.strip()
    corrected.save()
    summary_refresh([original.pairing_id])
    return corrected


def _exif(image) -> tuple[datetime | None, Decimal | None, Decimal | None]:
    """Time taken and GPS position from a photo's EXIF, when it has them."""
    from PIL import ExifTags

    exif = image.getexif()
    taken = None
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if raw:
        try:
            taken = timezone.make_aware(datetime.strptime(str(raw).strip(), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken = None
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)

    def coordinate(value, ref) -> Decimal | None:
        if not value:
            return None
        d, m, s = (float(x) for x in value)
        result = Decimal(str(round(d + m / 60 + s / 3600, 6)))
        return -result if ref in ("S", "W") else result

    lat = coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
    lon = coordinate(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef))
    return taken, lat, lon


@transaction.atomic
def evidence_add(*, scope: Scope, by, activity: Activity, upload) -> Evidence:
    """Attach a photo or file (type and size checked; EXIF time and GPS read and kept)."""
    _require_record(scope)
    activity = Activity.objects.filter(pk=activity.pk, pairing__in=pairings_in_scope(scope)).first()
    if activity is None:
        raise NotFound(_("活动记录不存在或不在您的管辖范围内"))
    evidence = Evidence(activity=activity, county_code=activity.county_code, uploaded_by=by,
                        **evidence_read(upload))
    evidence.save()
    return evidence


def evidence_read(upload, *, types: dict[str, str] = EVIDENCE_TYPES) -> dict:
    """An uploaded photo or file checked (type, size, a readable image) and described as the
    evidence models keep it: file (renamed), name, content_type, size and the EXIF time and GPS.
    Shared by every app that keeps evidence (activities, inspections, delivered measures)."""
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0]
    if content_type not in types:
        if all(t.startswith("image/") for t in types):
            raise ValidationError(_("文件类型不支持：只能上传照片(JPG、PNG、WEBP、HEIC)"), field="file")
        raise ValidationError(_("文件类型不支持：只能上传照片(JPG、PNG、WEBP、HEIC)、PDF、Word 或 Excel"), field="file")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("文件过大：不能超过 %(m)s MB") % {"m": MAX_EVIDENCE_BYTES // 1024 // 1024},
                              field="file")
    taken = lat = lon = None
    if content_type.startswith("image/") and content_type != "image/heic":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(upload) as image:
                taken, lat, lon = _exif(image)
        except (UnidentifiedImageError, OSError):
            raise ValidationError(_("图片无法识别，请重新拍摄或选择"), field="file") from None
        upload.seek(0)
    name = upload.name[:120]
    upload.name = f"{uuid.uuid4().hex}{types[content_type]}"
    return {"file": upload, "name": name, "content_type": content_type, "size": upload.size, "taken_at": taken,
            "latitude": lat, "longitude": lon}
