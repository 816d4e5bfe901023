"""Frame statistics and the DiagnosticStatus of the posenet node (no process)."""

import pytest

pytest.importorskip('diagnostic_msgs')
from diagnostic_msgs.msg import DiagnosticStatus  # noqa: E402

from ros2_posenet import diagnostics  # noqa: E402
from ros2_posenet.diagnostics import (diagnostic_status, NodeHealth,  # noqa: E402
                                      ProcessingStats)


class FakeClock:
    """A settable monotonic clock in seconds."""

    def __init__(self) -> None:
        """Start at 100 s."""
        self.now = 100.0

    def __call__(self) -> float:
        """Return the current time in seconds."""
        return self.now


ACTIVE = NodeHealth(state='active', input_topic='/image', model='m.tflite', delegate='cpu')


def _values(status: DiagnosticStatus) -> dict[str, str]:
    return {kv.key: kv.value for kv in status.values}


def test_counters_rate_and_medians():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    for index in range(10):
        clock.now += 0.1
        stats.record_received(replaced_unprocessed=index % 5 == 0)
        stats.record_processed(latency_ms=10.0 + index, processing_ms=8.0, invoke_ms=6.0)
    snapshot = stats.snapshot()
    assert (snapshot.received, snapshot.processed, snapshot.dropped) == (10, 10, 2)
    assert snapshot.rate_hz == pytest.approx(10.0)
    assert snapshot.latency_ms == pytest.approx(14.5)
    assert (snapshot.processing_ms, snapshot.invoke_ms) == (8.0, 6.0)
    assert snapshot.failed == 0 and snapshot.last_error == ''


def test_window_forgets_old_frames():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    stats.record_processed(latency_ms=50.0, processing_ms=40.0, invoke_ms=30.0)
    clock.now += diagnostics.WINDOW_S + 1.0
    snapshot = stats.snapshot()
    assert snapshot.processed == 1
    assert snapshot.rate_hz == 0.0
    assert snapshot.latency_ms is None


def test_reset_zeroes_everything():
    stats = ProcessingStats()
    stats.record_received(True)
    stats.record_failed('bad')
    stats.reset()
    snapshot = stats.snapshot()
    assert (snapshot.received, snapshot.dropped, snapshot.failed, snapshot.last_error) == (
        0, 0, 0, '')


def test_healthy_active_node_is_ok_with_all_values():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    stats.record_received(False)
    stats.record_processed(12.0, 10.0, 8.0)
    status = diagnostic_status('posenet: pose estimation', ACTIVE, stats.snapshot())
    assert status.level == DiagnosticStatus.OK
    assert status.name == 'posenet: pose estimation'
    assert status.hardware_id == 'cpu'
    values = _values(status)
    assert values[diagnostics.KEY_DELEGATE] == 'cpu'
    assert values[diagnostics.KEY_MODEL] == 'm.tflite'
    assert values[diagnostics.KEY_PROCESSED] == '1'
    assert values[diagnostics.KEY_DROPPED] == '0'
    assert values[diagnostics.KEY_LATENCY] == '12.0'
    assert values[diagnostics.KEY_STATE] == 'active'


def test_recent_bad_frames_warn_and_all_failing_is_an_error():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    stats.record_failed('bad frame: unsupported image encoding')
    status = diagnostic_status('posenet', ACTIVE, stats.snapshot())
    assert status.level == DiagnosticStatus.ERROR
    assert 'unsupported image encoding' in status.message
    stats.record_processed(12.0, 10.0, 8.0)
    status = diagnostic_status('posenet', ACTIVE, stats.snapshot())
    assert status.level == DiagnosticStatus.WARN
    assert _values(status)[diagnostics.KEY_FAILED] == '1'
    clock.now += diagnostics.WINDOW_S + 1.0
    stats.record_received(False)
    assert diagnostic_status('posenet', ACTIVE, stats.snapshot()).level == DiagnosticStatus.OK


def test_configure_failure_is_an_error_and_fallback_a_warning():
    stats = ProcessingStats()
    failed = NodeHealth(state='unconfigured', input_topic='image',
                        configure_error='ModelError: model file not found')
    status = diagnostic_status('posenet', failed, stats.snapshot())
    assert status.level == DiagnosticStatus.ERROR
    assert 'model file not found' in status.message
    fallback = NodeHealth(state='inactive', input_topic='image', model='m', delegate='cpu',
                          fallback_reason='libedgetpu.so.1 not found')
    status = diagnostic_status('posenet', fallback, stats.snapshot())
    assert status.level == DiagnosticStatus.WARN
    assert 'libedgetpu' in status.message


def test_active_node_without_images_warns():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    clock.now += diagnostics.IDLE_WARN_S + 1.0
    status = diagnostic_status('posenet', ACTIVE, stats.snapshot())
    assert status.level == DiagnosticStatus.WARN
    assert 'no image received on /image' in status.message


def test_frames_lost_in_transport_warn_with_a_hint():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    stats.record_received(False)
    stats.record_processed(12.0, 10.0, 8.0)
    stats.record_lost(3)
    stats.record_lost(2)
    snapshot = stats.snapshot()
    assert (snapshot.lost, snapshot.lost_recent) == (5, 5)
    status = diagnostic_status('posenet', ACTIVE, snapshot)
    assert status.level == DiagnosticStatus.WARN
    assert 'image_qos_reliability' in status.message
    assert _values(status)[diagnostics.KEY_LOST] == '5'
    clock.now += diagnostics.WINDOW_S + 1.0
    stats.record_received(False)
    snapshot = stats.snapshot()
    assert (snapshot.lost, snapshot.lost_recent) == (5, 0)
    assert diagnostic_status('posenet', ACTIVE, snapshot).level == DiagnosticStatus.OK


def test_tracking_counts_are_reported_per_minute_over_their_window():
    clock = FakeClock()
    stats = ProcessingStats(clock)
    clock.now += 120.0  # a node that has run for two minutes
    stats.record_tracking(active_tracks=2, births=2, deaths=0)
    clock.now += 10.0
    stats.record_tracking(active_tracks=1, births=1, deaths=2)
    snapshot = stats.snapshot()
    assert (snapshot.active_tracks, snapshot.births_per_min, snapshot.deaths_per_min) == (
        1, 3.0, 2.0)
    clock.now += diagnostics.TRACK_EVENT_WINDOW_S + 1.0
    stats.record_tracking(active_tracks=0, births=0, deaths=0)
    snapshot = stats.snapshot()
    assert (snapshot.active_tracks, snapshot.births_per_min, snapshot.deaths_per_min) == (
        0, 0.0, 0.0)
    values = {kv.key: kv.value for kv in diagnostic_status(
        'posenet', NodeHealth(state='active', input_topic='/image'), snapshot).values}
    assert values[diagnostics.KEY_TRACKS] == '0'
    assert values[diagnostics.KEY_BIRTHS] == '0.0'
