"""Skeleton overlay: poses drawn onto a BGR image in place (shared by the CLI, demo and node).

Colours are fixed per body side (``keypoints.PART_SIDES``) so a person's left and right limbs
are told apart at a glance and look the same in every frame; bones joining the two sides
(shoulders, hips) use the centre colour. Tracked people (``pose_ids``) get their bones in the
colour of their track id (``track_color``), the same colour in every frame and in RViz.
"""

from collections.abc import Sequence
import colorsys
import math
from typing import Final

import cv2
import numpy as np

from ..errors import InputError
from ..keypoints import PART_SIDES
from ..pose import Pose
from ..pose_geometry import visible_bones

SIDE_COLORS_BGR: Final[dict[str, tuple[int, int, int]]] = {
    'left': (255, 170, 0),     # azure
    'right': (0, 140, 255),    # orange
    'centre': (80, 230, 80),   # green
}
"""Drawing colour (B, G, R) per body side, also used for the bones of that side."""

LABEL_COLOR_BGR: Final[tuple[int, int, int]] = (255, 255, 255)

_SHIFT: Final[int] = 4
"""Fractional bits of OpenCV drawing coordinates: keypoints are drawn to 1/16 pixel."""
_ONE: Final[int] = 1 << _SHIFT
_COORD_LIMIT: Final[float] = 1e5
"""Coordinates are clamped to +-this many pixels so fixed-point values stay in int32."""


def track_color(track_id: int) -> tuple[int, int, int]:
    """Return the BGR colour of a track id: stable, and far from its neighbours' colours.

    Hues step by the golden ratio of a turn per id (ids 1, 2, 3 ... never look alike);
    saturation and value stay high so the colour reads on any image.
    """
    hue = (track_id * 0.6180339887498949) % 1.0
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.8, 1.0)
    return round(blue * 255), round(green * 255), round(red * 255)


def bone_color(part_a: int, part_b: int) -> tuple[int, int, int]:
    """Return the BGR colour of the bone between two part ids (centre when sides differ)."""
    side_a, side_b = PART_SIDES[part_a], PART_SIDES[part_b]
    return SIDE_COLORS_BGR[side_a if side_a == side_b else 'centre']


def draw_poses(image_bgr: np.ndarray, poses: Sequence[Pose], min_keypoint_score: float = 0.0,
               *, thickness: int = 2, radius: int = 3, show_scores: bool = False,
               pose_ids: Sequence[int] | None = None) -> np.ndarray:
    """Draw skeletons onto ``image_bgr`` in place.

    Bones are anti-aliased lines between connected parts (``keypoints.CONNECTED_PART_IDS``)
    whose two keypoints both score at least ``min_keypoint_score``; keypoints scoring at least
    that are filled circles. Coordinates are source-image pixels (as ``PoseEngine`` returns)
    and are drawn with sub-pixel precision; points outside the image are clipped by OpenCV.

    Args:
        image_bgr: ``[H, W, 3]`` uint8 BGR image, modified in place.
        poses: Poses in ``image_bgr`` pixel coordinates.
        min_keypoint_score: Keypoints scoring below this are not drawn, nor their bones.
        thickness: Bone line width in pixels.
        radius: Keypoint circle radius in pixels.
        show_scores: Write each pose's score (and id, when given) above its top-most drawn
            keypoint.
        pose_ids: Optional track id per pose (same length as ``poses``; 0 = not tracked):
            bones of a tracked pose take ``track_color(id)``, and the id is shown with
            ``show_scores``.

    Returns:
        ``image_bgr`` (for chaining).

    Raises:
        InputError: ``image_bgr`` is not a writable ``[H, W, 3]`` uint8 array, or ``pose_ids``
            has the wrong length.
    """
    if (not isinstance(image_bgr, np.ndarray) or image_bgr.ndim != 3
            or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8):
        raise InputError('image_bgr must be a [height, width, 3] uint8 array')
    if not image_bgr.flags.writeable:
        raise InputError('image_bgr must be writable (it is drawn on in place)')
    if pose_ids is not None and len(pose_ids) != len(poses):
        raise InputError(f'pose_ids has {len(pose_ids)} entries for {len(poses)} poses')
    # OpenCV draws into the array only when its memory layout is one OpenCV can wrap.
    canvas = image_bgr if image_bgr.flags.c_contiguous else np.ascontiguousarray(image_bgr)
    for index, pose in enumerate(poses):
        points = [_fixed_point(kp.x, kp.y) if kp.score >= min_keypoint_score else None
                  for kp in pose.keypoints]
        pose_id = 0 if pose_ids is None else int(pose_ids[index])
        for part_a, part_b in visible_bones([kp.score for kp in pose.keypoints],
                                            min_keypoint_score):
            point_a, point_b = points[part_a], points[part_b]
            if point_a is not None and point_b is not None:  # not finite: not drawn
                color = track_color(pose_id) if pose_id > 0 else bone_color(part_a, part_b)
                cv2.line(canvas, point_a, point_b, color, thickness, cv2.LINE_AA, _SHIFT)
        for part_id, point in enumerate(points):
            if point is not None:
                cv2.circle(canvas, point, radius * _ONE, SIDE_COLORS_BGR[PART_SIDES[part_id]],
                           cv2.FILLED, cv2.LINE_AA, _SHIFT)
        if show_scores:
            _draw_label(canvas, pose, points,
                        None if pose_ids is None else pose_ids[index], thickness)
    if canvas is not image_bgr:
        np.copyto(image_bgr, canvas)
    return image_bgr


def _fixed_point(x: float, y: float) -> tuple[int, int] | None:
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    x = min(max(x, -_COORD_LIMIT), _COORD_LIMIT)
    y = min(max(y, -_COORD_LIMIT), _COORD_LIMIT)
    return round(x * _ONE), round(y * _ONE)


def _draw_label(canvas: np.ndarray, pose: Pose, points: list[tuple[int, int] | None],
                pose_id: int | None, thickness: int) -> None:
    drawn = [p for p in points if p is not None]
    if not drawn:
        return
    scale = max(1, thickness // 2)  # text grows with the lines on large images
    x = min(p[0] for p in drawn) // _ONE
    y = min(p[1] for p in drawn) // _ONE - 8 * scale
    text = f'{pose.score:.2f}' if not pose_id else f'#{pose_id} {pose.score:.2f}'
    x = min(max(x, 0), max(canvas.shape[1] - 1, 0))
    y = min(max(y, 12 * scale), max(canvas.shape[0] - 1, 0))
    for color, width in (((0, 0, 0), 3 * scale), (LABEL_COLOR_BGR, scale)):
        cv2.putText(canvas, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, color, width,
                    cv2.LINE_AA)
