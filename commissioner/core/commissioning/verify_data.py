"""Closed-loop proof that a port's sensor talks and that what it says is plausible.

Settings read back correctly prove nothing about the wire: only values arriving, parsed, in range
and on time do. :func:`verify_port_data` listens to a configured port (its WebSocket stream for
serial sensors, ``deviceAdcRead420`` for 4-20 mA ones) and turns what arrived into the report's
checks (``data.portN``, ``range.portN.<channel>``, ``interval.portN.<channel>``) and traces.

:func:`capture_serial` is the one implementation of "open the stream, poll, parse, collect"; the
baud/framing scan (:mod:`commissioner.core.commissioning.scan`) listens with it too, so a framing
the scan finds is judged exactly as verification will judge it. Line framing, parsing and range
judging are the console's own (:class:`StreamPipeline`, :class:`ChannelJudge`), so the installer
sees the same answer in the console and in the report. THREAD and stream failures never raise out
of here: they become FAIL checks saying what to do next.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from dataclasses import dataclass
from functools import partial

from commissioner.core.commissioning.profile_model import ChannelSpec, PortProfile
from commissioner.core.commissioning.run_model import ChannelTrace, CheckResult, CheckStatus
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeError
from commissioner.core.edge.port_stream import EdgePortStream
from commissioner.core.edge.rules import PortMode
from commissioner.core.streams.acceptance import ChannelJudge
from commissioner.core.streams.framing import LineFramer, delimiters_from_hex
from commissioner.core.streams.parsers import Parser, ParseResult, parser_from_spec
from commissioner.core.streams.pipeline import StreamPipeline

SERIAL_MODES: tuple[PortMode, ...] = (PortMode.RS232, PortMode.RS485, PortMode.USB)
MAX_TRACE_POINTS = 5000  # per channel: a runaway sensor must not grow the report without bound
OPEN_LOOP_A = 0.001  # below 1 mA no transmitter is alive on a 4-20 mA loop
_AMPS_PER_UNIT = {"milliampere": 1e-3, "ma": 1e-3, "ampere": 1.0, "a": 1.0, "microampere": 1e-6}


@dataclass(frozen=True)
class DataWaitOptions:
    """How long and how hard to listen. ``connect_timeout_s`` bounds opening the stream."""

    timeout_s: float = 20.0
    min_values: int = 3
    analog_samples: int = 3
    analog_spacing_s: float = 0.5
    poll_interval_s: float | None = None
    interval_slack: float = 1.5
    connect_timeout_s: float = 5.0


@dataclass(frozen=True)
class PortDataResult:
    port: int
    checks: list[CheckResult]
    traces: list[ChannelTrace]
    silent: bool
    lines: int
    bytes_in: int
    parse_errors: int
    waited_s: float


@dataclass
class Capture:
    """What one listening window brought: values per channel (seconds since start) and counts.

    ``error`` says why the stream never opened ("" when it did); ``timed_out`` is True when the
    window ended before every channel had the values asked for.
    """

    port: PortProfile
    times: dict[str, list[float]]
    values: dict[str, list[float]]
    judges: dict[str, ChannelJudge]
    has_parser: bool = True
    lines: int = 0
    bytes_in: int = 0
    parse_errors: int = 0
    first_line_failed: bool = False  # the first line may have begun before we listened
    waited_s: float = 0.0
    timed_out: bool = False
    error: str = ""

    @property
    def total_values(self) -> int:
        return sum(j.count for j in self.judges.values())

    @property
    def fewest_values(self) -> int:
        """Values of the channel with the fewest: what "every channel talks" needs."""
        return min((j.count for j in self.judges.values()), default=0)


def port_parser(port: PortProfile) -> Parser | None:
    """The profile's parser for the port's channels; None for ``kind = "none"``."""
    spec = port.parser.spec(port.channels) if port.parser is not None else None
    return parser_from_spec(spec) if spec is not None else None


def port_poll_interval(port: PortProfile, options: DataWaitOptions) -> float:
    """The explicit poll period, else the quickest channel's interval capped to 0.2-2 s."""
    if options.poll_interval_s is not None:
        return max(0.01, options.poll_interval_s)
    intervals = [c.interval_s for c in port.channels if c.interval_s]
    return min(2.0, max(0.2, min(intervals, default=1.0)))


async def capture_serial(
    base_url: str,
    port: PortProfile,
    *,
    poll: str = "",
    window_s: float,
    min_values: int | None,
    poll_interval_s: float,
    connect_timeout_s: float = 5.0,
) -> Capture:
    """Listen to a serial port for up to ``window_s`` (less once every channel has ``min_values``).

    Raises only ValueError (a parser or delimiters the profile cannot build) and CancelledError;
    the stream is closed whatever happens.
    """
    pipeline = StreamPipeline(_framer(port), port_parser(port), source=f"port {port.number}")
    wanted = {c.name: c for c in port.channels}
    cap = Capture(port, {n: [] for n in wanted}, {n: [] for n in wanted}, {})
    cap.has_parser = pipeline.parser is not None
    for ch in port.channels:
        pipeline.set_acceptance(ch.name, ch.acceptance())
        pipeline.judges[ch.name].unit = ch.unit
    cap.judges = {n: pipeline.judges[n] for n in wanted}
    enough = asyncio.Event()
    started_wall, started = time.time(), time.monotonic()

    def on_batch(result: ParseResult) -> None:
        t = result.t - started_wall
        for name, arr in result.values.items():
            if name in wanted and len(cap.values[name]) < MAX_TRACE_POINTS:
                cap.values[name].extend(arr.tolist())
                cap.times[name].extend([t] * len(arr))
        if min_values is not None and cap.fewest_values >= min_values:
            enough.set()

    pipeline.add_batch_listener(on_batch)
    stream = EdgePortStream(base_url, port.number, open_timeout_s=connect_timeout_s)
    stream.add_listener(pipeline)
    deadline = started + window_s
    try:
        stream.start()
        if not await stream.wait_connected(min(connect_timeout_s, window_s)):
            cap.error = stream.last_error or "no answer"
        else:
            while not enough.is_set() and (left := deadline - time.monotonic()) > 0:
                if poll:
                    # a link dropping mid-send is the stream's to recover; the next poll retries
                    with contextlib.suppress(Exception):
                        await stream.send(poll.encode())
                wait = min(left, poll_interval_s) if poll else left
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(enough.wait(), wait)
    finally:
        await stream.aclose()  # the unfinished last line is dropped: we cut it, not the sensor
        cap.waited_s = time.monotonic() - started
    counters = pipeline.counters
    cap.lines, cap.bytes_in, cap.parse_errors = (
        counters.lines,
        counters.bytes_in,
        counters.parse_errors,
    )
    cap.first_line_failed = any(line.index == 0 for line, _ in pipeline.recent_errors)
    cap.timed_out = not enough.is_set()
    return cap


def _framer(port: PortProfile) -> LineFramer:
    delimiters = port.serial.delimiters if port.serial is not None else ()
    return LineFramer(delimiters_from_hex(delimiters)) if delimiters else LineFramer()


async def verify_port_data(
    client: EdgeClient,
    port: PortProfile,
    *,
    poll: str = "",
    options: DataWaitOptions = DataWaitOptions(),
) -> PortDataResult:
    """Listen to ``port`` as configured and judge its sensor's data; never raises THREAD errors."""
    n = port.number
    data_key, data_label = f"data.port{n}", f"Port {n} data arrives"
    if port.mode is PortMode.OFF or not port.channels:
        check = _result(data_key, data_label, CheckStatus.SKIPPED, "no sensor expected", port=n)
        return PortDataResult(n, [check], [], False, 0, 0, 0, 0.0)
    if port.mode is PortMode.ANALOG:
        cap = await _capture_analog(client, port, options)
    else:
        try:
            cap = await capture_serial(
                client.base_url,
                port,
                poll=poll,
                window_s=options.timeout_s,
                min_values=options.min_values,
                poll_interval_s=port_poll_interval(port, options),
                connect_timeout_s=options.connect_timeout_s,
            )
        except ValueError as exc:  # a profile that passed validation should never get here
            why = f"port {n} cannot be read as the profile describes it ({exc}): fix the profile"
            check = _result(data_key, data_label, CheckStatus.FAIL, why, port=n)
            return PortDataResult(n, [check], [], True, 0, 0, 0, 0.0)
    checks = [_data_check(cap, options, poll)]
    for ch in port.channels:
        checks += [_range_check(cap, ch), _interval_check(cap, ch, options)]
    traces = [
        ChannelTrace(
            n,
            ch.name,
            ch.unit,
            tuple(cap.times[ch.name]),
            tuple(cap.values[ch.name]),
            ch.minimum,
            ch.maximum,
        )
        for ch in port.channels
        if cap.values[ch.name]
    ]
    return PortDataResult(
        port=n,
        checks=checks,
        traces=traces,
        silent=cap.total_values == 0,
        lines=cap.lines,
        bytes_in=cap.bytes_in,
        parse_errors=cap.parse_errors,
        waited_s=cap.waited_s,
    )


async def _capture_analog(
    client: EdgeClient, port: PortProfile, options: DataWaitOptions
) -> Capture:
    """``analog_samples`` loop-current reads in the first channel's unit (mA unless it says)."""
    ch = port.channels[0]
    judge = ChannelJudge(ch.acceptance(), ch.unit)
    cap = Capture(port, {ch.name: []}, {ch.name: []}, {ch.name: judge}, has_parser=True)
    per_amp = 1.0 / _AMPS_PER_UNIT.get(ch.unit.strip().lower() or "ma", 1e-3)
    amps: list[float] = []
    started = time.monotonic()
    try:
        for i in range(max(1, options.analog_samples)):
            if i:
                await asyncio.sleep(options.analog_spacing_s)
            amps.append((await client.loop_current_420(port.number)).value)
            t = time.monotonic() - started
            cap.times[ch.name].append(t)
            cap.values[ch.name].append(amps[-1] * per_amp)
            judge.update_values(t, (amps[-1] * per_amp,))
    except EdgeError as exc:
        cap.error = f"cannot read the loop current of port {port.number}: {exc}"
    else:
        if max(amps) < OPEN_LOOP_A:
            cap.error = (
                f"no loop current on port {port.number} ({max(amps) * 1000:.2f} mA): check the "
                "wiring and that the port supply powers the loop"
            )
    cap.waited_s = time.monotonic() - started
    return cap


def _data_check(cap: Capture, options: DataWaitOptions, poll: str) -> CheckResult:
    n = cap.port.number
    make = partial(_result, f"data.port{n}", f"Port {n} data arrives", port=n)
    took = f"{cap.waited_s:.1f} s"
    if cap.port.mode is PortMode.ANALOG:
        if cap.error:
            return make(CheckStatus.FAIL, cap.error)
        return make(CheckStatus.PASS, f"{cap.total_values} loop-current readings in {took}")
    if cap.error:
        return make(
            CheckStatus.FAIL,
            f"the data stream of port {n} did not open ({cap.error}): check that the THREAD "
            "is reachable and powered, then verify again",
        )
    if cap.total_values:
        return make(CheckStatus.PASS, f"{cap.lines} lines, {cap.total_values} values in {took}")
    if cap.lines and not cap.has_parser:
        return make(CheckStatus.PASS, f"{cap.lines} lines in {took} (no parser: values unchecked)")
    if cap.bytes_in:
        return make(
            CheckStatus.FAIL,
            f"{cap.bytes_in} bytes but no parsable line in {took}: wrong baud rate or framing? "
            "Run the scan",
        )
    asked = f" (polled with {poll!r})" if poll else ""
    return make(
        CheckStatus.FAIL,
        f"no data from port {n} in {options.timeout_s:g} s{asked}: check wiring, supply, "
        "interface mode and baud rate",
    )


def _range_check(cap: Capture, ch: ChannelSpec) -> CheckResult:
    n = cap.port.number
    make = partial(_result, f"range.port{n}.{ch.name}", f"Port {n} {ch.name} in range", port=n)
    judge = cap.judges[ch.name]
    if not judge.count:
        why = "no parser set" if not cap.has_parser else f"no values from port {n}"
        return make(CheckStatus.SKIPPED, why)
    finite = [v for v in cap.values[ch.name] if math.isfinite(v)]
    seen = f"{min(finite):g} to {max(finite):g}" if finite else "not numbers"
    read = _with_unit(f"{judge.count} values {seen}", ch.unit)
    expected = _expected(ch)
    if expected is None:
        return make(CheckStatus.PASS, f"{read}; no range set in the profile")
    if not judge.out_of_range_count:
        return make(CheckStatus.PASS, f"{read}, expected {expected}")
    return make(
        CheckStatus.FAIL,
        f"{judge.out_of_range_count} of {judge.count} values out of range: {read}, expected "
        f"{expected}. Check the sensor's scaling and units, or the profile's range",
    )


def _interval_check(cap: Capture, ch: ChannelSpec, options: DataWaitOptions) -> CheckResult:
    n = cap.port.number
    make = partial(_result, f"interval.port{n}.{ch.name}", f"Port {n} {ch.name} interval", port=n)
    if cap.port.mode is PortMode.ANALOG:
        return make(CheckStatus.SKIPPED, "read on demand")
    if ch.interval_s is None:
        return make(CheckStatus.SKIPPED, "no interval set in the profile")
    times = sorted(cap.times[ch.name])
    if len(times) < 2:
        why = f"only {len(times)} value: too few" if times else f"no values from port {n}"
        return make(CheckStatus.SKIPPED, why)
    longest = max(b - a for a, b in itertools.pairwise(times))
    trailing = cap.waited_s - times[-1] if cap.timed_out else 0.0
    evidence = f"longest gap {max(longest, trailing):.2f} s, expected ≤ {ch.interval_s:g} s"
    if max(longest, trailing) <= ch.interval_s * options.interval_slack:
        return make(CheckStatus.PASS, evidence)
    if trailing > longest:
        evidence += f" (nothing in the last {trailing:.1f} s)"
    return make(
        CheckStatus.FAIL,
        f"{evidence}: the sensor sends less often than the profile expects; check its output "
        "interval (or the poll) and the profile's interval_s",
    )


def _expected(ch: ChannelSpec) -> str | None:
    if ch.minimum is not None and ch.maximum is not None:
        return _with_unit(f"{ch.minimum:g} to {ch.maximum:g}", ch.unit)
    if ch.minimum is not None:
        return _with_unit(f"at least {ch.minimum:g}", ch.unit)
    if ch.maximum is not None:
        return _with_unit(f"at most {ch.maximum:g}", ch.unit)
    return None


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _result(key: str, label: str, status: CheckStatus, evidence: str, *, port: int) -> CheckResult:
    return CheckResult(key, label, status, evidence, port)
