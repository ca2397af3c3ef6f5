"""How fast the HTML report (``econsec report``) opens and switches language in Chromium.

Opens the report file in Debian's chromium (Playwright, ``executable_path``) with every
request that leaves the file refused, and prints:

- the file size;
- first contentful paint (the browser's ``first-contentful-paint`` entry);
- first screen drawn: the time, from navigation start, when every chart that intersects the
  first viewport exists and a frame has been painted after it;
- language switch: from the click on the other language's button to the next painted frame
  (how long the page is frozen), and to the charts of the new viewport drawn;
- opening one commodity's section (``<details>``): to the next frame and to its charts drawn;
- long tasks (> 50 ms) during the load, and the number of charts drawn after the load;
- at 375 px, in both languages: no horizontal page overflow (``scrollWidth <= innerWidth``).

Each figure is the median of ``--runs`` fresh browser contexts; ratios are to the targets
(first screen < 3 s, language switch < 300 ms). ``--shots DIR`` saves screenshots at 1280 and
375 px in ja and en.

    .venv/bin/python benchmarks/report_open.py --report out/index.html
    .venv/bin/python benchmarks/report_open.py --db econsec.db --runs 3 --shots shots/
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TARGET_FIRST_SCREEN = 3.0
TARGET_SWITCH = 0.3

#: Installed before the report's own scripts: records long tasks.
INIT = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__longTasks.push(e.duration); });
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""

#: The charts of the shown language that intersect the viewport, drawn or not.
VIEWPORT_CHARTS = """
(() => {
  const lang = document.documentElement.lang;
  const out = {drawn: 0, pending: 0};
  document.querySelectorAll('.lang-block[lang="' + lang + '"] .chart').forEach((el) => {
    if (!el.checkVisibility()) return;  // in a closed <details> or a hidden block
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.bottom < 0 || r.top > innerHeight) return;
    if (el.querySelector('.main-svg')) out.drawn += 1; else out.pending += 1;
  });
  return out;
})()
"""

#: Resolves after the next painted frame, with performance.now() at that moment.
NEXT_FRAME = """
() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(
  () => resolve(performance.now()), 0)))
"""

CLICK_AT = """
(selector) => new Promise((resolve) => {
  const t0 = performance.now();
  document.querySelector(selector).click();
  requestAnimationFrame(() => setTimeout(() => resolve([t0, performance.now()]), 0));
})
"""


def build(db: Path, out: Path) -> Path:
    """``econsec report --db db --out out``; the path of the written file."""
    subprocess.run([sys.executable, "-m", "econsec", "report", "--db", str(db), "--out",
                    str(out)], check=True, capture_output=True, text=True)
    return out / "index.html"


def wait_charts(page: Any, timeout: float) -> float:
    """Poll until every chart in the viewport is drawn; performance.now() at the next frame."""
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate(VIEWPORT_CHARTS)
        if state["pending"] == 0:
            return float(page.evaluate(NEXT_FRAME))
        if time.monotonic() > deadline:
            raise TimeoutError(f"charts still pending after {timeout} s: {state}")
        page.wait_for_timeout(20)


def switch(page: Any, lang: str, timeout: float, result: dict[str, float], key: str) -> None:
    """Click ``lang``'s button: seconds to the next frame and to the new charts drawn."""
    t0, painted = page.evaluate(CLICK_AT, f'button.lang[data-lang="{lang}"]')
    charts = wait_charts(page, timeout)
    result[f"{key}_paint"] = (painted - t0) / 1000
    result[f"{key}_charts"] = (charts - t0) / 1000


def one_run(browser: Any, url: str, timeout: float) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def refuse(route: Any) -> None:
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    page = context.new_page()
    page.set_default_timeout(timeout * 1000)
    page.add_init_script(INIT)
    page.goto(url + "#lang=ja", wait_until="commit", timeout=timeout * 1000)
    first_screen = wait_charts(page, timeout)
    fcp = page.evaluate("""(performance.getEntriesByName('first-contentful-paint')[0]
                         || {startTime: NaN}).startTime""")
    page.wait_for_timeout(500)  # let anything scheduled after the first screen run
    drawn = page.evaluate("[...document.querySelectorAll('.chart')]"
                          ".filter((el) => el.querySelector('.main-svg')).length")
    long_tasks = page.evaluate("window.__longTasks")
    result = {"fcp": fcp / 1000, "first_screen": first_screen / 1000,
              "charts_after_load": drawn, "long_tasks": len(long_tasks),
              "longest_task": max(long_tasks, default=0) / 1000}
    for lang in ("en", "ja"):  # at the top of the report
        switch(page, lang, timeout, result, f"switch_top_{lang}")
    # Scroll to the matrix: the first Plotly chart (Plotly is unpacked and run for it).
    t0 = page.evaluate("""() => { const t0 = performance.now();
        document.getElementById('matrix-ja').scrollIntoView(); return t0; }""")
    result["first_plotly_chart"] = (wait_charts(page, timeout) - t0) / 1000
    summary = '.lang-block[lang="ja"] details[data-item="gallium"] summary'
    page.evaluate(f"document.querySelector('{summary}').scrollIntoView()")
    t0, painted = page.evaluate(CLICK_AT, summary)
    charts = wait_charts(page, timeout)
    result["open_paint"] = (painted - t0) / 1000
    result["open_charts"] = (charts - t0) / 1000
    for lang in ("en", "ja"):  # a commodity open, its charts on screen
        switch(page, lang, timeout, result, f"switch_open_{lang}")
    marks = page.evaluate("""Object.fromEntries(performance.getEntriesByType('mark')
                           .map((m) => [m.name, m.startTime]))""")
    result["plotly_unpack"] = (marks.get("econsec:plotly-unpacked", 0)
                               - marks.get("econsec:plotly-wanted", 0)) / 1000
    result["plotly_run"] = (marks.get("econsec:plotly-run", 0)
                            - marks.get("econsec:plotly-unpacked", 0)) / 1000
    if outside:
        raise AssertionError(f"requests left the file: {outside[:3]}")
    context.close()
    return result


def narrow(browser: Any, url: str, shots: Path | None, timeout: float) -> dict[str, bool]:
    """No horizontal overflow at 375 px in ja and en (a commodity opened); screenshots."""
    fits = {}
    for width, height in ((375, 812), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(timeout * 1000)
        page.goto(url + "#lang=ja&open=gallium")
        for lang in ("ja", "en"):
            page.click(f'button.lang[data-lang="{lang}"]')
            page.evaluate("window.scrollTo(0, 0)")
            wait_charts(page, timeout)
            if shots:
                page.screenshot(path=str(shots / f"report-{lang}-{width}-top.png"))
            summary = f'.lang-block[lang="{lang}"] details[data-item="gallium"] summary'
            page.evaluate(f"document.querySelector('{summary}').scrollIntoView()")
            wait_charts(page, timeout)
            if shots:
                page.screenshot(path=str(shots / f"report-{lang}-{width}-gallium.png"))
            if width == 375:
                fits[lang] = page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth")
        context.close()
    return fits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--report", type=Path, help="an existing report file (index.html)")
    source.add_argument("--db", type=Path, help="build the report from this knowledge base")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per wait")
    parser.add_argument("--shots", type=Path, help="save screenshots in this folder")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    report = args.report
    if args.db:
        report = build(args.db, Path(tempfile.mkdtemp(prefix="econsec-report-")))
    url = report.resolve().as_uri()
    size = report.stat().st_size
    print(f"report: {report} ({size / 1e6:.2f} MB)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        runs = [one_run(browser, url, args.timeout) for _ in range(args.runs)]
        print_runs(runs, size)
        if args.shots:
            args.shots.mkdir(parents=True, exist_ok=True)
        fits = narrow(browser, url, args.shots, args.timeout)
        browser.close()
    for lang, ok in fits.items():
        print(f"375 px, {lang}: {'no horizontal overflow' if ok else 'OVERFLOWS sideways'}")


def print_runs(runs: list[dict[str, float]], size: int) -> None:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"runs: {len(runs)} (median)")
    print(f"file size                      {size / 1e6:8.2f} MB")
    print(f"first contentful paint         {med('fcp'):8.3f} s")
    first = med("first_screen")
    print(f"first screen drawn             {first:8.3f} s"
          f"   target {TARGET_FIRST_SCREEN:.1f} s: {first / TARGET_FIRST_SCREEN:.2f}x")
    print(f"charts drawn after the load    {med('charts_after_load'):8.0f}")
    print(f"long tasks during the load     {med('long_tasks'):8.0f}"
          f"   longest {med('longest_task'):.3f} s")
    for where, label in (("top", "at the top"), ("open", "a commodity open")):
        for lang in ("en", "ja"):
            key = f"switch_{where}_{lang}"
            paint, charts = med(f"{key}_paint"), med(f"{key}_charts")
            print(f"switch to {lang}, {label}:")
            print(f"  to the next frame            {paint:8.3f} s"
                  f"   target {TARGET_SWITCH:.1f} s: {paint / TARGET_SWITCH:.2f}x")
            print(f"  to its charts drawn          {charts:8.3f} s"
                  f"   target {TARGET_SWITCH:.1f} s: {charts / TARGET_SWITCH:.2f}x")
    print(f"scroll to the first Plotly chart {med('first_plotly_chart'):6.3f} s"
          " (Plotly unpacked and run, matrix drawn)")
    print(f"  of which Plotly unpacked     {med('plotly_unpack'):8.3f} s"
          f"   loaded and run {med('plotly_run'):.3f} s")
    print(f"open a commodity: next frame   {med('open_paint'):8.3f} s")
    print(f"open a commodity: charts drawn {med('open_charts'):8.3f} s", flush=True)


if __name__ == "__main__":
    main()
