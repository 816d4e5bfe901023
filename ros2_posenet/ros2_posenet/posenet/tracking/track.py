"""What a caller sees of one track: its id, life-cycle state and timing."""

from dataclasses import dataclass
from enum import Enum

import numpy as np


class TrackState(Enum):
    """Life-cycle state of a track after an update.

    ``TENTATIVE``: seen in fewer than ``min_hits`` consecutive updates; not published: its
    detection gets id 0 and it is not in ``TrackedPoses.tracks``. A tentative track that finds
    no detection in an update is deleted at once, so a track needs ``min_hits`` consecutive
    detections to be published.
    ``CONFIRMED``: published and matched to a detection in this update.
    ``LOST``: published, unmatched in this update; kept (and predicted at constant velocity)
    until ``max_age`` seconds have passed since its last match, then deleted. If it is
    matched again before that, it is ``CONFIRMED`` again under the same id.
    """

    TENTATIVE = 'tentative'
    CONFIRMED = 'confirmed'
    LOST = 'lost'


@dataclass(frozen=True, eq=False)
class Track:
    """A snapshot of one published track after an update.

    Attributes:
        id: Track id (> 0), unique for the lifetime of the ``PoseTracker``.
        state: ``CONFIRMED`` or ``LOST``.
        hits: Number of updates in which the track was matched.
        first_seen_s: Stamp of the detection that started the track, in seconds.
        last_seen_s: Stamp of its latest matched detection, in seconds.
        detection_index: Row of the matched detection in this update, -1 when ``LOST``.
        keypoints_xy: Float64 ``[17, 2]`` (x, y) in source-image pixels: the motion model's
            estimate at this update's stamp (the prediction, for a lost track).
    """

    id: int
    state: TrackState
    hits: int
    first_seen_s: float
    last_seen_s: float
    detection_index: int
    keypoints_xy: np.ndarray
