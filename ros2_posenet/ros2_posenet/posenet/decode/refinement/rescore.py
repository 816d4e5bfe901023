"""Keypoint-level soft NMS and pose rescoring, as Coral's C++ PoseNet decoder does it.

Poses are visited in decreasing *initial* score (the mean of their 17 keypoint scores); a
keypoint within ``nms_radius`` of the same keypoint of a pose visited before it is *occluded*
and adds nothing to its pose's final score, the sum of the unoccluded keypoint scores over 17
(Coral ``PerformSoftKeypointNMS`` with top-k = 17). Poses are returned in decreasing final score,
so a duplicate of a person, whose keypoints all lie on that person's, scores near 0 and comes
last, whatever its root's score was.
"""

from functools import lru_cache

import numpy as np

from ...keypoints import NUM_KEYPOINTS


@lru_cache(maxsize=128)
def _earlier(count: int) -> np.ndarray:
    """Return bool [count, count, 1], True at [i, j] where j < i (read-only, cached)."""
    earlier = np.tri(count, k=-1, dtype=bool)[:, :, None]
    earlier.flags.writeable = False
    return earlier


def rescore_poses(keypoints_xy: np.ndarray, keypoint_scores: np.ndarray,
                  squared_nms_radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the final pose scores and the order of decreasing final score.

    Args:
        keypoints_xy: Float64 [n, 17, 2] keypoint positions (any one pixel frame).
        keypoint_scores: Float64 [n, 17] keypoint scores.
        squared_nms_radius: ``nms_radius ** 2`` in the same pixels.

    Returns:
        ``(pose_scores, order)``: float64 [n] final scores (indexed like the input) and int
        [n] indices in decreasing final score (stable on ties: initial order first).
    """
    count = keypoints_xy.shape[0]
    visit = np.argsort(-keypoint_scores.sum(axis=1), kind='stable')
    x = keypoints_xy[visit, :, 0]  # [n, 17] in visiting order
    y = keypoints_xy[visit, :, 1]
    delta_x = x[:, None] - x[None]  # [n, earlier, 17]
    delta_y = y[:, None] - y[None]
    near = delta_x * delta_x + delta_y * delta_y <= squared_nms_radius
    near &= _earlier(count)
    kept = np.where(near.any(axis=1), 0.0, keypoint_scores[visit])
    final = np.empty(count)
    final[visit] = kept.sum(axis=1) / NUM_KEYPOINTS
    return final, np.argsort(-final, kind='stable')
