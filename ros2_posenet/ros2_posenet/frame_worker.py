"""The node's worker thread: frames from its own mailbox, and the engine handed over on release.

A lifecycle transition must never wait for a frame (an inference can take seconds on a huge
image or a hung delegate). So the worker owns what it is using: ``stop`` only asks it to end
and waits a moment for an idle worker, and a resource released while the worker is busy with it
is closed by the worker when that frame is done (``close_when_done``).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
import threading
from typing import Generic, Protocol, TypeVar

from ros2_posenet.frame_mailbox import LatestFrameMailbox

T = TypeVar('T')


class Closeable(Protocol):
    """Anything with a ``close()`` (the engine)."""

    def close(self) -> None:
        """Release the resource."""


class FrameWorker(Generic[T]):
    """A daemon thread running ``target(mailbox, worker)`` until the mailbox closes."""

    def __init__(self, target: Callable[[LatestFrameMailbox[T], 'FrameWorker[T]'], None],
                 mailbox: LatestFrameMailbox[T], name: str = 'posenet_worker') -> None:
        """Start the thread on ``mailbox`` (one mailbox per worker)."""
        self.mailbox = mailbox
        self._lock = threading.Lock()
        self._busy: object | None = None
        self._pending: list[Closeable] = []
        self._stopped = False
        self._thread = threading.Thread(target=self._run, args=(target,), name=name,
                                        daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> bool:
        """Whether ``stop`` was called: results of the current frame are to be dropped."""
        return self._stopped

    @contextmanager
    def processing(self, resource: object) -> Iterator[None]:
        """Mark ``resource`` in use for one frame; close what was released meanwhile."""
        with self._lock:
            self._busy = resource
        try:
            yield
        finally:
            with self._lock:
                self._busy = None
                pending, self._pending = self._pending, []
            for closeable in pending:
                closeable.close()

    def busy_with(self, resource: object) -> bool:
        """Return whether the worker is inside a frame using ``resource``."""
        with self._lock:
            return self._busy is resource

    def close_when_done(self, closeable: Closeable) -> None:
        """Close ``closeable`` after the current frame (at once when no frame is running)."""
        with self._lock:
            if self._busy is not None:
                self._pending.append(closeable)
                return
        closeable.close()

    def stop(self, wait_s: float) -> bool:
        """Close the mailbox and wait up to ``wait_s`` for the thread; return whether it ended."""
        self._stopped = True
        self.mailbox.close()
        self._thread.join(wait_s)
        return not self._thread.is_alive()

    def _run(self, target: Callable[[LatestFrameMailbox[T], 'FrameWorker[T]'], None]) -> None:
        try:
            target(self.mailbox, self)
        finally:
            with self._lock:
                pending, self._pending = self._pending, []
            for closeable in pending:
                closeable.close()
