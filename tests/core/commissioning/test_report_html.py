"""The commissioning report's HTML says what was proven, escapes what people typed, and gives the
PDF writer pieces it can paginate without splitting a table row."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import escape

import pytest

import commissioner
from commissioner.core.commissioning.report_html import (
    HASH_PURPOSE,
    UNIT_MARKER,
    plot_names,
    render_html,
    report_basename,
)
from commissioner.core.commissioning.report_plot import trace_svg
from commissioner.core.commissioning.report_sample import sample_record
from commissioner.core.commissioning.run_model import (
    ChannelTrace,
    CloudRecord,
    RunRecord,
    RunStatus,
    ThreadIdentity,
)


@pytest.mark.parametrize("for_pdf", [False, True])
def test_every_check_with_its_evidence_and_the_hash(for_pdf: bool) -> None:
    record = sample_record()
    html = render_html(record, for_pdf=for_pdf)
    for check in record.checks:
        assert escape(check.label) in html
        assert escape(check.evidence) in html
        assert check.key in html
    assert record.config_hash.startswith("sha256:")
    assert record.config_hash in html
    assert escape(HASH_PURPOSE) in html


def test_registered_cloud_ids_are_listed() -> None:
    record = sample_record()
    assert record.cloud is not None and record.cloud.node_id
    html = render_html(record)
    assert "Registered" in html
    assert record.cloud.node_id in html
    for device in record.cloud.device_ids.values():
        assert device in html
    for sensors in record.cloud.sensor_ids.values():
        for sensor in sensors:
            assert sensor in html


def test_queued_registration_says_so_with_its_number() -> None:
    html = render_html(sample_record(cloud_status="queued"))
    assert "Queued" in html
    assert "will be delivered when online, registration #12" in html


def test_no_cloud_record_reads_not_registered() -> None:
    record = sample_record(status=RunStatus.FAILED)
    assert record.cloud is None
    assert "Not registered" in render_html(record)


@pytest.mark.parametrize("for_pdf", [False, True])
def test_user_text_is_escaped(for_pdf: bool) -> None:
    record = sample_record(technician="<script>alert('x')</script>")
    record.site = replace(record.site, notes="a < b & c > d", location='"quoted" <b>bold</b>')
    record.identity = replace(record.identity, serial="<img src=x>")
    html = render_html(record, for_pdf=for_pdf)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "a &lt; b &amp; c &gt; d" in html
    assert "<b>bold</b>" not in html
    assert "<img src=x>" not in html


@pytest.mark.parametrize(
    ("status", "banner", "colour"),
    [
        (RunStatus.PASSED, "PASSED", "#2e7d32"),
        (RunStatus.FAILED, "FAILED", "#c62828"),
        (RunStatus.ROLLED_BACK, "ROLLED BACK", "#b26a00"),
        (RunStatus.IN_PROGRESS, "IN PROGRESS", "#607d8b"),
    ],
)
def test_verdict_banner(status: RunStatus, banner: str, colour: str) -> None:
    record = sample_record(status=status)
    html = render_html(record)
    assert f'<span class="big">{banner}</span>' in html
    assert f'bgcolor="{colour}"' in html
    if record.failure:
        assert escape(record.failure) in html


def test_failed_check_and_its_reason_are_shown() -> None:
    record = sample_record(status=RunStatus.FAILED)
    html = render_html(record)
    assert ">FAIL</td>" in html
    assert "4 of 24 samples above 50 mm" in html
    assert "4 outside" in html  # the plot's caption counts the samples out of range


def test_configuration_as_left_table() -> None:
    record = sample_record()
    html = render_html(record)
    for text in ("RS232", "RS485", "ANALOG", "19200", "0D0A", "Baud rate", "Parity", "cellular"):
        assert text in html
    assert "12 V" in html
    assert "inferred from 12.02 V measured" in html
    assert "last applied by this app" in html
    assert "on (low 10 %, high 100 %)" in html
    rolled_back = render_html(sample_record(status=RunStatus.ROLLED_BACK))
    assert "0 V" in rolled_back  # as left = the snapshot: supplies off again
    assert "undone when the THREAD was rolled back" in rolled_back


def test_only_settings_that_changed_are_listed_as_changes() -> None:
    record = sample_record()
    html = render_html(record)
    assert "Port 2 baud rate" in html
    assert "Port 1 baud rate" not in html  # 9600 before and after
    changed = sum(c.changes for c in record.changes)
    assert f"{changed} of {len(record.changes)} settings" in html


def test_checks_are_grouped_by_stage_in_run_order() -> None:
    html = render_html(sample_record())
    positions = [
        html.index(f">{label}</td>")
        for label in ("Verify", "Register in the cloud", "Confirm in the cloud")
    ]
    assert positions == sorted(positions)
    for badge in ("PASS", "WARN", "SKIPPED"):
        assert f">{badge}</td>" in html


def test_identity_site_and_local_times() -> None:
    record = sample_record()
    html = render_html(record)
    for text in ("A1B2C3", "192.168.8.1", "7.18.0", "4.2.1", "V12", "Dana Whitfield"):
        assert text in html
    assert escape(record.site.location) in html
    assert escape(record.profile_name) in html
    assert re.search(r"2026-01-0\d \d\d:\d\d:\d\d UTC[+-]\d\d:\d\d", html)
    assert f"THREAD Commissioner {commissioner.__version__}" in html


def test_browser_html_inlines_plots_and_pdf_html_names_them() -> None:
    record = sample_record()
    browser, pdf = render_html(record), render_html(record, for_pdf=True)
    assert browser.count("<polyline") == len(record.traces)
    assert "@page" in browser and UNIT_MARKER.search(browser) is None
    assert "<svg" not in pdf and "<polyline" not in pdf
    for name in plot_names(record):
        assert f'src="{name}"' in pdf


def test_pdf_html_rows_are_their_own_units() -> None:
    """The PDF writer must be able to break between any two rows, never inside one."""
    pieces = UNIT_MARKER.split(render_html(sample_record(), for_pdf=True))
    kinds, bodies = pieces[1::2], pieces[2::2]
    assert {"block", "keep", "head", "row"} <= set(kinds)
    for kind, body in zip(kinds, bodies, strict=True):
        if kind in ("head", "row"):
            assert body.count("<tr>") == 1
            assert body.startswith("<table") and body.endswith("</table>")


def test_same_report_after_a_journal_round_trip() -> None:
    record = sample_record(cloud_status="queued")
    again = RunRecord.from_json(record.to_json())
    assert render_html(again) == render_html(record)


def test_plot_names_are_unique_and_file_safe() -> None:
    record = sample_record()
    weird = ChannelTrace(2, "Flow / Rate <m3>", "", (0.0,), (1.0,))
    record.traces = [weird, weird, *record.traces]
    names = list(plot_names(record))
    assert len(set(names)) == len(record.traces)
    assert names[:2] == ["plot-2-flow_rate_m3.png", "plot-2-flow_rate_m3-2.png"]
    assert all(re.fullmatch(r"plot-\d-[a-z0-9_-]+\.png", name) for name in names)


def test_report_basename() -> None:
    record = sample_record()
    assert re.fullmatch(r"commissioning-A1B2C3-run42-\d{8}-\d{4}", report_basename(record))
    record.identity = ThreadIdentity(serial="../evil serial", address="x")
    assert re.fullmatch(r"commissioning-evil_serial-run42-\d{8}-\d{4}", report_basename(record))


def test_empty_record_still_renders() -> None:
    record = RunRecord(
        run_id=1,
        identity=ThreadIdentity(serial="X1", address="127.0.0.1"),
        site=sample_record().site,
        profile_name="",
        status=RunStatus.IN_PROGRESS,
        stage=sample_record(status=RunStatus.IN_PROGRESS).stage,
        started_at=0.0,
        cloud=CloudRecord("skipped", reason="offline by choice"),
    )
    html = render_html(record, for_pdf=True)
    assert "not read back" in html
    assert "No verification was run" in html
    assert "not computed" in html
    assert "offline by choice" in html


def test_trace_svg_draws_limits_and_out_of_range_points() -> None:
    trace = ChannelTrace(2, "displacement", "mm", (0.0, 5.0, 10.0), (1.0, 62.0, -3.0), -50.0, 50.0)
    svg = trace_svg(trace, 320, 110)
    root = ET.fromstring(svg)
    assert root.get("width") == "320" and root.get("height") == "110"
    assert svg.count('stroke-dasharray="4,3"') == 2  # both limits are near: dashed lines
    assert svg.count('fill="#c62828"') == 1  # the one sample above 50 mm


def test_trace_svg_names_far_limits_and_handles_no_data() -> None:
    far = ChannelTrace(3, "loop_current", "mA", (0.0, 24.0), (11.9, 12.1), 4.0, 20.0)
    svg = trace_svg(far)
    ET.fromstring(svg)
    assert "stroke-dasharray" not in svg
    assert "min 4 mA" in svg and "max 20 mA" in svg and "off scale" in svg
    empty = trace_svg(ChannelTrace(1, "t <x>", "", (), ()))
    ET.fromstring(empty)
    assert "no data captured" in empty
