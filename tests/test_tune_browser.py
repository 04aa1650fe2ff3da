"""`interdict tune`'s report.html in a real browser: headless Chromium from Debian's packages (`chromium`,
`chromium-driver`, which .ci/run installs when missing), driven by Selenium. The test opens the page from
file://, checks the three matplotlib plots are loaded and non-empty, checks the explorer's figures at the
chosen thresholds, moves a slider with the keyboard and checks the figures, the overall figures and the
thresholds.toml the button downloads against what the engine and server/tune.py compute, and takes a
screenshot. Skipped when selenium, chromium or chromedriver is missing.

The README's screenshot (benchmarks/quality/tune-report.png) is regenerated with

    python tests/test_tune_browser.py --screenshot benchmarks/quality/tune-report.png
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

if __package__ in (None, ""):  # run as a script: the repository root on the path, for engine/ server/ tests/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import engine
from server import cli, tune

try:
    from tests.test_tune import FIXTURE_HEADER, labelled_rows, write_csv
except ImportError:  # pytest's rootdir-relative import mode
    from test_tune import FIXTURE_HEADER, labelled_rows, write_csv  # type: ignore[no-redef]

CHROMIUM = os.environ.get("INTERDICT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = os.environ.get("INTERDICT_CHROMEDRIVER") or shutil.which("chromedriver")
try:
    import selenium  # noqa: F401
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

pytestmark = [
    pytest.mark.skipif(not HAVE_SELENIUM, reason="selenium not installed (pip install '.[test]')"),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium; .ci/run does)"),
    pytest.mark.skipif(CHROMEDRIVER is None, reason="no chromedriver (apt-get install chromium-driver; .ci/run does)"),
]

METRICS = ("precision", "recall", "f1", "alerts", "tp", "fp", "fn", "tn")


def start_browser(download_dir: Path, scratch: Path, width: int = 1280, height: int = 1600):
    """Headless Chromium via Debian's chromedriver: no browser or driver download (Selenium Manager unused).
    Its TMPDIR is `scratch`: Chromium leaves a singleton-socket directory there, not in /tmp."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(download_dir), "download.prompt_for_download": False,
    })
    scratch.mkdir(parents=True, exist_ok=True)
    service = Service(executable_path=CHROMEDRIVER, env={**os.environ, "TMPDIR": str(scratch)})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def tune_report(workdir: Path) -> tuple[Path, list[tune.GroupResult]]:
    """The generated labelled set of tests/test_tune.py, tuned into workdir/out; and the engine's figures
    for it, computed here from the same scored pairs."""
    labels = write_csv(workdir / "labels.csv", FIXTURE_HEADER, labelled_rows())
    assert cli.main(["tune", "--labels", str(labels), "--out", str(workdir / "out")]) == 0
    results = tune.analyse(tune.score_pairs(tune.read_labels(labels)))
    return workdir / "out", results


def shown(driver, slug: str) -> dict[str, str]:
    return driver.execute_script(
        "var slug = arguments[0], out = {};"
        "arguments[1].forEach(function (k) { out[k] = document.getElementById(k + '-' + slug).textContent; });"
        "var t = document.getElementById('threshold-' + slug); if (t) out.threshold = t.textContent;"
        "return out;", slug, list(METRICS))


def expected(c: dict[str, Any], t: float | None = None) -> dict[str, str]:
    """How the page writes the figures tune.confusion computed (JS_UI's show())."""
    out = {"precision": f"{c['precision']:.3f}", "recall": f"{c['recall']:.3f}", "f1": f"{c['f1']:.3f}",
           "alerts": f"{c['alerts_per_1000']:.2f}", **{k: str(c[k]) for k in ("tp", "fp", "fn", "tn")}}
    if t is not None:
        out["threshold"] = f"{t:.2f}"
    return out


def overall(groups: list[tune.GroupResult], thresholds: dict[tuple[str, str], float]) -> dict[str, Any]:
    """Every group at its own threshold: summed counts, the rates from them."""
    counts = {k: sum(g.at(thresholds[(g.list_id, g.kind)])[k] for g in groups) for k in ("tp", "fp", "fn", "tn")}
    tp, fp, fn, tn = (counts[k] for k in ("tp", "fp", "fn", "tn"))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {**counts, "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "alerts_per_1000": 1000.0 * (fp / (fp + tn) if fp + tn else 0.0)}


def wait_for(path: Path, timeout: float = 10.0) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.stat().st_size and not path.with_name(path.name + ".crdownload").exists():
            return path
        time.sleep(0.05)
    raise AssertionError(f"{path} not downloaded within {timeout} s")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[tune.GroupResult]]:
    return tune_report(tmp_path_factory.mktemp("tuned"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    driver = start_browser(downloads, tmp_path_factory.mktemp("chromium-tmp"))
    driver.downloads = downloads
    yield driver
    driver.quit()


def test_report_in_headless_chromium(report, browser, tmp_path):
    from selenium.webdriver.common.keys import Keys

    out, results = report
    groups = [g for g in results if g.list_id != tune.OVERALL]
    browser.get((out / "report.html").resolve().as_uri())
    assert browser.title.startswith("Interdict threshold tuning")

    # the plots: three embedded PNGs, decoded and drawn with a real size
    images = browser.execute_script(
        "return Array.prototype.map.call(document.images, function (i) { return {id: i.id, complete: i.complete,"
        " w: i.naturalWidth, h: i.naturalHeight, shownW: i.getBoundingClientRect().width, src: i.src.slice(0, 22)}; });")
    assert [i["id"] for i in images] == ["plot-histograms", "plot-pr", "plot-roc"]
    for i in images:
        assert i["complete"] and i["w"] > 200 and i["h"] > 200 and i["shownW"] > 200, i
        assert i["src"] == "data:image/png;base64,", i

    # the explorer at the chosen thresholds shows the engine's figures
    slugs = browser.execute_script(
        "return JSON.parse(document.getElementById('interdict-data').textContent).groups.map(function (g) { return g.slug; });")
    assert len(slugs) == len(groups) == 2
    chosen = {(g.list_id, g.kind): g.chosen for g in groups}
    for slug, g in zip(slugs, groups):
        assert shown(browser, slug) == expected(g.at(g.chosen), g.chosen), slug
    assert shown(browser, "overall") == expected(overall(groups, chosen))
    preview = browser.execute_script("return document.getElementById('toml-preview').textContent;")
    assert preview == tune.thresholds_toml(results) == (out / "thresholds.toml").read_text(encoding="utf-8")

    # move the first group's slider with the keyboard to a threshold whose counts differ
    g = groups[0]
    counts = lambda t: tuple(g.at(t)[k] for k in ("tp", "fp", "fn", "tn"))
    target = next(t for t in sorted(tune.GRID, key=lambda t: abs(t - (g.chosen - 0.15))) if counts(t) != counts(g.chosen))
    steps = round((g.chosen - target) * 100)
    slider = browser.find_element("id", f"slider-{slugs[0]}")
    slider.send_keys((Keys.ARROW_LEFT if steps > 0 else Keys.ARROW_RIGHT) * abs(steps))
    assert slider.get_attribute("value") == str(round(target * 100))
    assert shown(browser, slugs[0]) == expected(g.at(target), target)
    assert shown(browser, slugs[1]) == expected(groups[1].at(groups[1].chosen), groups[1].chosen)  # untouched
    moved = {**chosen, (g.list_id, g.kind): target}
    assert shown(browser, "overall") == expected(overall(groups, moved))
    rows = browser.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#nearest-' + arguments[0] + ' tr'),"
        " function (tr) { return [Number(tr.cells[0].textContent), tr.cells[1].textContent, tr.cells[2].textContent]; });",
        slugs[0])
    assert len(rows) == 15
    for score, label, outcome in rows:  # the pairs nearest the new threshold, each with its outcome there
        if abs(score - target) < 0.0006:
            continue  # shown to 3 decimals: too close to tell which side here
        assert outcome == {(True, "1"): "TP", (True, "0"): "FP", (False, "1"): "FN", (False, "0"): "TN"}[(score >= target, label)]

    # the download: what server/tune.py writes for that threshold
    want = tune.thresholds_toml(results, chosen=moved)
    assert browser.execute_script("return document.getElementById('toml-preview').textContent;") == want
    browser.find_element("id", "download-toml").click()
    got = wait_for(browser.downloads / "thresholds.toml").read_text(encoding="utf-8")
    assert got == want
    assert engine.Config.from_dict(tomllib.loads(got)).thresholds_for(g.list_id, g.kind).report == target

    # a screenshot
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


def screenshot(dest: Path, width: int = 1100, height: int = 1700) -> Path:
    """The README's picture: the top of a report for the generated set (summary, histograms)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out, _ = tune_report(Path(tmp))
        driver = start_browser(Path(tmp), Path(tmp) / "chromium-tmp", width, height)
        try:
            driver.get((out / "report.html").resolve().as_uri())
            # hide the generation time and temporary path, so the picture only changes with the report
            driver.execute_script("document.getElementById('meta').querySelector('code').textContent = 'labels.csv';"
                                  "var m = document.getElementById('meta'); m.innerHTML = m.innerHTML.replace("
                                  "/generated [^.]*UTC/, 'generated by tests/test_tune_browser.py');")
            dest.parent.mkdir(parents=True, exist_ok=True)
            assert driver.save_screenshot(str(dest))
        finally:
            driver.quit()
    return dest


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Screenshot `interdict tune`'s report.html in headless Chromium.")
    ap.add_argument("--screenshot", type=Path, default=Path("benchmarks/quality/tune-report.png"))
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=1700)
    a = ap.parse_args()
    if not (HAVE_SELENIUM and CHROMIUM and CHROMEDRIVER):
        sys.exit("needs selenium, chromium and chromedriver (apt-get install chromium chromium-driver)")
    path = screenshot(a.screenshot, a.width, a.height)
    print(f"{path}: {path.stat().st_size} bytes")
