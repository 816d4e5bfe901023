"""Part-based non-maximum suppression of multi-pose decoding (TF.js ``decodeMultiplePoses``).

A root candidate is dropped when it lies within ``nms_radius`` pixels of the same part of an
already detected pose, and a new pose is scored only by its keypoints that are not within that
radius of the same part of an earlier pose. Distances are compared squared, ``<=``, in double
precision, as in TF.js ``squaredDistance``.
"""

from collections.abc import Sequence
from functools import lru_cache

import numpy as np


def within_nms_radius_of_corresponding_point(corresponding_points: Sequence[tuple[float, float]],
                                             y: float, x: float,
                                             squared_nms_radius: float) -> bool:
    """Return whether ``(y, x)`` lies within the radius of any of the corresponding points.

    Args:
        corresponding_points: ``(y, x)`` in input pixels of the same part in each earlier pose.
        y: Row of the new point in input pixels.
        x: Column of the new point in input pixels.
        squared_nms_radius: ``nms_radius ** 2`` in squared pixels.
    """
    for other_y, other_x in corresponding_points:
        dy = other_y - y
        dx = other_x - x
        if dy * dy + dx * dx <= squared_nms_radius:
            return True
    return False


def keypoints_not_overlapped(positions: np.ndarray, squared_nms_radius: float) -> np.ndarray:
    """Tell which keypoints of each pose are clear of the same part of every earlier pose.

    Args:
        positions: Float64 array [2, num_poses, 17]: keypoint rows, then columns, in input
            pixels, poses in detection order.
        squared_nms_radius: ``nms_radius ** 2``.

    Returns:
        Bool array [num_poses, 17]: True where the keypoint adds to its pose's score (the
        first pose counts all of them).
    """
    num_poses = positions.shape[1]
    delta = positions[:, :, None, :] - positions[:, None, :, :]  # [yx, pose, earlier pose, part]
    delta *= delta
    near = delta[0] + delta[1] <= squared_nms_radius
    near &= _earlier_poses(num_poses)
    return ~near.any(axis=1)


@lru_cache(maxsize=64)
def _earlier_poses(num_poses: int) -> np.ndarray:
    """Return bool [num_poses, num_poses, 1], True at [i, j] where pose j precedes pose i."""
    earlier = np.tri(num_poses, k=-1, dtype=bool)[:, :, None]
    earlier.flags.writeable = False
    return earlier


def get_instance_scores(keypoint_scores: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Return the pose scores: sum of the counted keypoint scores over the number of keypoints.

    The sum runs in part order in double precision like TF.js ``getInstanceScore``
    (``cumsum`` accumulates sequentially; a skipped keypoint adds an exact 0).

    Args:
        keypoint_scores: Array [num_poses, 17] of keypoint scores.
        counted: Bool array [num_poses, 17] (``keypoints_not_overlapped``).

    Returns:
        Float64 array [num_poses].
    """
    kept = np.where(counted, keypoint_scores.astype(np.float64), 0.0)
    return np.cumsum(kept, axis=1)[:, -1] / keypoint_scores.shape[1]
