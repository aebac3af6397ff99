"""Regenerate the README screenshots: QT_QPA_PLATFORM=offscreen VKREF_THEME=light python docs/screenshots/make_screenshots.py [LIBRARY_DIR]

Uses the real window through ``vkref.ui.app.run(..., screenshot=...)``, which waits for the search result before
grabbing (1280x800).
"""
import sys
from pathlib import Path

from vkref import Library
from vkref.ui.app import run

OUT = Path(__file__).resolve().parent
SHOTS = {
    "main.png": dict(query="MK-4 vertebral fracture"),
    "filtered.png": dict(query="MK-4 vertebral fracture", filters={
        "species": ["Human"], "evidence": ["Randomized controlled trial", "Controlled clinical trial", "Meta-analysis"]}),
    "detail.png": dict(query="raloxifene vitamin K2", filters={"species": ["Rat"]}, select="finding:ymj-036"),
}

if __name__ == "__main__":
    library = Library.open(sys.argv[1] if len(sys.argv) > 1 else None)
    library.wait_for_index()
    for name, options in SHOTS.items():
        code = run(library=library, screenshot=str(OUT / name), **options)
        if code:
            sys.exit(code)
    library.close()
