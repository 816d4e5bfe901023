"""How alike two sets of poses are: Object Keypoint Similarity, with box IoU as the fallback.

OKS is the COCO keypoint metric (``cocoeval.py`` ``computeOks``): for each keypoint visible in
both poses, ``exp(-d^2 / (2 s^2 k^2))`` with ``d`` the distance in pixels, ``k = 2 sigma`` the
per-part constant below and ``s^2`` the object scale (COCO: the ground-truth segment area; here
the area of the box around the visible keypoints), averaged over those keypoints. When fewer
than ``MIN_SHARED_KEYPOINTS`` keypoints are visible in both, OKS means little (one or two
points), and the intersection over union of the two keypoint boxes is used instead.
"""

from typing import Final

import numpy as np

from ..keypoints import PART_NAMES

COCO_SIGMA_BY_PART: Final[dict[str, float]] = {
    'nose': 0.026, 'leftEye': 0.025, 'rightEye': 0.025, 'leftEar': 0.035, 'rightEar': 0.035,
    'leftShoulder': 0.079, 'rightShoulder': 0.079, 'leftElbow': 0.072, 'rightElbow': 0.072,
    'leftWrist': 0.062, 'rightWrist': 0.062, 'leftHip': 0.107, 'rightHip': 0.107,
    'leftKnee': 0.087, 'rightKnee': 0.087, 'leftAnkle': 0.089, 'rightAnkle': 0.089,
}
"""COCO per-keypoint sigmas (``cocoeval.py``: ``[.26, .25, ...] / 10``) by PoseNet part name."""

COCO_SIGMAS: Final[np.ndarray] = np.array([COCO_SIGMA_BY_PART[name] for name in PART_NAMES])
"""Float64 ``[17]`` sigmas in part-id order (PoseNet order is COCO order)."""

MIN_SHARED_KEYPOINTS: Final[int] = 3
"""Fewest keypoints visible in both poses for OKS; below it, box IoU is the similarity."""

_OKS_DENOMINATOR: Final[np.ndarray] = 2.0 * (2.0 * COCO_SIGMAS) ** 2
_MIN_AREA_PX2: Final[float] = 1.0
"""Floor of the scale ``s^2`` (px^2), so a degenerate box does not divide by zero."""


def keypoint_boxes(keypoints_xy: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Return the box around the visible keypoints of each pose.

    Args:
        keypoints_xy: Float64 ``[n, 17, 2]`` (x, y) in pixels.
        visible: Bool ``[n, 17]``. A pose with fewer than two visible keypoints gets the box
            of all 17 (a point has no extent to compare).

    Returns:
        Float64 ``[n, 4]``: (x_min, y_min, x_max, y_max) in pixels.
    """
    use = (visible | (visible.sum(axis=1) < 2)[:, None])[..., None]
    return np.concatenate((np.where(use, keypoints_xy, np.inf).min(axis=1),
                           np.where(use, keypoints_xy, -np.inf).max(axis=1)), axis=1)


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """Return the areas in px^2 of ``[n, 4]`` (x_min, y_min, x_max, y_max) boxes, ``[n]``."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Return the intersection over union of every pair of boxes.

    Args:
        boxes_a: Float64 ``[a, 4]`` (x_min, y_min, x_max, y_max) in pixels.
        boxes_b: Float64 ``[b, 4]``.

    Returns:
        Float64 ``[a, b]`` in [0, 1]; 0 where both boxes have no area.
    """
    low = np.maximum(boxes_a[:, None, :2], boxes_b[None, :, :2])
    high = np.minimum(boxes_a[:, None, 2:], boxes_b[None, :, 2:])
    overlap = np.clip(high - low, 0.0, None)
    intersection = overlap[..., 0] * overlap[..., 1]
    union = box_areas(boxes_a)[:, None] + box_areas(boxes_b)[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def pose_similarity(xy_a: np.ndarray, visible_a: np.ndarray, xy_b: np.ndarray,
                    visible_b: np.ndarray) -> np.ndarray:
    """Return the similarity of every pose of ``a`` with every pose of ``b``.

    OKS over the keypoints visible in both poses, with ``s^2`` the larger of the two
    keypoint-box areas (so a partial detection, e.g. only the head, is not judged against the
    tiny box of its few keypoints); box IoU where fewer than ``MIN_SHARED_KEYPOINTS`` are
    visible in both.

    Args:
        xy_a: Float64 ``[a, 17, 2]`` (x, y) in pixels (e.g. predicted track keypoints).
        visible_a: Bool ``[a, 17]``.
        xy_b: Float64 ``[b, 17, 2]`` in the same pixels (e.g. detections).
        visible_b: Bool ``[b, 17]``.

    Returns:
        Float64 ``[a, b]`` in [0, 1], 1 for identical poses.
    """
    boxes_a = keypoint_boxes(xy_a, visible_a)
    boxes_b = keypoint_boxes(xy_b, visible_b)
    area = np.maximum(np.maximum.outer(box_areas(boxes_a), box_areas(boxes_b)), _MIN_AREA_PX2)
    difference = xy_a[:, None] - xy_b[None, :]
    difference *= difference
    squared_distance = difference[..., 0] + difference[..., 1]
    shared = visible_a[:, None, :] & visible_b[None, :, :]
    shared_count = shared.sum(axis=-1)
    per_keypoint = np.exp(squared_distance / (area[..., None] * -_OKS_DENOMINATOR))
    oks = np.where(shared, per_keypoint, 0.0).sum(axis=-1) / np.maximum(shared_count, 1)
    few = shared_count < MIN_SHARED_KEYPOINTS
    if few.any():
        oks = np.where(few, box_iou(boxes_a, boxes_b), oks)
    return oks
