"""Render the sample commissioning report to PDF and save its pages here as PNGs for the README.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/report.py [passed|failed|
rolled-back|queued]``. The PDF goes to a temporary folder (its path is printed); only the page
images (``report-page1.png``, ...) are kept, because they are what the README shows.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from commissioner.core.commissioning.report_sample import sample_record
from commissioner.core.commissioning.run_model import RunStatus
from commissioner.reporting.pdf import ensure_gui_application, render_pdf_pages, write_report

OUT = Path(__file__).resolve().parent
VARIANTS = {
    "passed": {},
    "failed": {"status": RunStatus.FAILED},
    "rolled-back": {"status": RunStatus.ROLLED_BACK},
    "queued": {"cloud_status": "queued"},
}


def main(variant: str = "passed") -> list[Path]:
    ensure_gui_application()
    record = sample_record(**VARIANTS[variant])  # type: ignore[arg-type]
    folder = Path(tempfile.mkdtemp(prefix="commissioner-report-"))
    files = write_report(record, folder)
    print(f"wrote {files.pdf} and {files.html}")
    suffix = "" if variant == "passed" else f"-{variant}"
    for stale in OUT.glob(f"report{suffix}-page*.png"):
        stale.unlink()
    pages = render_pdf_pages(files.pdf, OUT / f"report{suffix}")
    for page in pages:
        print(f"saved {page}")
    return pages


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "passed")
