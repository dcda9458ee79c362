"""Headless Chromium opening an unknown address gets the Chinese error page (rendered DOM), not
``{"detail":"Not Found"}``."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.web.conftest import WorldDatabase
from tests.web.server import served

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")
def test_chromium_shows_the_error_page_of_an_unknown_address(world_db: WorldDatabase) -> None:
    assert CHROMIUM is not None
    with served(world_db.settings) as base:
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--dump-dom", f"{base}/no/such/page"],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
    assert "404" in dom and "地址不存在" in dom and 'href="/home"' in dom
    assert "Not Found" not in dom
