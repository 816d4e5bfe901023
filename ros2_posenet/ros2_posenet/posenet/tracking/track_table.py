"""The live tracks of a tracker as parallel arrays, one row per track (tentative included)."""

from dataclasses import dataclass

import numpy as np

from ..keypoints import NUM_KEYPOINTS
from .motion import KinematicState, start_motion
from .one_euro import one_euro_start, OneEuroState


@dataclass(eq=False)
class TrackTable:
    """State of ``t`` live tracks; row ``i`` of every field is track ``i``.

    The tracker's private working state: it updates the rows of matched tracks in place and
    replaces ``motion`` after each prediction; ``select`` and ``concatenate`` return new
    tables with their own arrays.

    Attributes:
        ids: Int64 ``[t]``: published id, 0 while tentative.
        hits: Int64 ``[t]``: updates in which the track was matched (consecutive while
            tentative, since a tentative miss deletes the track).
        first_seen_s: Float64 ``[t]``: stamp of the first detection, seconds.
        last_seen_s: Float64 ``[t]``: stamp of the latest matched detection, seconds (also
            the stamp of the smoothing filter's state).
        visible: Bool ``[t, 17]``: keypoints that scored at least ``min_keypoint_score`` in the
            latest matched detection; only they count in association.
        motion: Constant-velocity Kalman state at the tracker's latest stamp.
        smoothing: One-Euro state of the keypoint (x, y) ``[t, 17, 2]`` at ``last_seen_s``.
    """

    ids: np.ndarray
    hits: np.ndarray
    first_seen_s: np.ndarray
    last_seen_s: np.ndarray
    visible: np.ndarray
    motion: KinematicState
    smoothing: OneEuroState

    def __len__(self) -> int:
        """Return the number of tracks."""
        return int(self.ids.shape[0])

    @classmethod
    def empty(cls) -> 'TrackTable':
        """Return a table of zero tracks."""
        xy = np.zeros((0, NUM_KEYPOINTS, 2))
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0),
                   np.zeros((0, NUM_KEYPOINTS), bool), KinematicState.empty(NUM_KEYPOINTS),
                   one_euro_start(xy))

    @classmethod
    def start(cls, keypoints_xy: np.ndarray, visible: np.ndarray, stamp_s: float) -> 'TrackTable':
        """Return new tentative tracks, one per detection, seen once at ``stamp_s``.

        Args:
            keypoints_xy: Float64 ``[t, 17, 2]`` detected (x, y) in pixels.
            visible: Bool ``[t, 17]`` keypoints at or above the score threshold.
            stamp_s: Stamp of the detections, seconds.
        """
        count = keypoints_xy.shape[0]
        return cls(np.zeros(count, np.int64), np.ones(count, np.int64), np.full(count, stamp_s),
                   np.full(count, stamp_s), visible.copy(), start_motion(keypoints_xy),
                   one_euro_start(keypoints_xy))

    def select(self, indices: np.ndarray) -> 'TrackTable':
        """Return the tracks at ``indices`` (int array or boolean mask), in that order."""
        return TrackTable(self.ids[indices], self.hits[indices], self.first_seen_s[indices],
                          self.last_seen_s[indices], self.visible[indices],
                          self.motion.select(indices),
                          OneEuroState(self.smoothing.value[indices],
                                       self.smoothing.speed[indices]))

    def concatenate(self, other: 'TrackTable') -> 'TrackTable':
        """Return the tracks of ``self`` followed by those of ``other``."""
        return TrackTable(
            np.concatenate((self.ids, other.ids)), np.concatenate((self.hits, other.hits)),
            np.concatenate((self.first_seen_s, other.first_seen_s)),
            np.concatenate((self.last_seen_s, other.last_seen_s)),
            np.concatenate((self.visible, other.visible)),
            self.motion.concatenate(other.motion),
            OneEuroState(np.concatenate((self.smoothing.value, other.smoothing.value)),
                         np.concatenate((self.smoothing.speed, other.smoothing.speed))))
