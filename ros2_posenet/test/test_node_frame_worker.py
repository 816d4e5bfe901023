"""The worker never makes a transition wait for its frame, and closes a released engine itself."""

import threading
import time

from ros2_posenet.frame_mailbox import LatestFrameMailbox
from ros2_posenet.frame_worker import FrameWorker


class _Engine:
    def __init__(self) -> None:
        self.closed_at: float | None = None
        self.closed_by: str | None = None

    def close(self) -> None:
        self.closed_at = time.monotonic()
        self.closed_by = threading.current_thread().name


def _slow_target(started: threading.Event, release: threading.Event, resource: object):
    def target(mailbox, worker) -> None:
        while (frame := mailbox.take()) is not None:
            with worker.processing(resource):
                started.set()
                release.wait(10.0)  # a frame that takes as long as the test wants
                frame.append('done')
    return target


def test_stop_and_release_during_a_slow_frame_return_at_once():
    engine, started, release = _Engine(), threading.Event(), threading.Event()
    mailbox: LatestFrameMailbox[list] = LatestFrameMailbox()
    worker = FrameWorker(_slow_target(started, release, engine), mailbox, name='slow_worker')
    frame: list = []
    mailbox.put(frame)
    assert started.wait(5.0)
    begin = time.monotonic()
    assert not worker.stop(0.05)  # busy: it finishes on its own
    assert worker.stopped and worker.busy_with(engine)
    worker.close_when_done(engine)
    assert time.monotonic() - begin < 0.5
    assert engine.closed_at is None  # not closed under the running frame
    release.set()
    deadline = time.monotonic() + 5.0
    while engine.closed_at is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert frame == ['done']
    assert engine.closed_by == 'slow_worker'


def test_an_idle_worker_ends_and_a_release_closes_at_once():
    engine = _Engine()
    mailbox: LatestFrameMailbox[list] = LatestFrameMailbox()
    worker = FrameWorker(_slow_target(threading.Event(), threading.Event(), engine), mailbox)
    assert worker.stop(2.0)
    assert not worker.busy_with(engine)
    worker.close_when_done(engine)
    assert engine.closed_by == threading.current_thread().name
