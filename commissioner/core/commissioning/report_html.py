"""The as-left commissioning report as HTML: what a technician hands to the client.

Why one renderer for two outputs: the browser report and the PDF must say the same thing, so both
come from here. ``for_pdf`` only changes *how* it is drawn. QTextDocument, which lays out the PDF,
knows tables and a CSS subset but no flex, no inline SVG and no ``page-break-inside``: it splits a
table row between pages line by line. So for the PDF every table row is its own one-row table
(percentage widths keep the columns aligned) and each piece is preceded by a ``<!--u:KIND-->``
marker that ``commissioner.reporting.pdf`` paginates by: ``block`` (atomic), ``keep`` (a heading,
kept with what follows), ``head`` (a table's header row, repeated after a page break) and ``row``.
Plots become image names the PDF writer renders. Every text from a person or a device is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from html import escape
from importlib import metadata

import commissioner
from commissioner.core.commissioning.report_plot import format_value, trace_svg
from commissioner.core.commissioning.report_style import BROWSER_CSS, COLOURS, COMMON_CSS
from commissioner.core.commissioning.run_model import (
    ChannelTrace,
    CheckResult,
    CheckStatus,
    PortSnapshot,
    RunRecord,
    RunStatus,
    Stage,
    ThreadSnapshot,
)
from commissioner.resources import ResourceNotFound, resource_path

PLOT_WIDTH, PLOT_HEIGHT = 320, 110
LOGO_RESOURCE = "logo.png"
UNIT_MARKER = re.compile(r"<!--u:(block|keep|head|row)-->")


HASH_PURPOSE = (
    "Read the THREAD again and compare: a different hash means a setting changed after "
    "commissioning. It covers the settings above (modes, supply voltages, serial properties, "
    "device connections, cloud connection, interface priority, battery saver), never "
    "measurements or times."
)
_VOLTS = {0: "0 V", 1: "12 V", 2: "15 V"}
_PROPS = {
    "COMM_TYPE": "Comm type",
    "BAUD_RATE": "Baud rate",
    "DATA_BITS": "Data bits",
    "PARITY_BIT": "Parity",
    "DELIMITERS_HEX": "Delimiters (hex)",
    "HOST": "Host",
    "PORT": "TCP port",
}
Cell = str | tuple[str, str]  # HTML, or (td attributes, HTML)


def app_version() -> str:
    """This app's version, as printed in the report footer."""
    version = getattr(commissioner, "__version__", None)
    if isinstance(version, str) and version:
        return version
    try:
        return metadata.version("thread-commissioner")
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def logo_svg() -> str | None:
    """The app icon as an inlinable ``<svg>`` (no XML prolog), or None if not installed."""
    try:
        text = resource_path("icons", "commissioner.svg").read_text(encoding="utf-8")
    except (ResourceNotFound, OSError):
        return None
    svg = text[text.find("<svg") :]
    return re.sub(r'width="\d+" height="\d+"', 'width="46" height="46"', svg, count=1)


def render_html(record: RunRecord, *, for_pdf: bool = False) -> str:
    """The whole report; ``for_pdf`` gives the QTextDocument-friendly variant (see module doc)."""
    out = _Out(for_pdf)
    _header(out, record)
    _summary(out, record)
    _configuration(out, record.as_left)
    _changes(out, record)
    _checks(out, record.checks)
    _traces(out, record)
    _cloud(out, record)
    _fingerprint(out, record)
    if not for_pdf:
        out.unit(
            f'<p class="footer">THREAD Commissioner {escape(app_version())} &middot; '
            f"run {record.run_id}</p>"
        )
    css = COMMON_CSS if for_pdf else COMMON_CSS + BROWSER_CSS
    title = f"Commissioning report, THREAD {record.identity.serial}, run {record.run_id}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{css}</style></head><body>{''.join(out.parts)}</body></html>"
    )


def plot_names(record: RunRecord) -> dict[str, ChannelTrace]:
    """Image resource name of each trace's plot (unique, file-name safe), in record order."""
    names: dict[str, ChannelTrace] = {}
    for trace in record.traces:
        slug = re.sub(r"[^a-z0-9_-]+", "_", trace.channel.lower()).strip("_") or "channel"
        name, count = f"plot-{trace.port}-{slug}", 1
        while f"{name}.png" in names:
            count += 1
            name = f"plot-{trace.port}-{slug}-{count}"
        names[f"{name}.png"] = trace
    return names


def report_basename(record: RunRecord) -> str:
    """File name without extension: ``commissioning-<serial>-run<id>-<YYYYmmdd-HHMM>``."""
    serial = re.sub(r"[^A-Za-z0-9_-]+", "_", record.identity.serial).strip("_") or "unknown"
    stamp = datetime.fromtimestamp(record.started_at).astimezone().strftime("%Y%m%d-%H%M")
    return f"commissioning-{serial}-run{record.run_id}-{stamp}"


def when(timestamp: float | None) -> str:
    """Local time with its UTC offset, so a reader anywhere knows the instant."""
    if timestamp is None:
        return "not finished"
    local = datetime.fromtimestamp(timestamp).astimezone()
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} UTC{offset[:3]}:{offset[3:]}"


class _Out:
    """Collects the body; in PDF mode marks the pagination units and splits tables into rows."""

    def __init__(self, for_pdf: bool) -> None:
        self.pdf = for_pdf
        self.parts: list[str] = []

    def unit(self, html: str, kind: str = "block") -> None:
        if self.pdf:
            self.parts.append(f"<!--u:{kind}-->")
        self.parts.append(html)

    def heading(self, text: str, level: int = 2) -> None:
        self.unit(f"<h{level}>{escape(text)}</h{level}>", "keep")

    def gap(self) -> None:
        self.unit('<p class="gap">&nbsp;</p>')

    def table(
        self, css: str, widths: Sequence[int], rows: list[list[Cell]], head: Sequence[str] = ()
    ) -> None:
        """A table; ``widths`` in percent; a row with fewer cells spans (its last cell)."""
        open_tag = f'<table class="{css}" width="100%" cellspacing="0" cellpadding="5">'
        head_row = "".join(f'<th width="{w}%">{h}</th>' for w, h in zip(widths, head, strict=False))
        body = [self._row(widths, row) for row in rows]
        if not self.pdf:
            thead = f"<thead><tr>{head_row}</tr></thead>" if head else ""
            self.unit(f"{open_tag}{thead}<tbody>{''.join(body)}</tbody></table>")
            return
        if head:
            self.unit(f"{open_tag}<tr>{head_row}</tr></table>", "head")
        for row in body:
            self.unit(f"{open_tag}{row}</table>", "row")

    @staticmethod
    def _row(widths: Sequence[int], row: list[Cell]) -> str:
        cells = []
        for index, cell in enumerate(row):
            attrs, html = cell if isinstance(cell, tuple) else ("", cell)
            if len(row) < len(widths) and index == len(row) - 1:
                attrs += f' colspan="{len(widths) - index}"'
            else:
                attrs += f' width="{widths[index]}%"'
            valign = "" if "valign" in attrs else ' valign="top"'
            cells.append(f"<td{valign}{attrs}>{html}</td>")
        return f"<tr>{''.join(cells)}</tr>"


def _header(out: _Out, record: RunRecord) -> None:
    svg = logo_svg()
    logo = ""
    if svg is not None:
        image = f'<img src="{LOGO_RESOURCE}" width="46" height="46">' if out.pdf else svg
        logo = f'<td width="58" valign="middle">{image}</td>'
    site = f" &middot; {escape(record.site.site)}" if record.site.site else ""
    date = when(record.finished_at or record.started_at)[:10]
    out.unit(
        '<table class="mast" width="100%" cellspacing="0" cellpadding="0"><tr>'
        f'{logo}<td valign="middle"><h1>Commissioning report</h1>'
        '<p class="sub">As-left configuration and verification of THREAD '
        f"<b>{escape(record.identity.serial)}</b>{site}</p></td>"
        f'<td align="right" valign="middle" class="sub">Run {record.run_id}<br>{date}</td>'
        "</tr></table>"
    )
    out.gap()
    colour = COLOURS.get(record.status.value, "#607d8b")
    counts = {status: sum(c.status is status for c in record.checks) for status in CheckStatus}
    words = (
        (CheckStatus.FAIL, "failed"),
        (CheckStatus.WARN, "warning"),
        (CheckStatus.SKIPPED, "skipped"),
    )
    detail = ", ".join(
        [f"{len(record.checks)} checks: {counts[CheckStatus.PASS]} passed"]
        + [f"{counts[s]} {word}" for s, word in words if counts[s]]
    )
    if record.status is RunStatus.IN_PROGRESS:
        detail += f" &middot; stopped at: {escape(record.stage.label)}"
    why = f'<p class="why">{escape(record.failure)}</p>' if record.failure else ""
    out.unit(
        f'<table width="100%" cellspacing="0" cellpadding="10" bgcolor="{colour}"><tr>'
        f'<td bgcolor="{colour}"><span class="big">{escape(record.status.value.upper())}</span>'
        f'&nbsp;&nbsp;&nbsp;<span class="detail">{detail}</span>{why}</td></tr></table>'
    )
    out.gap()


def _summary(out: _Out, record: RunRecord) -> None:
    ident, site = record.identity, record.site
    duration = "&mdash;"
    if record.finished_at is not None:
        minutes, seconds = divmod(round(record.finished_at - record.started_at), 60)
        duration = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    pairs = [
        ("Site", escape(site.site), "THREAD serial", f"<b>{escape(ident.serial)}</b>"),
        ("Location", escape(site.location), "Address", escape(ident.address)),
        ("Technician", escape(site.technician), "Hardware", escape(ident.hardware)),
        ("Started", escape(when(record.started_at)), "Application", escape(ident.application)),
        ("Finished", escape(when(record.finished_at)), "Firmware", escape(ident.firmware)),
        ("Duration", duration, "Profile", escape(record.profile_name)),
    ]
    rows: list[list[Cell]] = [
        [(' class="k"', a), b or "&mdash;", (' class="k"', c), d or "&mdash;"]
        for a, b, c, d in pairs
    ]
    if site.notes:
        rows.append([(' class="k"', "Notes"), escape(site.notes)])
    out.table("grid", (13, 41, 15, 31), rows)


def _configuration(out: _Out, snap: ThreadSnapshot | None) -> None:
    out.heading("Configuration as left")
    if snap is None:
        out.unit("<p>The THREAD was not read back: there is no as-left configuration.</p>")
        return
    saver = snap.battery_saver
    battery = "off"
    if saver.get("enabled"):
        battery = f"on (low {saver.get('low', '?')} %, high {saver.get('high', '?')} %)"
    out.heading("Gateway", 3)
    gateway: list[Cell] = [
        "on" if snap.cloud_connection else "off",
        escape(snap.interface_priority or "unknown"),
        escape(battery),
    ]
    out.table(
        "grid", (33, 33, 34), [gateway], ("Cloud connection", "Interface priority", "Battery saver")
    )
    ports = sorted(snap.ports, key=lambda p: p.port)
    keys = [k for k in _PROPS if any(k in p.properties for p in ports)]
    keys += sorted({k for p in ports for k in p.properties} - set(_PROPS))
    lines: list[tuple[str, list[str]]] = [
        ("Mode", [_sourced(escape(p.mode or "unknown"), p.mode_source) for p in ports]),
        ("Supply voltage", [_voltage(p) for p in ports]),
        ("Device connection", ["on" if p.device_connection else "off" for p in ports]),
    ]
    lines += [(_PROPS.get(k, k), [_prop(p, k) for p in ports]) for k in keys]
    share = 76 // max(len(ports), 1)
    widths = (100 - share * len(ports), *([share] * len(ports)))
    rows: list[list[Cell]] = [[(' class="k"', escape(label)), *cells] for label, cells in lines]
    out.heading("Ports", 3)
    out.table("grid", widths, rows, ("Setting", *(f"Port {p.port}" for p in ports)))


def _sourced(value: str, source: str) -> str:
    """A value with how it is known below it (not repeated when that says the same)."""
    if not source or source == value:
        return value
    return f'{value}<br><span class="src">{escape(source)}</span>'


def _voltage(port: PortSnapshot) -> str:
    value = "unknown" if port.voltage is None else _VOLTS.get(port.voltage, f"code {port.voltage}")
    source = port.voltage_source
    if port.measured_v is not None and "measured" not in source:
        source = f"{source}, measured {port.measured_v:.2f} V".lstrip(", ")
    return _sourced(escape(value), source)


def _prop(port: PortSnapshot, key: str) -> str:
    if key not in port.properties:
        return '<span class="src">&mdash;</span>'
    value = port.properties[key]
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value)) or "none"
    return escape(str(value))


def _changes(out: _Out, record: RunRecord) -> None:
    changed = [c for c in record.changes if c.changes]
    out.heading("Changes made")
    if not changed:
        out.unit("<p>None: the THREAD already matched the profile.</p>")
        return
    undone = (
        " They were undone when the THREAD was rolled back to its snapshot."
        if record.status is RunStatus.ROLLED_BACK
        else ""
    )
    out.unit(
        f'<p class="sub">{len(changed)} of {len(record.changes)} settings compared with the '
        f"profile were changed; the others already matched.{undone}</p>",
        "keep",
    )
    rows: list[list[Cell]] = [
        [escape(c.label), (' class="before"', escape(c.before)), f"<b>{escape(c.after)}</b>"]
        for c in changed
    ]
    out.table("grid", (40, 30, 30), rows, ("Setting", "Before", "After"))


def _checks(out: _Out, checks: list[CheckResult]) -> None:
    out.heading("Verification")
    if not checks:
        out.unit("<p>No verification was run.</p>")
        return
    rows: list[list[Cell]] = []
    for stage in Stage:
        items = [c for c in checks if c.stage is stage]
        if items:
            rows.append([(' class="stage"', escape(stage.label))])
        for check in items:
            status = check.status.value
            badge = f' class="badge" align="center" valign="middle" bgcolor="{COLOURS[status]}"'
            rows.append(
                [
                    (badge, status.upper()),
                    f'{escape(check.label)}<br><span class="src">{escape(check.key)}</span>',
                    escape(check.evidence),
                ]
            )
    out.table("grid", (11, 33, 56), rows, ("Result", "Check", "Evidence"))


def _traces(out: _Out, record: RunRecord) -> None:
    names = plot_names(record)
    if not names:
        return
    out.heading("Captured sensor data")
    out.unit(
        '<p class="sub">Values received during verification. Dashed lines are the expected '
        "range; red points lie outside it.</p>",
        "keep",
    )
    cells: list[Cell] = []
    for name, trace in names.items():
        plot = (
            f'<img src="{name}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}">'
            if out.pdf
            else trace_svg(trace, PLOT_WIDTH, PLOT_HEIGHT)
        )
        unit = f' <span class="src">({escape(trace.unit)})</span>' if trace.unit else ""
        cells.append(
            f"<b>Port {trace.port} &middot; {escape(trace.channel)}</b>{unit}<br>{plot}"
            f"{'<br>' if out.pdf else ''}"
            f'<span class="src">{_trace_stats(trace)}</span>'
        )
    rows: list[list[Cell]] = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    if len(rows[-1]) == 1:
        rows[-1].append("")
    out.table("plots", (50, 50), rows)


def _trace_stats(trace: ChannelTrace) -> str:
    if not trace.values:
        return "no samples"
    unit = f" {trace.unit}" if trace.unit else ""
    lo, hi = min(trace.values), max(trace.values)
    span = trace.times[-1] - trace.times[0] if trace.times else 0.0
    count = len(trace.values)
    text = f"{count} samples in {span:.0f} s &middot; " if count > 1 else "1 sample &middot; "
    shown = [format_value(lo, hi - lo)] + ([format_value(hi, hi - lo)] if hi > lo else [])
    text += " to ".join(shown) + escape(unit)
    if trace.minimum is not None or trace.maximum is not None:
        low = "" if trace.minimum is None else f"{trace.minimum:g}"
        high = "" if trace.maximum is None else f"{trace.maximum:g}"
        text += f" &middot; limits {low} to {high}"
    bad = sum(
        (trace.minimum is not None and v < trace.minimum)
        or (trace.maximum is not None and v > trace.maximum)
        for v in trace.values
    )
    return text + (f' &middot; <span class="bad"><b>{bad} outside</b></span>' if bad else "")


def _cloud(out: _Out, record: RunRecord) -> None:
    out.heading("Cloud registration")
    cloud = record.cloud
    if cloud is None or cloud.status not in ("registered", "queued", "failed"):
        reason = f": {escape(cloud.reason)}" if cloud and cloud.reason else "."
        if cloud is None and record.status is not RunStatus.PASSED:
            reason = ": the run ended before the registration step."
        out.unit(f"<p><b>Not registered</b>{reason}</p>")
        return
    if cloud.status == "queued":
        number = "?" if cloud.registration_id is None else cloud.registration_id
        status = f"<b>Queued</b> &mdash; will be delivered when online, registration #{number}"
    elif cloud.status == "failed":
        status = f'<span class="bad"><b>Registration failed</b></span>: {escape(cloud.reason)}'
    else:
        status = '<span class="good"><b>Registered</b></span>'
    out.unit(f"<p>{status}</p>", "keep")
    facts = [
        ("Cloud profile", escape(cloud.profile or "current")),
        ("Project", escape(cloud.project or "default")),
    ]
    if cloud.registration_id is not None:
        facts.append(("Registration", f"#{cloud.registration_id}"))
    if cloud.node_id:
        facts.append(("Node id", f'<span class="mono">{escape(cloud.node_id)}</span>'))
    out.table("grid", (20, 80), [[(' class="k"', k), v] for k, v in facts])
    ports = sorted(set(cloud.device_ids) | set(cloud.sensor_ids))
    if ports:
        out.gap()
        rows: list[list[Cell]] = [
            [
                str(port),
                (' class="mono"', escape(cloud.device_ids.get(port, ""))),
                (' class="mono"', "<br>".join(escape(s) for s in cloud.sensor_ids.get(port, []))),
            ]
            for port in ports
        ]
        out.table("grid", (8, 41, 51), rows, ("Port", "Device id", "Sensor ids"))


def _fingerprint(out: _Out, record: RunRecord) -> None:
    value = escape(record.config_hash) if record.config_hash else "not computed"
    out.heading("Configuration hash")
    out.unit(
        '<table class="hash" width="100%" cellspacing="0" cellpadding="8" bgcolor="#f3f6fa"><tr>'
        f'<td bgcolor="#f3f6fa"><span class="hashv">{value}</span><br>'
        f'<span class="src">{escape(HASH_PURPOSE)}</span></td></tr></table>'
    )
