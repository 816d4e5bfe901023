"""MoveNet's crop region: where in the source image the next inference looks (the "smart crop").

TensorFlow.js pose-detection (``movenet/crop_utils.ts``) runs MoveNet SinglePose on a square crop
around the person found in the previous frame: centred on the mid-hip point, its half side the
largest of 1.9 times the torso's extent (shoulders and hips from that centre) and 1.2 times the
body's (every keypoint scoring at least ``MIN_CROP_KEYPOINT_SCORE``), clamped to the farthest
image border from the centre. When the torso is not visible (no hip or no shoulder above
``MIN_CROP_KEYPOINT_SCORE``) or the crop would exceed half the longer image side, the next frame
sees the whole image padded to a square instead (:func:`initial_crop_region`).

Regions are in source-image pixels measured from the image's top-left corner (the outer corner of
its top-left pixel), which is TF.js's image frame; keypoints come in the project's pixel-centre
frame (``pose.py``) and are shifted by half a pixel here.

One deviation from TF.js: TF.js's very first frame uses a square from the *middle* of the image
(cutting off the sides of a landscape frame) and only later falls back to the padded whole
image; here every start, the first frame included, sees the whole image padded to a square, so a
still image or a person at the side is never cut off. On square frames the two agree.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np

from ...keypoints import KeypointId

MIN_CROP_KEYPOINT_SCORE: Final[float] = 0.2
"""Keypoints scoring at most this do not count as found (tfjs ``MIN_CROP_KEYPOINT_SCORE``); the
pose score is the mean of the others."""

TORSO_EXPANSION: Final[float] = 1.9
"""Half crop side per unit of the torso's largest distance from the mid-hip point."""

BODY_EXPANSION: Final[float] = 1.2
"""Half crop side per unit of the body's largest distance from the mid-hip point."""

MIN_CROP_HALF_SIDE_PX: Final[float] = 1.0
"""A crop smaller than this (all torso keypoints on one point) falls back to the whole image
(TF.js would sample a zero-sized box, lose the person, and fall back one frame later)."""

TORSO_IDS: Final[tuple[int, ...]] = (KeypointId.LEFT_SHOULDER, KeypointId.RIGHT_SHOULDER,
                                     KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP)
"""The torso joints, in TF.js's order."""


@dataclass(frozen=True)
class CropRegion:
    """A square region of the source image (it may reach beyond the image borders).

    Attributes:
        left: Left edge in source pixels from the image's left border (negative: left of it).
        top: Top edge in source pixels from the image's top border.
        width: Width in source pixels, > 0.
        height: Height in source pixels, > 0 (equal to ``width`` up to rounding).
    """

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """Return the right edge (``left + width``)."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """Return the bottom edge (``top + height``)."""
        return self.top + self.height


def initial_crop_region(image_width: int, image_height: int) -> CropRegion:
    """Return the whole image padded to a centred square (TF.js ``initCropRegion``, not first).

    Args:
        image_width: Source width in pixels, >= 1.
        image_height: Source height in pixels, >= 1.
    """
    side = float(max(image_width, image_height))
    return CropRegion(left=(image_width - side) / 2.0, top=(image_height - side) / 2.0,
                      width=side, height=side)


def torso_visible(keypoint_scores: np.ndarray) -> bool:
    """Return whether a hip and a shoulder score above ``MIN_CROP_KEYPOINT_SCORE``.

    Args:
        keypoint_scores: [17] keypoint scores of one pose.
    """
    scores = keypoint_scores
    threshold = MIN_CROP_KEYPOINT_SCORE
    return bool((scores[KeypointId.LEFT_HIP] > threshold
                 or scores[KeypointId.RIGHT_HIP] > threshold)
                and (scores[KeypointId.LEFT_SHOULDER] > threshold
                     or scores[KeypointId.RIGHT_SHOULDER] > threshold))


def next_crop_region(keypoints_xy: np.ndarray, keypoint_scores: np.ndarray, image_width: int,
                     image_height: int) -> CropRegion:
    """Return the region the next frame should look at (TF.js ``determineNextCropRegion``).

    Args:
        keypoints_xy: [17, 2] keypoint (x, y) in source-image pixels (pixel centres at integers).
        keypoint_scores: [17] keypoint scores.
        image_width: Source width in pixels.
        image_height: Source height in pixels.

    Returns:
        The square around the person, or :func:`initial_crop_region` when the torso is not
        visible or the square would exceed half the longer image side.
    """
    if not torso_visible(keypoint_scores):
        return initial_crop_region(image_width, image_height)
    # TF.js's frame: the image's top-left corner at 0, so pixel centres at +0.5
    x = keypoints_xy[:, 0].astype(np.float64) + 0.5
    y = keypoints_xy[:, 1].astype(np.float64) + 0.5
    centre_x = (x[KeypointId.LEFT_HIP] + x[KeypointId.RIGHT_HIP]) / 2.0
    centre_y = (y[KeypointId.LEFT_HIP] + y[KeypointId.RIGHT_HIP]) / 2.0
    torso = list(TORSO_IDS)
    torso_range_x = float(np.abs(centre_x - x[torso]).max())
    torso_range_y = float(np.abs(centre_y - y[torso]).max())
    found = keypoint_scores >= MIN_CROP_KEYPOINT_SCORE
    body_range_x = float(np.abs(centre_x - x[found]).max(initial=0.0))
    body_range_y = float(np.abs(centre_y - y[found]).max(initial=0.0))
    half_side = max(torso_range_x * TORSO_EXPANSION, torso_range_y * TORSO_EXPANSION,
                    body_range_y * BODY_EXPANSION, body_range_x * BODY_EXPANSION)
    half_side = min(half_side, max(centre_x, image_width - centre_x,
                                   centre_y, image_height - centre_y))
    if half_side > max(image_width, image_height) / 2.0 or half_side < MIN_CROP_HALF_SIDE_PX:
        return initial_crop_region(image_width, image_height)
    return CropRegion(left=centre_x - half_side, top=centre_y - half_side,
                      width=2.0 * half_side, height=2.0 * half_side)
