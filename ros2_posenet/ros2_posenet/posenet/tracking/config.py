"""Settings of ``PoseTracker``, validated at construction against one table of limits."""

from dataclasses import dataclass
import math
import numbers
from typing import Final

from ..errors import InputError

TRACKER_LIMITS: Final[dict[str, tuple[float, float]]] = {
    'min_hits': (1, 100),
    'max_age': (0.0, 60.0),
    'min_similarity': (0.0, 1.0),
    'min_keypoint_score': (0.0, 1.0),
    'smoothing_min_cutoff': (0.001, 100.0),
    'smoothing_beta': (0.0, 10.0),
    'smoothing_d_cutoff': (0.001, 100.0),
}
"""Inclusive (low, high) of each numeric ``TrackerConfig`` field, in the field's units.

``min_hits`` is an integer (its limits are ints); the others are floats. The ROS node derives
its parameter ranges from this table.
"""

INTEGER_FIELDS: Final[frozenset[str]] = frozenset({'min_hits'})
"""Fields of ``TRACKER_LIMITS`` that take integers."""


@dataclass(frozen=True)
class TrackerConfig:
    """How detections become tracks.

    The defaults were measured on the project videos with the 353x481 PoseNet decoder model
    (multi-pose, score threshold 0.5, NMS radius 20): ``Dance.mp4`` (one dancer, 25 fps) and
    ``intel_one-by-one-person-detection.mp4`` (six people crossing a room one after another,
    10 fps; ``test/test_tracking_videos.py``), and ``tools/benchmark_tracking.py``.

    Attributes:
        min_hits: Consecutive matched updates before a track is published (gets an id), in
            ``TRACKER_LIMITS``. 3 keeps one- and two-frame false poses (PoseNet's ghosts on
            clutter, people half-entering the picture) from ever getting an id, at the cost of
            ids appearing two frames late (80 ms at 25 fps).
        max_age: Seconds a published track survives unmatched (lost, predicted at constant
            velocity) before it is deleted; matched within it, it keeps its id. 1.0 s bridges
            the missed detections seen in the videos (a few frames) and a person passing
            behind another, while someone entering where another left more than a second ago
            gets a new id (the people of the intel video enter 3.6 s or more apart).
        min_similarity: Smallest similarity (OKS, or keypoint-box IoU when too few keypoints
            are shared) between a track's predicted pose and a detection for them to match,
            in [0, 1]. Measured: a track's prediction and its person's next detection score a
            median of 0.95 (Dance) and 0.97 (intel), 5th percentile 0.79 and 0.63, the
            lowest 1 % (0.05 to 0.2) while someone walks into the picture half cut off; a
            pose shifted sideways by half its keypoint-box width scores 0.16 to 0.18 (median),
            by 0.75 widths 0.02 to 0.04. 0.2 is the largest gate that keeps every intel person
            on one id (0.25 splits one entering person in two) and still needs two people to
            overlap by more than about half a body width before a lost track can jump to the
            wrong one.
        min_keypoint_score: Keypoints scoring below this are ignored by association (they
            neither count towards OKS nor shape the boxes) and do not update the motion
            model, in [0, 1]. 0.5: the midpoint of PoseNet's sigmoid scores; on Dance 90 % of
            keypoint scores exceed 0.6.
        smoothing: Smooth published keypoint positions with a One-Euro filter per track.
        smoothing_min_cutoff: One-Euro cutoff at rest, Hz.
        smoothing_beta: One-Euro cutoff increase per px/s of keypoint speed, Hz/(px/s).
        smoothing_d_cutoff: One-Euro cutoff of the speed estimate, Hz. With 1.0 Hz, 0.01 and
            1.0 Hz (Casiez et al.'s d_cutoff, and their suggested starting min_cutoff) the
            mean keypoint acceleration on Dance drops from 6.0 to 1.9 px/frame^2 (ratio 0.31)
            at a lag of 28 ms (0.7 frame at 25 fps). Measured alternatives: beta 0 gives 0.17
            at 102 ms, beta 0.02 0.38 at 17 ms, beta 0.05 0.51 at 10 ms, min_cutoff 0.5 Hz
            0.28 at 35 ms: below 0.01 each ms of lag saved costs little jitter, above it much
            more.

    Raises:
        InputError: (a ``ValueError``) at construction, naming the field, the bad value and
            its allowed range.
    """

    min_hits: int = 3
    max_age: float = 1.0
    min_similarity: float = 0.2
    min_keypoint_score: float = 0.5
    smoothing: bool = True
    smoothing_min_cutoff: float = 1.0
    smoothing_beta: float = 0.01
    smoothing_d_cutoff: float = 1.0

    def __post_init__(self) -> None:
        """Reject values outside ``TRACKER_LIMITS`` and a non-bool ``smoothing``."""
        for name, (low, high) in TRACKER_LIMITS.items():
            value = getattr(self, name)
            is_number = (isinstance(value, numbers.Integral) if name in INTEGER_FIELDS
                         else isinstance(value, numbers.Real))
            kind = 'an integer' if name in INTEGER_FIELDS else 'a number'
            if (not is_number or isinstance(value, bool) or not math.isfinite(value)
                    or not low <= value <= high):
                raise InputError(f'{name} must be {kind} in [{low}, {high}], got {value!r}')
        if not isinstance(self.smoothing, bool):
            raise InputError(f'smoothing must be True or False, got {self.smoothing!r}')
