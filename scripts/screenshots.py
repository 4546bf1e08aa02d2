"""Screenshots of the dashboard's pages on the demo data, for the README (`make screenshots`).

    python scripts/screenshots.py [--db sqlite:///demo.db] [--out docs/screenshots] [--root DIR]

Load and score the demo first (`nasluch --db sqlite:///demo.db demo --no-dashboard`). A fresh
`streamlit run` with sign-in off (on a copy of the config) is driven by Debian's Chromium; each
page is captured once its script is idle and its charts are drawn. The Inbox is captured twice:
the queue (`inbox.png`) and the top conversation opened by a click on its row
(`inbox_conversation.png`). `--root` points at another checkout (e.g. an older commit in a git
worktree) to capture its pages on the same data, for a before/after comparison.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_kit import chromium, idle, new_tab, no_exception, shows, streamlit  # noqa: E402

# file name -> URL path of the page (the landing page is "/")
PAGES = {"overview": "", "peak_hours": "peak_hours", "themes": "themes", "alerts": "alerts",
         "inbox": "inbox", "response_times": "response_times", "staffing": "staffing",
         "sources": "sources", "model": "model"}
CHART = '[data-testid="stVegaLiteChart"]'
GRID = '[data-testid="stDataFrame"]'


def capture(tab, url: str, path: Path) -> None:
    tab.goto(url)
    shows(tab, tab.locator("h1").first)
    idle(tab)
    # placeholders ("skeletons") gone, then every chart drawn, not only placed
    tab.locator('[data-testid="stSkeleton"]').first.wait_for(state="detached", timeout=120_000)
    idle(tab)
    for chart in tab.locator(CHART).all():
        shows(tab, chart.locator("canvas, svg.marks").first)
    no_exception(tab, path.stem)
    tab.screenshot(path=str(path), full_page=True)
    print(f"{path}  ({tab.title()})")


def open_top_conversation(tab, path: Path) -> None:
    """Click the first row of the queue grid and capture the conversation it opens, from its
    controls (status, assignee, tags) down to the reply box."""
    grid = tab.locator(GRID).first
    shows(tab, grid)
    box = grid.bounding_box()
    # the first body row: below the header row (35 px), in the grid's second column
    tab.mouse.click(box["x"] + 120, box["y"] + 35 + 17)
    idle(tab)
    claim = tab.get_by_role("button", name="Claim")
    shows(tab, claim)
    no_exception(tab, path.stem)
    tab.set_viewport_size({"width": 1400, "height": 1500})
    claim.scroll_into_view_if_needed()
    tab.evaluate("""() => { const main = document.querySelector('[data-testid="stMain"]');
        const claim = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Claim');
        main.scrollTop += claim.getBoundingClientRect().top - 260; }""")
    tab.screenshot(path=str(path))
    tab.set_viewport_size({"width": 1400, "height": 900})
    print(f"{path}  (the top conversation opened)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///demo.db")
    parser.add_argument("--config", default=str(ROOT / "config.yaml"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose dashboard.py runs")
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--suffix", default="", help="added to each file name (e.g. _before)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
    settings["auth"] = {"required": False}
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
        with streamlit(args.db, config, root=args.root.resolve()) as base, chromium() as browser:
            tab = new_tab(browser, timeout_ms=180_000, height=900)
            for name in args.pages:
                capture(tab, f"{base}/{PAGES[name]}", args.out / f"{name}{args.suffix}.png")
                if name == "inbox":
                    open_top_conversation(tab, args.out / f"inbox_conversation{args.suffix}.png")
            tab.context.close()


if __name__ == "__main__":
    main()
