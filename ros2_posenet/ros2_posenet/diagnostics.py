"""Health of the ``posenet`` node: thread-safe counters and the ``/diagnostics`` status.

``ProcessingStats`` is written by the subscription callback (received, dropped) and the worker
thread (processed, failed) and read by the diagnostics timer; ``diagnostic_status`` turns a
snapshot into one ``diagnostic_msgs/DiagnosticStatus`` (what ``diagnostic_updater`` would
publish; written by hand because ``diagnostic_updater`` is not available everywhere).
"""

from collections import deque
from dataclasses import dataclass
import statistics
import threading
import time
from typing import Final

from diagnostic_msgs.msg import DiagnosticStatus, KeyValue

WINDOW_S: Final[float] = 5.0
"""Rate, latency medians and 'recent error' look back this many seconds."""

IDLE_WARN_S: Final[float] = 5.0
"""An active node that received no image for this long reports WARN."""

# Keys of DiagnosticStatus.values, shared with the tests and dashboards.
KEY_STATE: Final = 'state'
KEY_INPUT_TOPIC: Final = 'input topic'
KEY_MODEL: Final = 'model'
KEY_DELEGATE: Final = 'delegate'
KEY_FALLBACK: Final = 'delegate fallback'
KEY_RATE: Final = 'rate (Hz)'
KEY_LATENCY: Final = 'latency median (ms)'
KEY_PROCESSING: Final = 'processing median (ms)'
KEY_INVOKE: Final = 'invoke median (ms)'
KEY_WAIT_MAX: Final = 'mailbox wait max (ms)'
KEY_RECEIVED: Final = 'frames received'
KEY_PROCESSED: Final = 'frames processed'
KEY_DROPPED: Final = 'frames dropped'
KEY_FAILED: Final = 'frames failed'
KEY_LOST: Final = 'frames lost in transport'
KEY_LAST_ERROR: Final = 'last error'
KEY_TRACKS: Final = 'active tracks'
KEY_NO_DEPTH: Final = 'frames without depth'
KEY_BIRTHS: Final = 'track births per minute'
KEY_DEATHS: Final = 'track deaths per minute'

TRACK_EVENT_WINDOW_S: Final = 60.0
"""Track births and deaths are reported per minute over this window."""


@dataclass(frozen=True)
class StatsSnapshot:
    """Counters and window statistics at one instant.

    Attributes:
        received: Frames taken from the subscription since activation.
        processed: Frames that produced a ``PoseArray``.
        dropped: Frames replaced in the one-slot mailbox before the worker took them.
        failed: Frames skipped because of a bad image or an error while processing.
        lost: Frames the middleware reported lost before delivery (best-effort transport).
        lost_recent: Of those, the ones lost over the last ``WINDOW_S``.
        rate_hz: Processed frames per second over the last ``WINDOW_S``.
        latency_ms: Median time from reception to publication over the window, or ``None``.
        processing_ms: Median worker time per frame (conversion, inference, publishing).
        invoke_ms: Median interpreter ``invoke`` time per frame.
        wait_max_ms: Longest time a processed frame waited in the mailbox for the worker since
            activation (bounded by one processing time when only the newest frame is kept).
        last_error: Text of the most recent error, or ``''``.
        last_error_age_s: Seconds since that error, or ``None``.
        idle_s: Seconds since the last received frame (or since the stats were reset).
        active_tracks: Published tracks alive after the last tracked frame (0 untracked).
        without_depth: Frames processed in 2D because no depth image was paired with them.
        births_per_min: Tracks published over the last ``TRACK_EVENT_WINDOW_S``, per minute.
        deaths_per_min: Tracks deleted over that window, per minute.
    """

    received: int
    processed: int
    dropped: int
    failed: int
    lost: int
    lost_recent: int
    rate_hz: float
    latency_ms: float | None
    processing_ms: float | None
    invoke_ms: float | None
    wait_max_ms: float
    last_error: str
    last_error_age_s: float | None
    idle_s: float
    active_tracks: int = 0
    without_depth: int = 0
    births_per_min: float = 0.0
    deaths_per_min: float = 0.0


@dataclass(frozen=True)
class NodeHealth:
    """What the node reports besides the counters.

    Attributes:
        state: Lifecycle state label ('unconfigured', 'inactive', 'active', ...).
        input_topic: Fully qualified image topic.
        model: Model file name, or ``''`` when no model is loaded.
        delegate: Delegate actually running ('cpu', 'edgetpu', 'gpu'), or ``''``.
        fallback_reason: Why the requested delegate is not running, or ``None``.
        configure_error: Why the last configure failed, or ``None``.
    """

    state: str
    input_topic: str
    model: str = ''
    delegate: str = ''
    fallback_reason: str | None = None
    configure_error: str | None = None


class ProcessingStats:
    """Thread-safe frame counters plus timings over a sliding window."""

    def __init__(self, clock=time.monotonic) -> None:
        """Start with zero counts; ``clock`` returns seconds (injectable for tests)."""
        self._clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter and forget the window (on activation)."""
        with self._lock:
            self._received = self._processed = self._dropped = self._failed = 0
            self._lost_total = 0
            self._wait_max_ms = 0.0
            # (time s, latency ms, processing ms, invoke ms) per processed frame.
            self._timings: deque[tuple[float, float, float, float]] = deque(maxlen=10000)
            self._lost: deque[tuple[float, int]] = deque()  # (time s, count) in the window
            self._last_error = ''
            self._last_error_time: float | None = None
            self._last_received = self._started = self._clock()
            self._active_tracks = 0
            self._without_depth = 0
            self._track_events: deque[tuple[float, int, int]] = deque()  # (s, births, deaths)

    def record_received(self, replaced_unprocessed: bool) -> None:
        """Count a received frame; ``replaced_unprocessed`` counts a dropped one too."""
        with self._lock:
            self._received += 1
            self._dropped += int(replaced_unprocessed)
            self._last_received = self._clock()

    def record_processed(self, latency_ms: float, processing_ms: float, invoke_ms: float,
                         wait_ms: float = 0.0) -> None:
        """Count a frame that produced a ``PoseArray``, with its timings in milliseconds.

        Args:
            latency_ms: Reception (subscription callback) to publication of the poses.
            processing_ms: Worker time: conversion, inference, publishing.
            invoke_ms: Interpreter ``invoke`` alone.
            wait_ms: Time the frame spent in the mailbox before the worker took it.
        """
        with self._lock:
            self._processed += 1
            self._wait_max_ms = max(self._wait_max_ms, wait_ms)
            self._timings.append((self._clock(), latency_ms, processing_ms, invoke_ms))

    def record_without_depth(self) -> None:
        """Count a frame that found no depth partner (processed in 2D)."""
        with self._lock:
            self._without_depth += 1

    def record_tracking(self, active_tracks: int, births: int, deaths: int) -> None:
        """Record one tracked frame: published tracks alive, and tracks born and deleted."""
        with self._lock:
            self._active_tracks = active_tracks
            if births or deaths:
                self._track_events.append((self._clock(), births, deaths))

    def record_lost(self, count: int) -> None:
        """Count frames the middleware lost before delivery (a ``message_lost`` event)."""
        with self._lock:
            self._lost_total += count
            self._lost.append((self._clock(), count))

    def record_failed(self, message: str) -> None:
        """Count a frame that was skipped; ``message`` says why."""
        with self._lock:
            self._failed += 1
            self._set_error(message)

    def record_error(self, message: str) -> None:
        """Remember an error that is not about one frame (e.g. configure failed)."""
        with self._lock:
            self._set_error(message)

    def _set_error(self, message: str) -> None:
        self._last_error = message
        self._last_error_time = self._clock()

    def snapshot(self) -> StatsSnapshot:
        """Return the counters and the window statistics now."""
        with self._lock:
            now = self._clock()
            for recent in (self._timings, self._lost):
                while recent and recent[0][0] < now - WINDOW_S:
                    recent.popleft()
            events = self._track_events
            while events and events[0][0] < now - TRACK_EVENT_WINDOW_S:
                events.popleft()
            per_minute = 60.0 / max(min(TRACK_EVENT_WINDOW_S, now - self._started), 1.0)
            window = list(self._timings)
            span = max(min(WINDOW_S, now - self._started), 1e-3)
            return StatsSnapshot(
                received=self._received, processed=self._processed, dropped=self._dropped,
                failed=self._failed, lost=self._lost_total,
                lost_recent=sum(count for _, count in self._lost), rate_hz=len(window) / span,
                latency_ms=_median([t[1] for t in window]),
                processing_ms=_median([t[2] for t in window]),
                invoke_ms=_median([t[3] for t in window]),
                wait_max_ms=self._wait_max_ms,
                last_error=self._last_error,
                last_error_age_s=(None if self._last_error_time is None
                                  else now - self._last_error_time),
                idle_s=now - self._last_received,
                active_tracks=self._active_tracks, without_depth=self._without_depth,
                births_per_min=sum(event[1] for event in events) * per_minute,
                deaths_per_min=sum(event[2] for event in events) * per_minute)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _ms(value: float | None) -> str:
    return 'n/a' if value is None else f'{value:.1f}'


def diagnostic_status(name: str, health: NodeHealth, stats: StatsSnapshot) -> DiagnosticStatus:
    """Build the node's ``DiagnosticStatus``.

    Levels: ERROR when not configured because configure failed, or when every frame of the
    window failed; WARN when some recent frames failed or were lost in transport, the delegate
    fell back to the CPU, or an active node receives no images; OK otherwise.

    Args:
        name: Status name, e.g. ``'posenet: pose estimation'``.
        health: Lifecycle state, model and delegate.
        stats: Counters from ``ProcessingStats.snapshot``.

    Returns:
        The status with a one-line message and the values listed as ``KEY_*`` constants.
    """
    level, problems = DiagnosticStatus.OK, []
    recent_error = stats.last_error_age_s is not None and stats.last_error_age_s <= WINDOW_S
    if health.configure_error:
        level = DiagnosticStatus.ERROR
        problems.append(f'configure failed: {health.configure_error}')
    if health.state == 'active':
        if recent_error:
            all_failed = stats.latency_ms is None
            level = max(level, DiagnosticStatus.ERROR if all_failed else DiagnosticStatus.WARN)
            problems.append(f'{"all" if all_failed else "some"} recent frames failed: '
                            f'{stats.last_error}')
        if stats.lost_recent:
            level = max(level, DiagnosticStatus.WARN)
            problems.append(
                f'{stats.lost_recent} frames lost in transport in {WINDOW_S:.0f} s (large '
                'best-effort images: set image_qos_reliability to reliable, use the compressed '
                'transport, or enlarge the DDS socket buffers)')
        if stats.idle_s > IDLE_WARN_S:
            level = max(level, DiagnosticStatus.WARN)
            problems.append(f'no image received on {health.input_topic} for '
                            f'{stats.idle_s:.0f} s')
    if health.fallback_reason:
        level = max(level, DiagnosticStatus.WARN)
        problems.append(f'running on {health.delegate}: {health.fallback_reason}')
    summary = f'{health.state}, {stats.rate_hz:.1f} Hz' if health.state == 'active' else (
        health.state)
    status = DiagnosticStatus(
        level=level, name=name, hardware_id=health.delegate or 'none',
        message='; '.join([summary] + problems))
    values = {
        KEY_STATE: health.state,
        KEY_INPUT_TOPIC: health.input_topic,
        KEY_MODEL: health.model,
        KEY_DELEGATE: health.delegate,
        KEY_FALLBACK: health.fallback_reason or '',
        KEY_RATE: f'{stats.rate_hz:.2f}',
        KEY_LATENCY: _ms(stats.latency_ms),
        KEY_PROCESSING: _ms(stats.processing_ms),
        KEY_INVOKE: _ms(stats.invoke_ms),
        KEY_WAIT_MAX: _ms(stats.wait_max_ms),
        KEY_RECEIVED: str(stats.received),
        KEY_PROCESSED: str(stats.processed),
        KEY_DROPPED: str(stats.dropped),
        KEY_FAILED: str(stats.failed),
        KEY_LOST: str(stats.lost),
        KEY_LAST_ERROR: stats.last_error,
        KEY_TRACKS: str(stats.active_tracks),
        KEY_NO_DEPTH: str(stats.without_depth),
        KEY_BIRTHS: f'{stats.births_per_min:.1f}',
        KEY_DEATHS: f'{stats.deaths_per_min:.1f}',
    }
    status.values = [KeyValue(key=key, value=value) for key, value in values.items()]
    return status
