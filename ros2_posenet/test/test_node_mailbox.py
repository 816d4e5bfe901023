"""The one-slot frame mailbox between the image callback and the worker (ROS-free)."""

import threading
import time

from ros2_posenet.frame_mailbox import LatestFrameMailbox


def test_put_then_take_returns_the_item_once():
    mailbox = LatestFrameMailbox()
    assert mailbox.put('frame 1') is False
    assert mailbox.take(timeout=0) == 'frame 1'
    assert mailbox.take(timeout=0) is None


def test_newer_frame_replaces_an_unprocessed_one_and_reports_the_drop():
    mailbox = LatestFrameMailbox()
    mailbox.put(1)
    assert mailbox.put(2) is True
    assert mailbox.put(3) is True
    assert mailbox.take(timeout=0) == 3
    assert mailbox.take(timeout=0) is None


def test_take_waits_for_a_frame_from_another_thread():
    mailbox = LatestFrameMailbox()
    threading.Timer(0.05, mailbox.put, args=('late',)).start()
    start = time.monotonic()
    assert mailbox.take(timeout=5.0) == 'late'
    assert time.monotonic() - start < 2.0


def test_close_wakes_a_blocked_worker_and_discards_frames():
    mailbox = LatestFrameMailbox()
    results = []
    worker = threading.Thread(target=lambda: results.append(mailbox.take()))
    worker.start()
    time.sleep(0.05)
    mailbox.close()
    worker.join(timeout=2.0)
    assert not worker.is_alive()
    assert results == [None]
    assert mailbox.put('ignored') is False
    assert mailbox.take(timeout=0) is None


def test_slow_worker_only_ever_sees_the_newest_frame():
    mailbox = LatestFrameMailbox()
    seen = []
    drops = 0

    def work():
        while (item := mailbox.take()) is not None:
            seen.append(item)
            time.sleep(0.01)

    worker = threading.Thread(target=work)
    worker.start()
    for index in range(200):
        drops += mailbox.put(index)
        time.sleep(0.001)
    time.sleep(0.05)
    mailbox.close()
    worker.join(timeout=2.0)
    assert seen == sorted(seen)
    assert seen[-1] == 199
    assert drops > 0
    assert len(seen) + drops == 200
