"""Lighthouse (pinned in tests/browser/package.json, `npm ci` in .ci/run) against `kynangso serve`, with
Debian's Chromium and Lighthouse's default mobile settings (simulated slow 4G, 4x CPU slowdown): the home
page, a lesson and a quiz page must score 95 or more for performance, the first visit of a lesson must
transfer 400 kB or less, and no page may fail the SEO hreflang audit.

The 4x CPU slowdown of the default settings assumes a host whose benchmark index (the CPU speed
Lighthouse measures at each run) is about 1,500; on this 2-core shared machine it measured 600-1,300,
and Lighthouse then warns that the score is too low and points to calibrating the multiplier. So the
first run (the home page) uses the default 4x and is printed for the record; every judged run uses the
multiplier Lighthouse's calibration calculator gives for the benchmark index of the run before it
(1,533 -> 4x, 1,300 -> 3x, 800 -> 2x, 150 -> 1x), i.e. the same phone on any host, never more than
the default 4x. The network
throttling and the phone's screen stay Lighthouse's defaults. KYNANGSO_LIGHTHOUSE_CPU fixes the
multiplier instead (4 for the default on a fast host).

Scores vary from run to run, most on a loaded machine (in about one run in three this host's headless
Chromium paints 1.7 s late, whatever the page): each page is measured RUNS times
(KYNANGSO_LIGHTHOUSE_RUNS, default 5) and the median run is judged, as Lighthouse's documentation
advises. Every report is kept in test-artifacts/ and the figures are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
RUNS = int(os.environ.get("KYNANGSO_LIGHTHOUSE_RUNS", "5"))
PAGES = {"home": "/", "lesson": "/du-lieu-ca-nhan/su-dong-y/", "quiz": "/quiz/du-lieu-ca-nhan"}
MIN_PERFORMANCE = 0.95
MAX_LESSON_BYTES = 400_000


def _lighthouse_missing() -> str | None:
    if not shutil.which("node"):
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not LIGHTHOUSE.exists():
        return "Lighthouse is not installed: npm ci --ignore-scripts --prefix tests/browser"
    return None


def calibrated_multiplier(benchmark_index: float) -> float:
    """The CPU slowdown that makes this host behave like Lighthouse's reference phone (the formula of
    Lighthouse's CPU throttling calculator, linked from the slow-host warning)."""
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    if benchmark_index >= 150:
        return 1 + (benchmark_index - 150) / 650
    return 1.0


def run_lighthouse(url: str, report: Path, cpu: float | None = None) -> dict:
    throttling = [] if cpu is None else [f"--throttling.cpuSlowdownMultiplier={cpu:.2f}"]
    done = subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         "--only-categories=performance,seo", f"--chrome-flags={FLAGS}", *throttling],
        env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(report.read_text("utf-8"))


def figures(report: dict) -> dict:
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "seo": report["categories"]["seo"]["score"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "hreflang": audits["hreflang"]["score"],
        "benchmark_index": round(report["environment"]["benchmarkIndex"]),
        "cpu_slowdown": report["configSettings"]["throttling"]["cpuSlowdownMultiplier"],
    }


@pytest.fixture(scope="module")
def measured(server, artifacts) -> dict[str, list[dict]]:
    reason = _lighthouse_missing()
    if reason and os.environ.get("KYNANGSO_BROWSER_TESTS") == "1":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    fixed = os.environ.get("KYNANGSO_LIGHTHOUSE_CPU")
    probe = figures(run_lighthouse(server.url + "/", artifacts / "lighthouse-home-default.json"))
    print(f"lighthouse home, default 4x CPU: {probe}")
    index = probe["benchmark_index"]
    results: dict[str, list[dict]] = {}
    for name, path in PAGES.items():
        for run in range(RUNS):
            # never harsher than the default: a reading taken while the host was briefly idle gave 6x
            cpu = float(fixed) if fixed else min(4.0, calibrated_multiplier(index))
            result = figures(run_lighthouse(server.url + path, artifacts / f"lighthouse-{name}-{run + 1}.json", cpu))
            index = result["benchmark_index"]
            results.setdefault(name, []).append(result)
            print(f"lighthouse {name} run {run + 1}: {result}")
    return results


def median_run(runs: list[dict]) -> dict:
    """The run whose performance score is the median (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r["performance"])
    return ordered[(len(ordered) - 1) // 2]


# Measured on the shared 2-core machine (load 4-9 from other jobs, benchmark index 600-2,250), median
# of 3 with the calibrated CPU slowdown. The lesson scored 0.92-0.93 while Material's bundle ran as a
# render-blocking script, restyled the page twice (palette, <html> classes) and fetched the search
# index at load; with the bundle deferred, one stylesheet, the classes set in <head>, off-screen blocks
# laid out when near (extra.css) and the index fetched when the reader searches, three runs of this
# test's method gave medians 0.98, 0.95 and 0.95 (single runs 0.89-1.0: FCP 0.9 s, or 1.7-2.0 s when the host
# painted late; LCP 0.9-2.3 s; TBT 30-410 ms, mostly Material's bundle starting, 190-290 ms of one
# task). Home 0.96-0.98, quiz 0.99. Every page kind is held to the goal; a page that needs a lower
# floor names it here.
FLOOR: dict[str, float] = {}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_scores_95_for_performance_on_a_phone(measured, name):
    judged = median_run(measured[name])
    scores = [r["performance"] for r in measured[name]]
    assert judged["performance"] >= FLOOR.get(name, MIN_PERFORMANCE), (
        f"{name}: median performance {judged['performance']} (runs {scores}; median of "
        f"{statistics.median(scores)}), figures {judged}")


def test_the_first_visit_of_a_lesson_transfers_400_kb_or_less(measured):
    sizes = [r["bytes"] for r in measured["lesson"]]
    assert max(sizes) <= MAX_LESSON_BYTES, sizes  # bytes do not vary with the host's speed: every run


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_fails_the_hreflang_audit(measured, name):
    assert all(r["hreflang"] != 0 for r in measured[name]), measured[name]
    if name != "quiz":  # the lesson site's pages name their twins; the quiz pages name none
        assert all(r["hreflang"] == 1 for r in measured[name])
