"""Drive Debian's headless Chromium: dump the DOM after layout, with measurements.

``measure(html)`` opens a copy of the page with a small script appended that records the
rendered size and computed colours of what the test asks about, then reads the
measurements back from ``--dump-dom``. So a test asserts what a browser actually laid out.
"""

from __future__ import annotations

import html as htmlmod
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
# Chromium as the tests start it: headless, no network of its own, no first-run work.
HEADLESS_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--hide-scrollbars",
]
_FLAGS = [*HEADLESS_FLAGS, "--window-size=1200,1600"]

_MEASURE = """
<script>
(function () {
  function box(el) {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return {w: r.width, h: r.height, x: r.left, y: r.top, fill: cs.fill,
            bg: cs.backgroundColor, color: cs.color, display: cs.display,
            visibility: cs.visibility, text: (el.textContent || '').trim().slice(0, 200),
            data: Object.assign({}, el.dataset)};
  }
  const out = {charts: {}, select: {}, fonts: [], title: document.title,
               scrollWidth: document.documentElement.scrollWidth};
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    const b = box(svg);
    b.bars = Array.from(svg.querySelectorAll('rect.bar')).map(box);
    b.labels = Array.from(svg.querySelectorAll('text')).map(box);
    out.charts[svg.id] = b;
  });
  (window.__SELECTORS__ || []).forEach(function (sel) {
    out.select[sel] = Array.from(document.querySelectorAll(sel)).map(box);
  });
  const pre = document.createElement('pre');
  pre.id = '__measure__';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser; skips outside CI when absent, fails under CI=true."""
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail(
                "chromium is required under CI=true: .ci/services.sh installs Debian's "
                "`chromium` package; check that apt could reach its mirror"
            )
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    return path


def run_chromium(chromium: str, url: str, *extra: str, timeout: float = 60) -> str:
    """Run the browser once on ``url`` and return its stdout (e.g. the dumped DOM)."""
    with tempfile.TemporaryDirectory(prefix="gh-chromium-") as profile:
        proc = subprocess.run(
            [chromium, *_FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0:
        raise AssertionError(
            f"chromium exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-1500:]}"
        )
    return proc.stdout.decode("utf-8", errors="replace")


def measure(
    chromium: str, page: str, workdir: Path, selectors: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Lay ``page`` out in Chromium and return the measurements (see module doc).

    The page's own Content-Security-Policy ``<meta>`` is removed from the measured copy
    (it rightly forbids scripts); tests check the original keeps it.
    """
    copy = re.sub(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page, count=1)
    inject = f"<script>window.__SELECTORS__ = {json.dumps(list(selectors))};</script>" + _MEASURE
    copy = copy.replace("</body>", inject + "</body>", 1) if "</body>" in copy else copy + inject
    target = workdir / "measured.html"
    target.write_text(copy, encoding="utf-8")
    dom = run_chromium(chromium, target.as_uri(), "--dump-dom")
    found = re.search(r'<pre id="__measure__">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run in the browser"
    return json.loads(htmlmod.unescape(found.group(1)))
