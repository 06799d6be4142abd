"""Backup and restore: the database and the data key, which are of no use without each other.

`bangfu backup -o DIR` writes into a new folder DIR:
- `database.dump` (PostgreSQL: `pg_dump --format=custom`, a consistent snapshot while the site runs) or
  `database.sqlite3` (SQLite: the online backup API, consistent too);
- `media.tar.gz`: uploaded evidence photos, generated reports (unless --no-media);
- `manifest.json`: what was backed up, the database vendor, the latest migration of each app, and
  the data key's *fingerprint* (a hash that identifies the key without revealing it);
- the data key itself, to `--key-out FILE` (mode 0600), DIR/data.key when not given: move it apart
  from the dumps (docs/deploy.md), so that a stolen dump alone reveals no ID number.

`bangfu restore DIR [--key FILE]` restores into the database DATABASE_URL names, which must be empty
(a restore never overwrites data), after checking that the key is the one the backup was made with;
installs the key (VAR_DIR/data.key) when BANGFU_DATA_KEY is not set, or refuses when it is set to
another key; unpacks the media; and proves the copy readable by decrypting personal numbers and
checking them against their search hashes.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from bangfu.errors import ValidationError

FORMAT = 1
KEY_FILE = "data.key"
VERIFY_SAMPLE = 200  # personal numbers decrypted to prove the key


def key_fingerprint(key_b64: str) -> str:
    """Names the key without revealing it (a hash of a hash: nothing to test guesses against cheaply)."""
    return hashlib.sha256(b"bangfu data key fingerprint\x00" + key_b64.strip().encode()).hexdigest()[:32]


def _pg_env() -> dict:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or ""),
           "PGUSER": str(db.get("USER") or ""), "PGDATABASE": str(db["NAME"])}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return {k: v for k, v in env.items() if v != ""}


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ValidationError(_("%(cmd)s 失败：%(err)s") % {"cmd": command[0], "err": done.stderr.strip()[-2000:]})


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name  # names sort in order within an app (0001_…, 0002_…)
    return latest


@dataclass
class BackupResult:
    folder: Path
    key_path: Path
    files: list[str]


def backup(*, folder: Path | str, key_out: Path | str | None = None, media: bool = True) -> BackupResult:
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(_("备份目录 %(d)s 已存在且不是空的：请指定新的目录") % {"d": folder})
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / "database.dump")], _pg_env())
        files.append("database.dump")
    else:
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        files.append("database.sqlite3")
    media_root = Path(settings.MEDIA_ROOT)
    if media and media_root.is_dir():
        with tarfile.open(folder / "media.tar.gz", "w:gz") as tar:
            tar.add(media_root, arcname="media")
        files.append("media.tar.gz")
    key = settings.BANGFU_DATA_KEY.strip()
    manifest = {"format": FORMAT, "vendor": connection.vendor, "files": files,
                "key_fingerprint": key_fingerprint(key), "migrations": _migrations()}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    key_path = Path(key_out) if key_out else folder / KEY_FILE
    key_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return BackupResult(folder=folder, key_path=key_path, files=[*files, "manifest.json"])


@dataclass
class RestoreResult:
    key_installed: Path | None  # where the key was written, None when BANGFU_DATA_KEY already held it
    checked: int  # personal numbers decrypted and matched to their search hash
    pending_migrations: int  # the backup is of an older version: `bangfu migrate` brings it up


def _database_empty() -> bool:
    return not connection.introspection.table_names()


def restore(*, folder: Path | str, key_file: Path | str | None = None) -> RestoreResult:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        raise ValidationError(_("%(d)s 不是 bangfu backup 写的备份目录(缺少或无法读取 manifest.json)")
                              % {"d": folder}) from None
    key_path = Path(key_file) if key_file else folder / KEY_FILE
    try:
        key = key_path.read_text().strip()
    except OSError:
        raise ValidationError(_("找不到数据密钥文件 %(f)s：请用 --key 指定备份时保存的密钥") % {"f": key_path}) from None
    if key_fingerprint(key) != manifest["key_fingerprint"]:
        raise ValidationError(_("密钥 %(f)s 不是这份备份所用的数据密钥：用它恢复，身份证号等将无法解密") % {"f": key_path})
    if manifest["vendor"] != connection.vendor:
        raise ValidationError(_("备份来自 %(a)s 数据库，不能恢复到 %(b)s 数据库")
                              % {"a": manifest["vendor"], "b": connection.vendor})
    configured = os.environ.get("BANGFU_DATA_KEY", "").strip()
    if configured and configured != key:
        raise ValidationError(_("环境变量 BANGFU_DATA_KEY 与备份的数据密钥不同：请把它设为备份的密钥(%(f)s)后再恢复")
                              % {"f": key_path})
    if not _database_empty():
        raise ValidationError(_("目标数据库 %(db)s 不是空的：恢复只写入新建的空数据库，不覆盖现有数据")
                              % {"db": connection.settings_dict["NAME"]})

    if connection.vendor == "postgresql":
        connection.close()  # pg_restore writes through its own connection
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname",
              connection.settings_dict["NAME"], str(folder / "database.dump")], _pg_env())
    else:
        connection.ensure_connection()
        source = sqlite3.connect(folder / "database.sqlite3")
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    media = folder / "media.tar.gz"
    if media.exists():
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media) as tar:
            members = [m for m in tar.getmembers() if m.name == "media" or m.name.startswith("media/")]
            for member in members:
                member.name = member.name[len("media"):].lstrip("/") or "."
            tar.extractall(media_root, members=members, filter="data")

    installed = None
    if not configured:
        installed = Path(settings.VAR_DIR) / KEY_FILE
        if installed.exists() and installed.read_text().strip() != key:
            shutil.copy2(installed, installed.with_name(f"{KEY_FILE}.before-restore"))
        installed.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(installed, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
    settings.BANGFU_DATA_KEY = key  # this process reads the copy with it
    return RestoreResult(key_installed=installed, checked=_verify(), pending_migrations=_pending())


def _verify() -> int:
    """Decrypt a sample of ID numbers and match each to its search hash: a wrong key fails either."""
    from bangfu.privacy import crypto
    from bangfu.registry.models import Person

    from bangfu.privacy import id_numbers

    checked = 0
    rows = Person.objects.exclude(id_hash=None).order_by("pk").values_list("pk", "id_hash")[:VERIFY_SAMPLE]
    for pk, id_hash in rows:
        try:
            number = Person.objects.get(pk=pk).id_number
        except Exception:  # cryptography's InvalidTag: another key
            raise ValidationError(_("恢复的数据无法用此密钥解密(人员 %(pk)s)") % {"pk": pk}) from None
        if crypto.keyed_hash(id_numbers.normalize(number or "")) != bytes(id_hash):
            raise ValidationError(_("恢复的数据与此密钥不符(人员 %(pk)s 的检索摘要不一致)") % {"pk": pk})
        checked += 1
    return checked


def _pending() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
