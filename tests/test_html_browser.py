"""The HTML plan in a real browser (Debian's Chromium through playwright): the cost chart with its
P10-P90 band, the margins chart and the tornado are drawn, and every table renders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES
from .validators import chromium

TIERPLAN = str(Path(sys.executable).parent / "tierplan")


def _profile_with_ranges(tmp_path: Path) -> Path:
    """Amebo with the seed's own ranges (002 l.13-14: 100-200 requests per user a day, 50-100% of
    users active)."""
    text = (EXAMPLES / "amebo.yaml").read_text()
    text = text.replace("requests_per_user_day: 150", "requests_per_user_day: {low: 100, likely: 150, high: 200}")
    text = text.replace("daily_active_fraction: 0.75", "daily_active_fraction: {low: 0.5, high: 1.0}")
    assert text.count("low:") == 2
    path = tmp_path / "amebo.yaml"
    path.write_text(text)
    return path


def test_plan_html_charts_in_a_real_browser(tmp_path: Path) -> None:
    browser_path = chromium()
    from playwright.sync_api import sync_playwright

    profile = _profile_with_ranges(tmp_path)
    page_file = tmp_path / "plan.html"
    r = subprocess.run(
        [TIERPLAN, "plan", str(profile), "--samples", "60", "--format", "html", "-o", str(page_file)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TIERPLAN_NO_CACHE": "1"},
    )
    assert r.returncode == 0, r.stderr
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 2000})
            page.goto(page_file.as_uri())
            cost = page.locator("svg.chart-cost")
            assert cost.count() == 1 and cost.bounding_box()["width"] > 400  # type: ignore[index]
            band = page.locator("svg.chart-cost polygon.band")
            assert band.count() == 1 and band.bounding_box()["height"] > 5  # type: ignore[index]
            assert page.locator("svg.chart-cost line.band-range").count() == 4  # one per stage
            margins = page.locator("svg.chart-margins")
            assert margins.count() == 1
            assert margins.locator("rect.revenue").count() == 4 and margins.locator("text.margin").count() == 4
            assert "margin" in margins.locator("text.margin").first.text_content()  # type: ignore[operator]
            tornado = page.locator("svg.chart-tornado")
            assert tornado.count() == 1 and tornado.locator("rect.swing").count() == 2
            # the charts sit in their sections, and the page leads with "Do this now"
            headings = page.locator("h2").all_text_contents()
            assert headings[0] == "Do this now"
            assert {"Economics", "Uncertainty"} <= set(headings)
            econ_y = page.locator("h2", has_text="Economics").bounding_box()["y"]  # type: ignore[index]
            assert margins.bounding_box()["y"] > econ_y  # type: ignore[index]
            page.screenshot(path=str(tmp_path / "plan.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "plan.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["coop-erp"])
def test_plan_html_without_samples_has_no_band(tmp_path: Path, name: str) -> None:
    r = subprocess.run(
        [TIERPLAN, "plan", str(EXAMPLES / f"{name}.yaml"), "--format", "html"], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert 'class="chart-cost"' in r.stdout and 'class="band"' not in r.stdout
    assert 'class="chart-margins"' in r.stdout and 'class="chart-tornado"' not in r.stdout
