"""Multi-person tracker: gives the poses of successive frames stable ids.

Per update, in stamp time: delete published tracks unmatched for more than ``max_age``;
predict every track's keypoints to the new stamp (constant velocity, ``motion``); score every
track against every detection (OKS, or box IoU, ``similarity``); match them optimally above
``min_similarity``, published tracks first, then tentative ones (``association``); correct
the matched tracks' motion and smoothing; delete tentative tracks that missed; start a
tentative track for every unmatched detection; publish tracks matched ``min_hits`` times under
a new id.
"""

import math
import numbers

import numpy as np

from ..errors import InputError
from ..keypoints import NUM_KEYPOINTS
from ..pose import PoseArrays
from .association import associate_in_order
from .config import TrackerConfig
from .motion import correct_motion, predict_motion
from .one_euro import one_euro_step, OneEuroParams, OneEuroState
from .similarity import pose_similarity
from .track import Track, TrackState
from .track_table import TrackTable
from .tracked_poses import TrackedPoses


_NO_ROWS = np.zeros(0, np.int64)


class PoseTracker:
    """Tracks people across frames from their detected poses; not thread-safe.

    Ids are positive and increase by one per published track, in order of publication, and
    are never reused for the lifetime of the object (``reset()`` keeps counting).
    """

    def __init__(self, config: TrackerConfig | None = None) -> None:
        """Create a tracker with no tracks.

        Args:
            config: Settings; ``TrackerConfig()`` when omitted.

        Raises:
            InputError: ``config`` is not a ``TrackerConfig``.
        """
        if config is None:
            config = TrackerConfig()
        if not isinstance(config, TrackerConfig):
            raise InputError(f'config must be a TrackerConfig, got {type(config).__name__}')
        self._config = config
        self._smoothing = OneEuroParams(config.smoothing_min_cutoff, config.smoothing_beta,
                                        config.smoothing_d_cutoff)
        self._next_id = 1
        self._table = TrackTable.empty()
        self._stamp_s: float | None = None
        self._matched_rows = np.zeros(0, np.int64)
        self._matched_detections = np.zeros(0, np.int64)

    @property
    def config(self) -> TrackerConfig:
        """The settings the tracker was created with."""
        return self._config

    @property
    def tracks(self) -> tuple[Track, ...]:
        """The published (confirmed and lost) tracks after the latest update, by id."""
        table = self._table
        detection_of_row = np.full(len(table), -1, np.int64)
        detection_of_row[self._matched_rows] = self._matched_detections
        rows = (table.ids > 0).nonzero()[0]
        rows = rows[np.argsort(table.ids[rows], kind='stable')]
        detection = detection_of_row[rows].tolist()
        return tuple(
            Track(track_id, TrackState.CONFIRMED if index >= 0 else TrackState.LOST, hits,
                  first, last, index, xy)
            for track_id, hits, first, last, index, xy in zip(
                table.ids[rows].tolist(), table.hits[rows].tolist(),
                table.first_seen_s[rows].tolist(), table.last_seen_s[rows].tolist(),
                detection, table.motion.position[rows]))

    def reconfigure(self, config: TrackerConfig) -> None:
        """Use new settings from the next update on; tracks, their filters and ids are kept.

        Raises:
            InputError: ``config`` is not a ``TrackerConfig``.
        """
        if not isinstance(config, TrackerConfig):
            raise InputError(f'config must be a TrackerConfig, got {type(config).__name__}')
        self._config = config
        self._smoothing = OneEuroParams(config.smoothing_min_cutoff, config.smoothing_beta,
                                        config.smoothing_d_cutoff)

    def reset(self) -> None:
        """Delete every track and forget the last stamp; ids keep increasing afterwards."""
        self._table = TrackTable.empty()
        self._stamp_s = None
        self._matched_rows = np.zeros(0, np.int64)
        self._matched_detections = np.zeros(0, np.int64)

    def update(self, detections: PoseArrays, stamp_s: float) -> TrackedPoses:
        """Match one frame's detections to the tracks and return them with ids.

        A stamp that is not later than the previous update's (a bag replayed in a loop, a
        simulation restarted, a duplicated frame) resets the tracker first; the result says
        so in ``reset_reason`` and the people get new ids.

        Args:
            detections: The poses of the frame, in source-image pixels; zero poses is fine.
            stamp_s: Stamp of the frame (the image header stamp), in seconds.

        Returns:
            The detections, row for row, with track ids (0 while tentative) and smoothed
            keypoints, and the counts of this update.

        Raises:
            InputError: ``detections`` is not ``PoseArrays``, has the wrong shapes, non-finite
                values or scores outside [0, 1], or ``stamp_s`` is not a finite number.
        """
        keypoints_xy, keypoint_scores, pose_scores = _checked_detections(detections)
        stamp = _checked_stamp(stamp_s)
        config = self._config
        reset_reason = None
        deaths = 0
        if self._stamp_s is not None and stamp <= self._stamp_s:
            direction = 'went backwards' if stamp < self._stamp_s else 'repeated'
            reset_reason = (f'stamp {direction} ({self._stamp_s:.6f} s -> {stamp:.6f} s); '
                            f'tracks cleared, people get new ids')
            deaths += int(np.count_nonzero(self._table.ids))
            self.reset()
        table = self._table
        if self._stamp_s is not None and len(table):
            expired = stamp - table.last_seen_s > config.max_age
            if expired.any():
                deaths += int(np.count_nonzero(table.ids[expired]))
                table = table.select(~expired)
            table.motion = predict_motion(table.motion, stamp - self._stamp_s)

        visible = keypoint_scores >= config.min_keypoint_score
        if len(table) and len(keypoints_xy):
            assignment = associate_in_order(
                pose_similarity(table.motion.position, table.visible, keypoints_xy, visible),
                ((table.ids > 0).nonzero()[0], (table.ids == 0).nonzero()[0]),
                config.min_similarity)
            rows, matched = assignment.track_indices, assignment.detection_indices
            unmatched_rows, fresh = assignment.unmatched_tracks, assignment.unmatched_detections
        else:
            rows = matched = _NO_ROWS
            unmatched_rows, fresh = np.arange(len(table)), np.arange(len(keypoints_xy))
        output_xy = keypoints_xy
        births = 0
        if len(rows):
            smoothed = self._correct(table, rows, keypoints_xy[matched], visible[matched], stamp)
            if config.smoothing:
                output_xy = keypoints_xy.copy()
                output_xy[matched] = smoothed
            births += self._publish(table, rows)

        missed_tentative = unmatched_rows[table.ids[unmatched_rows] == 0]
        if len(missed_tentative):
            keep = np.ones(len(table), bool)
            keep[missed_tentative] = False
            rows = (np.cumsum(keep) - 1)[rows]
            table = table.select(keep)
        matched_rows = rows
        if len(fresh):
            born = TrackTable.start(keypoints_xy[fresh], visible[fresh], stamp)
            births += self._publish(born, np.arange(len(born)))
            matched_rows = np.concatenate((rows, len(table) + np.arange(len(born))))
            matched = np.concatenate((matched, fresh))
            table = table.concatenate(born)
        self._table, self._stamp_s = table, stamp
        self._matched_rows, self._matched_detections = matched_rows, matched

        ids = np.zeros(len(keypoints_xy), np.int64)
        ids[matched] = table.ids[matched_rows]
        return TrackedPoses(ids, PoseArrays(output_xy, keypoint_scores, pose_scores), stamp,
                            int(np.count_nonzero(table.ids)), births, deaths, reset_reason,
                            self.tracks)

    def _correct(self, table: TrackTable, rows: np.ndarray, keypoints_xy: np.ndarray,
                 visible: np.ndarray, stamp: float) -> np.ndarray:
        """Fuse matched detections into their tracks, in place; return the smoothed xy.

        Args:
            table: Tracks predicted to ``stamp``; its arrays are updated in place.
            rows: Int64 ``[m]`` matched track rows (at least one).
            keypoints_xy: Float64 ``[m, 17, 2]`` their detections' keypoints, pixels.
            visible: Bool ``[m, 17]`` keypoints at or above the score threshold.
            stamp: The update's stamp, seconds.

        Returns:
            The smoothed keypoints ``[m, 17, 2]`` (raw when smoothing is off).
        """
        motion = correct_motion(table.motion.select(rows), keypoints_xy, visible)
        table.motion.position[rows] = motion.position
        table.motion.velocity[rows] = motion.velocity
        table.motion.covariance[rows] = motion.covariance
        smoothed = keypoints_xy
        if self._config.smoothing:
            smoothing = table.smoothing
            step = one_euro_step(
                OneEuroState(smoothing.value[rows], smoothing.speed[rows]), keypoints_xy,
                (stamp - table.last_seen_s[rows])[:, None, None], self._smoothing)
            smoothing.value[rows], smoothing.speed[rows] = step.value, step.speed
            smoothed = step.value
        table.hits[rows] += 1
        table.last_seen_s[rows] = stamp
        table.visible[rows] = visible
        return smoothed

    def _publish(self, table: TrackTable, rows: np.ndarray) -> int:
        """Give new ids, in row order, to tentative ``rows`` with enough hits (in place)."""
        ready = rows[(table.ids[rows] == 0) & (table.hits[rows] >= self._config.min_hits)]
        table.ids[ready] = np.arange(self._next_id, self._next_id + len(ready))
        self._next_id += len(ready)
        return len(ready)


def _checked_detections(detections: PoseArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return float64 keypoint xy ``[n, 17, 2]``, keypoint and pose scores of valid detections.

    Raises:
        InputError: Not ``PoseArrays``, not real arrays, wrong shapes, NaN or inf, or scores
            outside [0, 1].
    """
    if not isinstance(detections, PoseArrays):
        raise InputError(f'detections must be PoseArrays, got {type(detections).__name__}')
    named = (('keypoints_xy', detections.keypoints_xy),
             ('keypoint_scores', detections.keypoint_scores),
             ('pose_scores', detections.pose_scores))
    for name, array in named:
        if not isinstance(array, np.ndarray) or array.dtype.kind not in 'iuf':
            raise InputError(f'detections.{name} must be a real numpy array, got '
                             f'{getattr(array, "dtype", type(array).__name__)}')
    xy, keypoint_scores, pose_scores = (np.asarray(array, dtype=np.float64) for _, array in named)
    count = pose_scores.shape[0] if pose_scores.ndim == 1 else -1
    if xy.shape != (count, NUM_KEYPOINTS, 2) or keypoint_scores.shape != (count, NUM_KEYPOINTS):
        raise InputError(f'detections need keypoints_xy [n, {NUM_KEYPOINTS}, 2], '
                         f'keypoint_scores [n, {NUM_KEYPOINTS}] and pose_scores [n], got '
                         f'{xy.shape}, {keypoint_scores.shape} and {pose_scores.shape}')
    if not np.isfinite(xy).all():
        raise InputError('detections.keypoints_xy contains NaN or inf')
    for name, scores in (('keypoint_scores', keypoint_scores), ('pose_scores', pose_scores)):
        if not (np.abs(scores - 0.5) <= 0.5).all():  # NaN fails the comparison
            raise InputError(f'detections.{name} must be finite and in [0, 1], got values in '
                             f'[{scores.min()}, {scores.max()}]')
    return xy, keypoint_scores, pose_scores


def _checked_stamp(stamp_s: float) -> float:
    """Return ``stamp_s`` as a float, or raise ``InputError`` if it is not a finite number."""
    if (not isinstance(stamp_s, numbers.Real) or isinstance(stamp_s, bool)
            or not math.isfinite(stamp_s)):
        raise InputError(f'stamp_s must be a finite number of seconds, got {stamp_s!r}')
    return float(stamp_s)
