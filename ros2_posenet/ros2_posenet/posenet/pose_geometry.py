"""Geometry on decoded poses: skeleton segments, bounding boxes, scaling and mirroring.

Python counterparts of the TF.js ``@tensorflow-models/posenet`` utilities
``getAdjacentKeyPoints``, ``getBoundingBox``, ``getBoundingBoxPoints``, ``scalePose`` and
``flipPoseHorizontal``. Coordinates are pixels, x to the right, y down.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .decode.build_pose import new_keypoint
from .keypoints import CONNECTED_PART_IDS, MIRRORED_PART_IDS, PART_NAMES
from .pose import Keypoint, Pose


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


def get_adjacent_keypoints(keypoints: Sequence[Keypoint],
                           min_confidence: float) -> list[tuple[Keypoint, Keypoint]]:
    """Return the skeleton segments whose two keypoints both score at least ``min_confidence``.

    A segment is dropped when either end scores strictly below ``min_confidence``.

    Args:
        keypoints: The 17 keypoints of one pose, indexed by part id (``Pose.keypoints``).
        min_confidence: Minimum keypoint score in [0, 1].

    Returns:
        ``(first, second)`` keypoint pairs in ``keypoints.CONNECTED_PART_IDS`` order.
    """
    return [(keypoints[first], keypoints[second]) for first, second in CONNECTED_PART_IDS
            if not (keypoints[first].score < min_confidence
                    or keypoints[second].score < min_confidence)]


def get_bounding_box(keypoints: Sequence[Keypoint]) -> BoundingBox:
    """Return the box spanned by all keypoint positions, whatever their scores.

    Args:
        keypoints: Keypoints of one pose (at least one).

    Raises:
        ValueError: ``keypoints`` is empty.
    """
    if not keypoints:
        raise ValueError('get_bounding_box needs at least one keypoint')
    xs = [keypoint.x for keypoint in keypoints]
    ys = [keypoint.y for keypoint in keypoints]
    return BoundingBox(min(xs), min(ys), max(xs), max(ys))


def get_bounding_box_points(keypoints: Sequence[Keypoint]) -> tuple[tuple[float, float], ...]:
    """Return the corners ``(x, y)`` of ``get_bounding_box``, clockwise from the top left.

    Args:
        keypoints: Keypoints of one pose (at least one).

    Returns:
        ``((min_x, min_y), (max_x, min_y), (max_x, max_y), (min_x, max_y))``.
    """
    box = get_bounding_box(keypoints)
    return ((box.min_x, box.min_y), (box.max_x, box.min_y), (box.max_x, box.max_y),
            (box.min_x, box.max_y))


def scale_pose(pose: Pose, scale_y: float, scale_x: float, offset_y: float = 0.0,
               offset_x: float = 0.0) -> Pose:
    """Return the pose with ``x * scale_x + offset_x`` and ``y * scale_y + offset_y``.

    Scores are unchanged. Maps e.g. model-input pixels to source-image pixels.

    Args:
        pose: Pose to transform.
        scale_y: Factor applied to every y.
        scale_x: Factor applied to every x.
        offset_y: Added to every y after scaling, pixels.
        offset_x: Added to every x after scaling, pixels.
    """
    return Pose(pose.score, tuple(
        new_keypoint(keypoint.id, keypoint.name, keypoint.x * scale_x + offset_x,
                     keypoint.y * scale_y + offset_y, keypoint.score)
        for keypoint in pose.keypoints))


def flip_pose_horizontal(pose: Pose, image_width: float, swap_left_right: bool = False) -> Pose:
    """Return the pose mirrored left-right in an image ``image_width`` pixels wide.

    Every x becomes ``image_width - 1 - x``. Like TF.js ``flipPoseHorizontal`` (the default),
    the part labels stay: the person's left wrist is still ``leftWrist``, now drawn where it
    appears in the mirrored image (what a selfie view wants). With ``swap_left_right`` the
    labels are mirrored too (``leftWrist`` <-> ``rightWrist``, ...), describing the person
    one would see in the mirrored image as its own left and right (e.g. to mirror training
    data); ``Pose`` keeps keypoints in part-id order, so keypoints trade places.

    Args:
        pose: Pose to mirror.
        image_width: Width in pixels of the image the pose refers to.
        swap_left_right: Also exchange left and right part labels.
    """
    keypoints = pose.keypoints
    mirrored = []
    for part_id, name in enumerate(PART_NAMES):
        source = keypoints[MIRRORED_PART_IDS[part_id] if swap_left_right else part_id]
        mirrored.append(new_keypoint(part_id, name, image_width - 1 - source.x, source.y,
                                     source.score))
    return Pose(pose.score, tuple(mirrored))
