"""Geometry on decoded poses: the visible-bone rule and bounding boxes (one source for both).

Python counterparts of the TF.js ``@tensorflow-models/posenet`` utilities
``getAdjacentKeyPoints`` and ``getBoundingBox``; drawing, RViz markers and the ``PoseArray``
message all use these. Coordinates are pixels, x to the right, y down.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .keypoints import CONNECTED_PART_IDS
from .pose import Keypoint


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Axis-aligned box around keypoints, in the pixels of the keypoints.

    Attributes:
        min_x: Smallest x (left edge).
        min_y: Smallest y (top edge).
        max_x: Largest x (right edge).
        max_y: Largest y (bottom edge).
    """

    min_x: float
    min_y: float
    max_x: float
    max_y: float


def visible_bones(keypoint_scores: Sequence[float],
                  min_confidence: float) -> list[tuple[int, int]]:
    """Return the skeleton bones whose two keypoints both score at least ``min_confidence``.

    A bone is dropped when either end scores strictly below ``min_confidence`` (TF.js
    ``getAdjacentKeyPoints``).

    Args:
        keypoint_scores: The 17 keypoint scores of one pose, indexed by part id.
        min_confidence: Minimum keypoint score in [0, 1].

    Returns:
        ``(part id, part id)`` pairs in ``keypoints.CONNECTED_PART_IDS`` order.
    """
    return [(first, second) for first, second in CONNECTED_PART_IDS
            if not (keypoint_scores[first] < min_confidence
                    or keypoint_scores[second] < min_confidence)]


def get_adjacent_keypoints(keypoints: Sequence[Keypoint],
                           min_confidence: float) -> list[tuple[Keypoint, Keypoint]]:
    """Return the keypoint pairs of :func:`visible_bones` (TF.js ``getAdjacentKeyPoints``).

    Args:
        keypoints: The 17 keypoints of one pose, indexed by part id (``Pose.keypoints``).
        min_confidence: Minimum keypoint score in [0, 1].
    """
    return [(keypoints[first], keypoints[second]) for first, second
            in visible_bones([keypoint.score for keypoint in keypoints], min_confidence)]


def bounding_boxes(keypoints_xy: np.ndarray) -> np.ndarray:
    """Return the box spanned by all keypoints of each pose, whatever their scores.

    Args:
        keypoints_xy: ``[n, k, 2]`` (x, y) pixels, ``k >= 1``.

    Returns:
        Float64 ``[n, 4]``: ``(min_x, min_y, max_x, max_y)`` per pose.
    """
    return np.concatenate((keypoints_xy.min(axis=1), keypoints_xy.max(axis=1)), axis=1)


def get_bounding_box(keypoints: Sequence[Keypoint]) -> BoundingBox:
    """Return the :func:`bounding_boxes` box of one pose's keypoints (TF.js ``getBoundingBox``).

    Args:
        keypoints: Keypoints of one pose (at least one).

    Raises:
        ValueError: ``keypoints`` is empty.
    """
    if not keypoints:
        raise ValueError('get_bounding_box needs at least one keypoint')
    box = bounding_boxes(np.array([[(keypoint.x, keypoint.y) for keypoint in keypoints]]))[0]
    return BoundingBox(*box.tolist())
