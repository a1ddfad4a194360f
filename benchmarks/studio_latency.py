"""How fast the studio answers: from an edit in the browser to the redrawn preview, and from
"Run comparison" to a verdict.

Usage::

    python benchmarks/studio_latency.py [--edits 20] [--scenario hoover_promotion]

Starts ``loyalsim studio`` as a user does, drives Debian's Chromium with Playwright, and times:

* **redraw**: a field typed and left, until the summary line shows the new preview (the
  browser's round trip to the server, the preview and the page update), ``--edits`` times on
  the coffee shop's reach rate, alternating between two values; then on ``--design-scenario``
  (a design in place): its reach rate (the design's preview and the business's without it
  are both worked out again) and its design's monthly running cost (the design's only);
* **verdict**: from the click on "Run comparison" (paired runs ``auto``) until the verdict
  table shows, on ``--scenario`` (serial runs on one core, as the studio runs them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

sys.path.insert(0, "tests")
from test_studio import BROWSER_FLAGS, CHROMIUM, running_studio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--scenario", default="hoover_promotion")
    parser.add_argument("--design-scenario", default="refer_a_friend")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with running_studio() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, timeout=60_000)
        summary = page.get_by_text("preview in")
        summary.wait_for(timeout=60_000)

        def redraws(label: str, values: tuple[str, str], what: str) -> None:
            field = page.get_by_label(label)
            times = []
            for i in range(args.edits):
                before = summary.inner_text().split(" ms:")[1]
                start = time.perf_counter()
                field.fill(values[i % 2])
                field.press("Tab")
                while summary.inner_text().split(" ms:")[1] == before:
                    page.wait_for_timeout(5)
                times.append(time.perf_counter() - start)
            print(
                f"redraw, {what}: median {1000 * statistics.median(times):.0f} ms, "
                f"max {1000 * max(times):.0f} ms over {len(times)} edits"
            )

        redraws("reach_rate_per_year (1/year)", ("1.2", "0.6"), "coffee shop, reach rate")
        page.get_by_label("Scenario").select_option(args.design_scenario)
        page.wait_for_timeout(3000)
        redraws(
            "reach_rate_per_year (1/year)", ("0.5", "0.25"), f"{args.design_scenario}, reach rate"
        )
        page.get_by_text("Design:", exact=False).first.click()
        page.wait_for_timeout(1000)
        redraws(
            "costs.running_cost_per_month (currency per month)",
            ("120", "60"),
            f"{args.design_scenario}, the design's running cost",
        )
        page.get_by_label("Scenario").select_option(args.scenario)
        page.wait_for_timeout(2000)
        start = time.perf_counter()
        page.get_by_role("button", name="Run comparison").click()
        page.get_by_text("Verdict after", exact=False).wait_for(timeout=3_600_000)
        status = page.get_by_text("Verdict after", exact=False).inner_text()
        print(f"verdict: {time.perf_counter() - start:.1f} s on {args.scenario} ({status})")
        browser.close()


if __name__ == "__main__":
    main()
