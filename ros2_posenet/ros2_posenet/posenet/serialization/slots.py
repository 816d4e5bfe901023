"""Stable pose slots: the index ``i`` of ``/poses/<i>/...`` follows the tracker, not the order.

A receiver (a Max patch, a Processing sketch, Wekinator) reads person ``i`` from a fixed address,
so a person must keep its index while it is tracked, whatever the order of detections in a frame.
``SlotAssigner`` gives each track id a slot the first time the id is seen (the lowest slot no
living track holds) and keeps it while the id lives; a detection without a track id (0: seen fewer
than ``min_hits`` frames in a row) takes the lowest free slot for that frame only.

An id "lives" while the tracker still holds its track (``alive_ids``, when the caller has the
tracker, as ``posenet_stream`` does) or, when only a frame's ids are known (the ROS node reading
``PoseArray``), until it has not been seen for ``hold_s`` seconds: a person missed for a frame or
two keeps its slot, and a slot is freed soon after its person leaves.
"""

from collections.abc import Collection, Sequence

import numpy as np

DEFAULT_HOLD_S = 1.0
"""Seconds an unseen id keeps its slot without ``alive_ids`` (the tracker's default max age)."""


class SlotAssigner:
    """Maps track ids to small, stable slot numbers (0, 1, 2 ...).

    Not thread-safe: one frame at a time.
    """

    def __init__(self, hold_s: float = DEFAULT_HOLD_S) -> None:
        """Keep a slot ``hold_s`` seconds after its id was last seen (when no ``alive_ids``).

        Raises:
            ValueError: ``hold_s`` is negative or not finite.
        """
        if not np.isfinite(hold_s) or hold_s < 0.0:
            raise ValueError(f'hold_s must be a finite number >= 0 seconds, got {hold_s!r}')
        self.hold_s = float(hold_s)
        self._slot_of: dict[int, int] = {}
        self._last_seen_s: dict[int, float] = {}
        self._last_stamp_s: float | None = None

    @property
    def slots(self) -> dict[int, int]:
        """Return a copy of the held slots: track id -> slot."""
        return dict(self._slot_of)

    def reset(self) -> None:
        """Free every slot (e.g. when the tracker was reset)."""
        self._slot_of.clear()
        self._last_seen_s.clear()
        self._last_stamp_s = None

    def assign(self, ids: Sequence[int] | np.ndarray, stamp_s: float,
               alive_ids: Collection[int] | None = None) -> np.ndarray:
        """Return the slot of each detection of one frame.

        Args:
            ids: Track id of each detection (row order), 0 for a detection without a track.
            stamp_s: Time of the frame in seconds (a stamp earlier than the last one frees every
                slot first: a replayed bag, a reset clock).
            alive_ids: Ids the tracker still holds (seen or briefly lost); when given, a slot is
                freed exactly when its id leaves this set, else ``hold_s`` after it was last seen.

        Returns:
            Int64 ``[n]``, distinct slots >= 0, row for row. A repeated id (not produced by the
            tracker) keeps its slot on its first row; later rows count as untracked.
        """
        id_list = [int(track_id) for track_id in ids]
        if self._last_stamp_s is not None and stamp_s < self._last_stamp_s:
            self.reset()
        self._last_stamp_s = stamp_s
        present = {track_id for track_id in id_list if track_id > 0}
        self._release(present, stamp_s, alive_ids)
        slots = np.full(len(id_list), -1, dtype=np.int64)
        claimed: set[int] = set()
        for row, track_id in enumerate(id_list):  # ids that already hold a slot keep it
            slot = self._slot_of.get(track_id) if track_id > 0 else None
            if slot is not None and slot not in claimed:
                slots[row] = slot
                claimed.add(slot)
                self._last_seen_s[track_id] = stamp_s
        reserved = set(self._slot_of.values())
        for row, track_id in enumerate(id_list):  # new ids, then untracked people
            if slots[row] >= 0 or track_id <= 0 or track_id in self._slot_of:
                continue
            slot = _lowest_free(reserved | claimed)
            slots[row] = slot
            claimed.add(slot)
            self._slot_of[track_id] = slot
            self._last_seen_s[track_id] = stamp_s
            reserved.add(slot)
        for row in np.flatnonzero(slots < 0).tolist():
            slot = _lowest_free(reserved | claimed)
            slots[row] = slot
            claimed.add(slot)
        return slots

    def _release(self, present: set[int], stamp_s: float,
                 alive_ids: Collection[int] | None) -> None:
        alive = None if alive_ids is None else {int(track_id) for track_id in alive_ids}
        for track_id in list(self._slot_of):
            if track_id in present:
                continue
            if alive is not None:
                gone = track_id not in alive
            else:
                gone = stamp_s - self._last_seen_s[track_id] > self.hold_s
            if gone:
                del self._slot_of[track_id]
                del self._last_seen_s[track_id]


def _lowest_free(taken: set[int]) -> int:
    slot = 0
    while slot in taken:
        slot += 1
    return slot
