"""A one-slot mailbox between the image subscription and the inference worker (ROS-free).

The subscription callback only ``put``s the newest frame, replacing an unprocessed one (which
counts as dropped); the worker ``take``s it. So the worker always starts on the newest frame
and never works through a queue of stale ones, whatever the camera rate.
"""

import threading
from typing import Generic, TypeVar

T = TypeVar('T')


class LatestFrameMailbox(Generic[T]):
    """Holds at most one item; ``put`` overwrites, ``take`` blocks until an item or ``close``."""

    def __init__(self) -> None:
        """Create an empty, open mailbox."""
        self._condition = threading.Condition()
        self._item: T | None = None
        self._closed = False

    def put(self, item: T) -> bool:
        """Store ``item`` as the newest frame and wake the worker.

        Returns:
            ``True`` when an item not yet taken was replaced (a dropped frame). A closed
            mailbox ignores ``item`` and returns ``False``.
        """
        with self._condition:
            if self._closed:
                return False
            replaced = self._item is not None
            self._item = item
            self._condition.notify()
            return replaced

    def take(self, timeout: float | None = None) -> T | None:
        """Remove and return the newest item, waiting for one.

        Args:
            timeout: Most seconds to wait; ``None`` waits until an item arrives or ``close``.

        Returns:
            The item, or ``None`` on timeout or when the mailbox is closed.
        """
        with self._condition:
            self._condition.wait_for(lambda: self._item is not None or self._closed, timeout)
            if self._closed:
                return None
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        """Wake every waiting ``take`` with ``None``, now and for good (one mailbox per run)."""
        with self._condition:
            self._closed = True
            self._item = None
            self._condition.notify_all()
