"""Backup and restore shown to work on a copy (issue 18, 4): `bangfu backup` of a registry, `bangfu restore`
into a fresh database on a fresh machine's folder, and the encrypted ID numbers read back there; a
wrong key or a database that is not empty is refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bangfu.registry.models import Person
from bangfu.tests.factories import make_household

pytestmark = pytest.mark.django_db(transaction=True)


def _bangfu(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_backup_restores_into_a_fresh_database_and_the_id_numbers_read_back(regions, settings, tmp_path,
                                                                              fresh_database):
    for _ in range(3):
        make_household(members=3)
    numbers = {str(pk): number for pk, number in
               ((p.pk, p.id_number) for p in Person.objects.exclude(id_hash=None))}
    assert len(numbers) >= 9
    photo = Path(settings.MEDIA_ROOT) / "evidence" / "backup-test.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff photo")

    folder, key = tmp_path / "backup", tmp_path / "keys" / "data.key"
    call_command("backup", "-o", str(folder), "--key-out", str(key))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor and "registry" in manifest["migrations"]
    assert settings.BANGFU_DATA_KEY not in (folder / "manifest.json").read_text()  # the key is apart
    assert key.read_text().strip() == settings.BANGFU_DATA_KEY and oct(key.stat().st_mode)[-3:] == "600"
    with pytest.raises(CommandError, match="已存在且不是空的"):
        call_command("backup", "-o", str(folder))

    # a fresh machine: its own folder (which makes itself a new, different key) and an empty database
    var = tmp_path / "copy-var"
    env = {k: v for k, v in os.environ.items() if k != "BANGFU_DATA_KEY"}
    env.update({"DATABASE_URL": fresh_database, "BANGFU_VAR_DIR": str(var), "SECRET_KEY": settings.SECRET_KEY})
    wrong = tmp_path / "wrong.key"
    wrong.write_text("A" * 43 + "=\n")
    refused = _bangfu("restore", str(folder), "--key", str(wrong), env=env)
    assert refused.returncode != 0 and "不是这份备份所用的数据密钥" in refused.stderr

    restored = _bangfu("restore", str(folder), "--key", str(key), env=env)
    assert restored.returncode == 0, restored.stderr
    assert f"核对：{len(numbers)} 个身份证号用此密钥解密并与检索摘要一致" in restored.stdout
    assert (var / "data.key").read_text().strip() == settings.BANGFU_DATA_KEY
    assert (var / "media" / "evidence" / "backup-test.jpg").read_bytes() == photo.read_bytes()

    # the copy, as the service would run on it (the key from its folder), reads every ID number back
    read = _bangfu("shell", "-c", "import json; from bangfu.registry.models import Person; print(json.dumps("
                   "{str(p.pk): p.id_number for p in Person.objects.exclude(id_hash=None)}))", env=env)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout.strip().splitlines()[-1]) == numbers
    again = _bangfu("restore", str(folder), "--key", str(key), env=env)
    assert again.returncode != 0 and "不是空的" in again.stderr
    photo.unlink()
