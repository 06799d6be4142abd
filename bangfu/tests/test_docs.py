"""Every command and URL the README and docs/ name exists (issue 14.8): `bangfu <verb>` is a verb of the
`bangfu` command (and its sub-verb one of the verb's, where it has them), and every path written in
code — a page, or an API path after GET/POST/… (under /api/v1/ unless written in full) — is in the URL
conf, with `<id>`/`{id}` and the like filled in; those without one are opened as an administrator and
must not be 404 or a server error."""

import argparse
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class
from django.urls import Resolver404, resolve

from bangfu.accounts.roles import Role
from bangfu.tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)  # code blocks and inline code
COMMAND = re.compile(r"(?<![\w./-])bangfu ([a-z][a-z0-9_]*)(?: ([a-z][a-z0-9_]*))?")
METHOD = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE)(?:/(?:GET|POST|PUT|PATCH|DELETE))*\s")
PATH = re.compile(r"(?:(?<=[\s(=])|^)(/[^\s,;)\[\]`'\"]*)")
NOT_WEB = ("/etc/", "/srv/", "/usr/", "/tmp/", "/var/", "/proc/", "/backup/", "/dev/", "/home/")
# placeholders written in the docs, and what stands for them here
FILL = [(re.compile(r"<listing>"), "households"), (re.compile(r"\{kind\}|<kind>"), "booklet"),
        (re.compile(r"\{code\}|<code>"), "450224000000"), (re.compile(r"<[^>]+>|\{[^}]+\}"), "1")]


def code_spans():
    for path in FILES:
        for span in CODE.findall(path.read_text(encoding="utf-8")):
            yield path.name, span.strip("`")


def commands() -> set[tuple[str, str, str]]:
    found = set()
    for name, span in code_spans():
        for line in span.splitlines():
            for match in COMMAND.finditer(line):
                if re.search(r"(?:-O|createuser|createdb)\s+$", line[:match.start()]):
                    continue  # `createdb -O bangfu bangfu`: the database's owner, not the command
                found.add((name, match.group(1), match.group(2) or ""))
    return found


def paths() -> set[tuple[str, str, bool, bool]]:
    """(file, path, is_api, has_placeholder) for every path written in code, `a|b` alternatives
    expanded; an id written as a number (`/exports/7`) or a query with `<id>` is a placeholder too."""
    found = set()
    for name, span in code_spans():
        for line in span.splitlines():
            line = re.sub(r"https?://[^/\s]+", "", line)  # http://127.0.0.1:8000/api/v1/… → /api/v1/…
            api = bool(METHOD.match(line.strip()))
            for raw in PATH.findall(line):
                raw = raw.replace("\\|", "|")
                placeholder = bool(re.search(r"[<{]|/\d+(?:/|$)", raw))
                raw = raw.split("?")[0].split("#")[0].rstrip(".:")
                if raw in ("", "/") or raw.startswith(NOT_WEB) or "…" in raw:
                    continue
                options = [""]
                for part in raw.strip("/").split("/"):
                    options = [f"{o}/{alt}" for o in options for alt in part.split("|")]
                for option in options:
                    found.add((name, option + ("/" if raw.endswith("/") else ""), api, placeholder))
    return found


def _filled(path: str) -> str:
    for pattern, value in FILL:
        path = pattern.sub(value, path)
    return path


def _resolves(path: str) -> bool:
    try:
        resolve(path)
        return True
    except Resolver404:
        return False


def test_every_bangfu_verb_in_the_docs_exists():
    verbs = {**get_commands(), "serve": "bangfu"}  # bangfu/cli.py runs serve itself
    found = commands()
    assert {"remind", "export", "demo", "serve"} <= {verb for _f, verb, _s in found}
    missing = []
    for name, verb, sub in sorted(found):
        if verb not in verbs:
            missing.append(f"{name}: bangfu {verb}")
            continue
        if not sub or verb == "serve":
            continue
        parser = load_command_class(verbs[verb], verb).create_parser("bangfu", verb)
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subs and sub not in subs[0].choices:
            missing.append(f"{name}: bangfu {verb} {sub}")
    assert not missing, missing


@pytest.mark.django_db
def test_every_url_in_the_docs_exists(client, regions):
    found = paths()
    assert ("compliance.md", "/compliance/week/", False, False) in found and len(found) > 50
    missing, opened = [], 0
    client.force_login(make_user(Role.ADMIN))
    for name, path, api, placeholder in sorted(found):
        url = _filled(path)
        candidates = [url] if url.startswith("/api/") else [f"/api/v1{url}"] if api else [url, f"/api/v1{url}"]
        resolved = next((c for c in candidates if _resolves(c)), None)
        if resolved is None:
            missing.append(f"{name}: {path}")
        elif not placeholder and not resolved.endswith((".xlsx", ".csv", "/file")):  # no placeholder: open it
            status = client.get(resolved).status_code
            opened += 1
            if status == 404 or status >= 500:
                missing.append(f"{name}: {path} → {status}")
    assert not missing, missing
    assert opened > 20


def test_the_readme_lists_every_command_bangfu_adds():
    """The other way round: each of the project's own commands has its line in the README's table
    (`bangfu remind` had none)."""
    listed = {verb for name, verb, _sub in commands() if name == "README.md"}
    ours = {verb for verb, app in get_commands().items() if app.startswith("bangfu.")}
    assert "remind" in ours
    assert not ours - listed, sorted(ours - listed)
