"""Regenerate the README screenshots: QT_QPA_PLATFORM=offscreen python docs/screenshots/make_screenshots.py [LIBRARY_DIR]

Uses the real window through ``vkref.ui.app.run(..., screenshot=...)``, which waits for the search result before
grabbing: light theme at 1280x800, the same in the dark theme, and a small laptop screen (1024x700).
"""
import os
import sys
from pathlib import Path

from vkref import Library
from vkref.ui.app import run

OUT = Path(__file__).resolve().parent
QUERY = "MK-4 vertebral fracture"
SHOTS = {  # name: (theme, size, options)
    "main.png": ("light", (1280, 800), dict(query=QUERY)),
    "main-dark.png": ("dark", (1280, 800), dict(query=QUERY)),
    "main-1024x700.png": ("light", (1024, 700), dict(query=QUERY)),
    "filtered.png": ("light", (1280, 800), dict(query=QUERY, filters={
        "species": ["Human"], "evidence": ["Randomized controlled trial", "Controlled clinical trial", "Meta-analysis"]})),
    "detail.png": ("light", (1280, 800), dict(query="raloxifene vitamin K2", filters={"species": ["Rat"]},
                                              select="finding:ymj-036")),
    "reviews-dark.png": ("dark", (1280, 800), dict(query="vitamin K2", filters={"kind": ["review"]})),
}

if __name__ == "__main__":
    library = Library.open(sys.argv[1] if len(sys.argv) > 1 else None)
    library.wait_for_index()
    for name, (theme, size, options) in SHOTS.items():
        os.environ["VKREF_THEME"] = theme
        code = run(library=library, screenshot=str(OUT / name), size=size, **options)
        if code:
            sys.exit(code)
    library.close()
