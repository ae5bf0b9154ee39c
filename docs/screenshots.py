"""The README's screenshots of the review report: the summary and one source page.

    python docs/screenshots.py [--out outputs]    (after `make run`)

Opens ``OUT/report.html`` in Debian's headless chromium (benchmarks/browser.py), waits for the
first charts, and saves ``docs/report-summary.png`` and ``docs/report-source.png`` (a source page
with a mention selected in the side panel), reduced to 256 colours to keep them small.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "benchmarks"))

from browser import chromium, wait_for  # noqa: E402


def save(png: bytes, path: Path, height: int) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.crop((0, 0, image.width, min(height, image.height)))
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path} {path.stat().st_size // 1024} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("outputs"))
    parser.add_argument("--source", default=None, help="doc_id of the source page to show (default: the one with most doses)")
    args = parser.parse_args()
    report = (args.out / "report.html").resolve()
    with chromium(1280, 1500) as driver:
        driver.get(report.as_uri())
        wait_for(driver, "[...document.querySelectorAll('figure.chart')].slice(0, 2).every(f => f.dataset.rendered == 'true')")
        save(driver.get_screenshot_as_png(), DOCS / "report-summary.png", 1500)
        links = driver.execute_script(
            "return [...document.querySelectorAll('table.doses td.src a')].map(a => a.href)"
        )
        source = next((link for link in links if args.source and f"/{args.source}-" in link), None) or max(set(links), key=links.count)
        driver.set_window_size(1280, 1100)
        driver.get(source.split("#")[0])
        wait_for(driver, "document.readyState == 'complete'")
        mark = driver.execute_script("return document.querySelector('mark.m.DOSE') || document.querySelector('mark.m')")
        mark.click()  # the side panel shows it
        driver.execute_script("window.scrollTo(0, 0)")
        save(driver.get_screenshot_as_png(), DOCS / "report-source.png", 1100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
