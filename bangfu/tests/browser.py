"""Browser tests: Debian's Chromium, found on the PATH (the `browser` fixture is in conftest.py)."""

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root on a closed network: no sandbox, and no background connections that would be refused.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="未安装 chromium，跳过浏览器测试 (apt-get install chromium)")
