"""Render a commissioning report to PDF and save its pages here as PNGs for the README.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/report.py [simulated|passed|
failed|rolled-back|queued]``. ``simulated`` (the default, what the README shows) commissions the
simulated default bench with the mixed three-port profile and registers it in the simulated cloud,
all on 127.0.0.1; the others render the fixed sample record. The PDF goes to a temporary folder
(its path is printed); only the page images (``report-page1.png``, ...) are kept.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from commissioner.core.cloud.profiles import simulator_profile
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning import load_profile
from commissioner.core.commissioning.headless import commission
from commissioner.core.commissioning.journal import CommissioningJournal
from commissioner.core.commissioning.report_sample import sample_record
from commissioner.core.commissioning.run_model import RunRecord, RunStatus, SiteFields
from commissioner.core.commissioning.session import RunOptions
from commissioner.core.commissioning.verify_data import DataWaitOptions
from commissioner.core.edge.client import EdgeClient
from commissioner.core.settings import data_dir
from commissioner.reporting.pdf import ensure_gui_application, render_pdf_pages, write_report
from commissioner.resources import resource_path
from commissioner.sim.cloud.server import CloudSim
from commissioner.sim.scenario import load_scenario
from commissioner.sim.server import ThreadServer

OUT = Path(__file__).resolve().parent
VARIANTS = {
    "passed": {},
    "failed": {"status": RunStatus.FAILED},
    "rolled-back": {"status": RunStatus.ROLLED_BACK},
    "queued": {"cloud_status": "queued"},
}


async def simulated_record() -> RunRecord:
    """A real run: the engine against the simulated THREAD and cloud, with the default timings."""
    os.environ.setdefault("COMMISSIONER_DATA_DIR", tempfile.mkdtemp(prefix="commissioner-data-"))
    async with (
        ThreadServer(load_scenario("default"), time_sync_s=0.0) as thread,
        CloudSim(seed=7) as cloud_sim,
        EdgeClient(thread.url) as client,
        CloudWorkspace(simulator_profile(cloud_sim.url), data_dir() / "cloud") as cloud,
    ):
        await cloud.sign_in()
        await cloud.refresh_templates()
        journal = CommissioningJournal(data_dir() / "journal.sqlite")
        site = SiteFields(
            site="North Embankment, Section B",
            location="Cabinet NE-B3, chainage 1+240",
            technician="Dana Whitfield",
            notes="Weather probe on the mast at 2.5 m; transducer anchor re-torqued.",
        )
        profile = load_profile(resource_path("profiles", "mixed-three-port.toml"))
        options = RunOptions(data=DataWaitOptions(timeout_s=12.0, min_values=5))
        record, _ = await commission(client, journal, profile, site, cloud=cloud, options=options)
        return record


def main(variant: str = "simulated") -> list[Path]:
    ensure_gui_application()
    if variant == "simulated":
        record = asyncio.run(simulated_record())
    else:
        record = sample_record(**VARIANTS[variant])  # type: ignore[arg-type]
    folder = Path(tempfile.mkdtemp(prefix="commissioner-report-"))
    files = write_report(record, folder)
    print(f"wrote {files.pdf} and {files.html}")
    suffix = "" if variant == "simulated" else f"-{variant}"
    for stale in OUT.glob(f"report{suffix}-page*.png"):
        stale.unlink()
    pages = render_pdf_pages(files.pdf, OUT / f"report{suffix}")
    for page in pages:
        print(f"saved {page}")
    return pages


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "simulated")
