"""What a file must be before any of it is read: size, type and, for a zip, its declared expansion.

An .xlsx (or .ods) is a zip archive. A 390 KB archive may expand to a 400 MB sheet (a "zip bomb"),
and calamine expands a whole sheet before it returns its first row, so the archive's directory is
checked first — it lists every member's compressed and uncompressed size, and reading it costs no
expansion: the total uncompressed size and each member's compression ratio are bounded
(settings BANGFU_UPLOAD_MAX_EXPANDED_MB, BANGFU_UPLOAD_MAX_RATIO). A directory may lie about the
sizes, so before calamine reads a workbook, `zip_members_verify` inflates each member up to its
declared size and refuses one that has more to give. (The streamed reader, xlsxstream.py, reads
through Python's zipfile, which stops at the declared size.)

`upload_check` (size, BANGFU_UPLOAD_MAX_MB) is for uploads through the pages and the API;
`file_check` runs for every file, the command line's too (reading.sheet_open calls it).
"""

import struct
import zipfile
import zlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _, gettext_lazy

from bangfu.errors import ValidationError

MB = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)
MAX_MEMBERS = 10_000  # an .xlsx has a few dozen; one with thousands is not a register
RATIO_MIN_BYTES = 1 * MB  # a member smaller than this expands to nothing worth refusing
# What other files a renamed upload often is, by its first bytes, to say so in the message.
_OTHER_KINDS = (
    (b"MZ", gettext_lazy("程序(.exe)")), (b"\x7fELF", gettext_lazy("程序")),
    (b"\x89PNG", gettext_lazy("图片(.png)")), (b"\xff\xd8\xff", gettext_lazy("图片(.jpg)")),
    (b"GIF8", gettext_lazy("图片(.gif)")), (b"%PDF", gettext_lazy("PDF 文档")), (b"Rar!", gettext_lazy("RAR 压缩包")),
    (b"7z\xbc\xaf", gettext_lazy("7z 压缩包")), (b"\x1f\x8b", gettext_lazy("gzip 压缩包")),
)
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}


def _limits() -> tuple[int, int, int]:
    return (settings.BANGFU_UPLOAD_MAX_MB * MB, settings.BANGFU_UPLOAD_MAX_EXPANDED_MB * MB,
            settings.BANGFU_UPLOAD_MAX_RATIO)


def upload_check(upload) -> None:
    """An upload (Django's UploadedFile) small enough to keep, with the name of a table file."""
    size_max = _limits()[0]
    name = getattr(upload, "name", "") or ""
    if Path(name).suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise ValidationError(_("请上传 Excel(.xlsx、.xls)、WPS/LibreOffice(.ods)或 CSV 文件，而不是“%(n)s”")
                              % {"n": Path(name).name[:80]}, field="file")
    if not upload.size:
        raise ValidationError(_("上传的文件是空的"), field="file")
    if upload.size > size_max:
        raise ValidationError(
            _("文件太大(%(size).1f MB)：上传的文件不能超过 %(max)s MB。请分成几个文件上传，或请管理员用 bangfu import 命令导入")
            % {"size": upload.size / MB, "max": size_max // MB}, field="file")


def _other_kind(head: bytes) -> str | None:
    return next((str(kind) for magic, kind in _OTHER_KINDS if head.startswith(magic)), None)


def _wrong_content(path: Path, kind: str) -> ValidationError:
    return ValidationError(_("文件“%(n)s”的内容是%(kind)s，不是表格。请上传 xlsx、xls、ods 或 csv 文件")
                           % {"n": path.name[:80], "kind": kind}, field="file")


def file_check(path: Path | str, fmt: str) -> None:
    """The file's first bytes fit its format (`fmt` as reading.py detected it), and a zip's directory
    promises no more than the limits. Reads the first bytes and the zip's directory, nothing else."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        raise ValidationError(_("文件是空的"), field="file")
    other = _other_kind(head)
    if fmt in ("xlsx", "ods"):
        if not head.startswith(ZIP_MAGIC):
            raise _wrong_content(path, other or _("未知的格式"))
        _zip_directory_check(path)
    elif fmt == "xls":
        if not head.startswith(OLE_MAGIC):
            raise _wrong_content(path, other or _("未知的格式"))
    else:  # text
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValidationError(_("文件是 UTF-16 编码的文本：请在 Excel 中另存为“CSV UTF-8”或直接上传 xlsx 文件"),
                                  field="file")
        if other or head.startswith(ZIP_MAGIC):
            raise _wrong_content(path, other or _("压缩包"))
        if b"\x00" in head:
            raise _wrong_content(path, _("二进制数据"))


def _zip_directory_check(path: Path) -> None:
    _size_max, expanded_max, ratio_max = _limits()
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        raise ValidationError(_("文件不完整或已损坏，无法作为 Excel 文件打开。请在 Excel 中重新保存后再上传"),
                              field="file") from None
    if len(members) > MAX_MEMBERS:
        raise ValidationError(_("文件中的部件太多(%(n)s 个)，不是正常的表格文件") % {"n": len(members)}, field="file")
    total = sum(m.file_size for m in members)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_BYTES and ratio > ratio_max:
            raise _bomb(total, ratio)
    if total > expanded_max:
        raise _bomb(total, total / max(sum(m.compress_size for m in members), 1))


def _bomb(total: int, ratio: float) -> ValidationError:
    _size_max, expanded_max, ratio_max = _limits()
    return ValidationError(
        _("文件解压后过大(约 %(size)s MB，压缩比 %(ratio)s 倍)，疑似“压缩炸弹”，已拒绝。正常的台账解压后不超过 "
          "%(max)s MB、压缩比不超过 %(max_ratio)s 倍；如确是台账，请分成几个文件")
        % {"size": total // MB, "ratio": int(ratio), "max": expanded_max // MB, "max_ratio": ratio_max}, field="file")


def zip_members_verify(path: Path | str) -> None:
    """Inflate every member up to its declared size (plus one chunk) and refuse a member that holds
    more than it declares: the directory's sizes, checked by _zip_directory_check, are then true for
    whichever reader reads the file next. Memory stays at one chunk."""
    with zipfile.ZipFile(path) as book, open(path, "rb") as raw:
        for member in book.infolist():
            if member.compress_type == zipfile.ZIP_STORED:
                if member.compress_size != member.file_size:
                    raise _lie(member)
                continue
            if member.compress_type != zipfile.ZIP_DEFLATED:
                raise ValidationError(_("文件使用了不支持的压缩方式，请在 Excel 中重新保存后再上传"), field="file")
            raw.seek(member.header_offset)
            local = raw.read(30)
            if len(local) < 30 or local[:4] != ZIP_MAGIC:
                raise _lie(member)
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            raw.seek(member.header_offset + 30 + name_length + extra_length)
            inflater, left, out = zlib.decompressobj(-15), member.compress_size, 0
            while left > 0 and not inflater.eof:
                chunk = raw.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
                data = chunk
                while data and out <= member.file_size:
                    try:
                        produced = inflater.decompress(data, 1 << 20)
                    except zlib.error:
                        raise _lie(member) from None
                    out += len(produced)
                    data = inflater.unconsumed_tail
                if out > member.file_size:
                    raise _lie(member)


def _lie(member: zipfile.ZipInfo) -> ValidationError:
    return ValidationError(_("文件中的“%(m)s”实际内容比声明的大，疑似“压缩炸弹”或文件已损坏，已拒绝")
                           % {"m": member.filename[:80]}, field="file")
