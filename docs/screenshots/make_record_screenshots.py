"""Regenerate the README screenshots of curating in the window (the record forms, History, Trash, the banner of a
retracted review): QT_QPA_PLATFORM=offscreen python docs/screenshots/make_record_screenshots.py

Works on a throw-away library built from the bundled data (nothing of yours is changed): the review
iwamoto-2006-cds is marked retracted for the pictures, one finding is edited and one moved to the trash.
"""
import os
import shutil
import tempfile
from pathlib import Path

from vkref import Library
from vkref.ui.app import _qt_app, run

OUT = Path(__file__).resolve().parent
REVIEW = "iwamoto-2006-cds"


def prepare(lib) -> None:
    lib.edit(REVIEW, {"status": "retracted", "status_date": "2024-05-01",
                      "status_note": "example for the screenshot: not a real retraction",
                      "status_notice": "Retraction notice (example)"})
    lib.edit("cds-001", {"dose": "45 mg/day", "duration": "2 years"})
    lib.edit("cds-001", {"outcome": "vertebral fracture; hip fracture"})
    lib.trash_finding("cds-014")


def grab(widget, name: str, app) -> None:
    widget.show()
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(OUT / name))
    widget.close()


def forms(lib) -> None:
    from vkref.ui.finding_form import FindingForm
    from vkref.ui.record_dialogs import HistoryDialog, TrashDialog
    from vkref.ui.review_form import ReviewForm
    from vkref.ui.theme import Theme

    app = _qt_app()
    Theme(app).apply()
    grab(FindingForm(lib, REVIEW, lib.get_finding("cds-001")), "record-finding.png", app)
    new = FindingForm(lib, REVIEW, None)
    new.statement.setPlainText("Menatetrenone given with a bisphosphonate prevented more vertebral fractures.")
    new.concepts["agent"].setText("menatetrenone; unobtainium")
    new.concepts["species"].setText("Human")
    new.concepts["evidence"].setText("animal study")
    grab(new, "record-finding-invalid.png", app)
    grab(ReviewForm(lib, lib.get_review(REVIEW)), "record-review.png", app)
    grab(HistoryDialog(lib, "cds-001"), "record-history.png", app)
    grab(TrashDialog(lib), "record-trash.png", app)


if __name__ == "__main__":
    os.environ["VKREF_THEME"] = "light"
    work = Path(tempfile.mkdtemp(prefix="vkref-shots-")) / "lib"
    library = Library.open(work)
    try:
        prepare(library)
        run(library=library, screenshot=str(OUT / "record-retracted.png"), query="raloxifene vertebral",
            select="finding:cds-001")
        forms(library)
    finally:
        library.close()
        shutil.rmtree(work.parent, ignore_errors=True)
