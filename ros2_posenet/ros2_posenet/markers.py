"""RViz markers for estimated poses: skeletons drawn on a plane in front of the camera.

Pixels are placed in the camera optical frame of the image (``header.frame_id``; REP 103/105:
x right, y down, z forward) on the plane ``z = marker_depth`` with the image's pinhole camera
(``posenet.PinholeCamera``, which also documents the scaling of a calibration made at another
resolution and the fallback without one). ``image_intrinsics`` reads that camera from a
``CameraInfo``: ``k``, or ``p`` when ``k`` is all zero (a rectified-only calibration).
Distortion is ignored: at a fixed, assumed depth it changes nothing that matters for a display.

Every array starts with one ``DELETEALL`` marker (empty namespace: all markers of the display)
followed by the markers of the people seen in this image. RViz 2 queues the markers of an array
in order and applies them in one update, so the scene is replaced atomically: people who left
disappear at once, with no per-person bookkeeping between frames and no flicker. An empty
array of people therefore clears the display.

Person ``i`` (index in ``poses``) uses namespace ``person_<i>``; a tracked person (ids given,
id > 0) uses ``track_<id>`` instead, its bones and text in the colour of its id
(``posenet.track_color``, as in the annotated image), so RViz shows one stable namespace and
colour per person. Marker ids ``JOINTS_MARKER_ID`` (``SPHERE_LIST`` of keypoints scoring at
least ``min_keypoint_score``), ``BONES_MARKER_ID`` (``LINE_LIST`` of the visible bones,
``pose_geometry.visible_bones``) and ``TEXT_MARKER_ID`` (``TEXT_VIEW_FACING`` "person <i>
<score>" above the head). Lists with no qualifying point are left out. Colours are fixed by
body side (``SIDE_COLORS``, the annotated image's ``bone_color`` rule), alpha grows with the
keypoint score (the lower of the two for a bone). Sizes are given in image pixels and converted
to metres at ``marker_depth``, so the overlay keeps its look at any depth.
"""
from collections.abc import Sequence
from dataclasses import dataclass
import math
from typing import Final

from builtin_interfaces.msg import Duration
import numpy as np
from geometry_msgs.msg import Point
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from ros2_posenet.image_messages import copy_header
from ros2_posenet.posenet import (bone_color, PART_SIDES, PinholeCamera, Pose, SIDE_COLORS_BGR,
                                  track_color, visible_bones)
from ros2_posenet.posenet.image import FALLBACK_HORIZONTAL_FOV_DEG  # noqa: F401 re-exported
from ros2_posenet.posenet.spatial import Keypoints3d

SIDE_COLORS: Final[dict[str, tuple[float, float, float]]] = {
    side: (red / 255.0, green / 255.0, blue / 255.0)
    for side, (blue, green, red) in SIDE_COLORS_BGR.items()}
"""RGB in [0, 1] of joints and bones by body side (``keypoints.PART_SIDES``): the colours of
the annotated image (``drawing.SIDE_COLORS_BGR``)."""

TEXT_COLOR: Final[tuple[float, float, float]] = (1.0, 1.0, 1.0)
MIN_ALPHA: Final[float] = 0.3
"""Alpha of a score-0 keypoint; alpha rises linearly to 1 at score 1."""

JOINT_DIAMETER_PX: Final[float] = 10.0
BONE_WIDTH_PX: Final[float] = 4.0
TEXT_HEIGHT_PX: Final[float] = 20.0
TEXT_GAP_PX: Final[float] = 20.0
"""Distance from the topmost drawn keypoint to the text centre, in pixels."""

JOINTS_MARKER_ID: Final[int] = 0
BONES_MARKER_ID: Final[int] = 1
TEXT_MARKER_ID: Final[int] = 2

_MAX_LIFETIME_S: Final[float] = 2.0 ** 31 - 1.0
"""``builtin_interfaces/Duration.sec`` is an int32."""


def person_namespace(index: int) -> str:
    """Return the marker namespace of an untracked person (its index in the pose list)."""
    return f'person_{index}'


def track_namespace(track_id: int) -> str:
    """Return the marker namespace of a tracked person."""
    return f'track_{track_id}'


@dataclass(frozen=True)
class MarkerOptions:
    """How poses are drawn as markers.

    Attributes:
        marker_depth: Distance in metres of the drawing plane along the optical axis (> 0).
        marker_lifetime_s: Seconds RViz keeps the markers without a newer array (>= 0;
            0 = until replaced).
        min_keypoint_score: Keypoints scoring below this in [0, 1] are not drawn, nor are
            the bones that touch them.
    """

    marker_depth: float
    marker_lifetime_s: float
    min_keypoint_score: float

    def __post_init__(self) -> None:
        """Reject values RViz cannot show or that make no sense.

        Raises:
            ValueError: A field out of range, naming the field and the allowed range.
        """
        if not (math.isfinite(self.marker_depth) and self.marker_depth > 0.0):
            raise ValueError(
                f'marker_depth={self.marker_depth!r}; expected a finite depth > 0 metres')
        if not 0.0 <= self.marker_lifetime_s < _MAX_LIFETIME_S:
            raise ValueError(
                f'marker_lifetime_s={self.marker_lifetime_s!r}; expected seconds in '
                f'[0, {_MAX_LIFETIME_S}) (0 = until replaced)')
        if not 0.0 <= self.min_keypoint_score <= 1.0:
            raise ValueError(
                f'min_keypoint_score={self.min_keypoint_score!r}; expected a score in [0, 1]')


def image_intrinsics(camera_info: CameraInfo | None, image_width: int,
                     image_height: int) -> PinholeCamera:
    """Return the camera of an image of the given size (see ``posenet.PinholeCamera``).

    Args:
        camera_info: Calibration of the camera, or ``None``. ``k`` is used, ``p`` when ``k``
            is all zero; the fallback when neither gives usable focal lengths.
        image_width: Width in pixels of the image the pixel coordinates refer to (> 0).
        image_height: Height in pixels of that image (> 0).

    Raises:
        ValueError: Non-positive image size.
    """
    if camera_info is None:
        return PinholeCamera.fallback(image_width, image_height)
    k = [float(value) for value in camera_info.k]
    distortion: tuple[float, ...] = ()
    if any(k):  # the raw image: its distortion is in d
        fx, fy, cx, cy, source = k[0], k[4], k[2], k[5], 'camera_info.k'
        distortion = tuple(float(value) for value in camera_info.d)
    else:  # a rectified-only calibration: no distortion left
        p = [float(value) for value in camera_info.p]
        fx, fy, cx, cy, source = p[0], p[5], p[2], p[6], 'camera_info.p'
    return PinholeCamera.from_calibration(fx, fy, cx, cy, int(camera_info.width),
                                          int(camera_info.height), image_width, image_height,
                                          source, distortion)


def poses_to_markers(poses: Sequence[Pose], header: Header, camera: PinholeCamera,
                     options: MarkerOptions, ids: Sequence[int] | None = None,
                     keypoints_3d: Keypoints3d | None = None) -> MarkerArray:
    """Build the marker array for one image (layout and placement: see the module docstring).

    Args:
        poses: Poses in pixels of the source image (x right, y down).
        header: Header of the source image: every marker gets its stamp and frame_id (the
            camera optical frame).
        camera: The source image's camera (``image_intrinsics``).
        options: Depth, lifetime and keypoint score threshold.
        ids: Track id per pose (0 = not tracked), naming its namespace, colour and text;
            ``None``: nobody is tracked.
        keypoints_3d: Measured keypoints (metres, header frame): a measured keypoint is drawn
            where it is, the others on the ``marker_depth`` plane as without depth.

    Returns:
        A ``DELETEALL`` marker, then up to three markers per person.
    """
    lifetime = _duration(options.marker_lifetime_s)
    metres_per_pixel = options.marker_depth / camera.fx
    delete_all = Marker()
    delete_all.header = copy_header(header)
    delete_all.action = Marker.DELETEALL
    markers = [delete_all]
    for index, pose in enumerate(poses):
        track_id = 0 if ids is None else int(ids[index])
        measured = None if keypoints_3d is None else (keypoints_3d.xyz[index],
                                                      keypoints_3d.valid[index])
        markers.extend(_person_markers(
            index, track_id, pose, header, lifetime, camera, metres_per_pixel, options,
            measured))
    array = MarkerArray()
    array.markers = markers
    return array


def _person_markers(index: int, track_id: int, pose: Pose, header: Header, lifetime: Duration,
                    camera: PinholeCamera, metres_per_pixel: float, options: MarkerOptions,
                    measured: tuple[np.ndarray, np.ndarray] | None = None) -> list[Marker]:
    depth = options.marker_depth
    threshold = options.min_keypoint_score
    scores = [keypoint.score for keypoint in pose.keypoints]
    shown = [score >= threshold for score in scores]
    plane = camera.pixels_to_plane([(keypoint.x, keypoint.y) for keypoint in pose.keypoints],
                                   depth)
    if measured is not None:
        plane = np.where(measured[1][:, None], measured[0], plane)
    positions = plane.tolist()
    namespace = track_namespace(track_id) if track_id > 0 else person_namespace(index)
    markers = []

    joints = _new_marker(namespace, JOINTS_MARKER_ID, Marker.SPHERE_LIST, header, lifetime)
    diameter = JOINT_DIAMETER_PX * metres_per_pixel
    joints.scale.x = joints.scale.y = joints.scale.z = diameter
    for keypoint, position, is_shown in zip(pose.keypoints, positions, shown):
        if is_shown:
            joints.points.append(_point(position))
            joints.colors.append(_color(SIDE_COLORS_BGR[PART_SIDES[keypoint.id]],
                                        keypoint.score))
    if joints.points:
        markers.append(joints)

    bones = _new_marker(namespace, BONES_MARKER_ID, Marker.LINE_LIST, header, lifetime)
    bones.scale.x = BONE_WIDTH_PX * metres_per_pixel
    for first, second in visible_bones(scores, threshold):
        color = _color(track_color(track_id) if track_id > 0 else bone_color(first, second),
                       min(scores[first], scores[second]))
        bones.points.append(_point(positions[first]))
        bones.points.append(_point(positions[second]))
        bones.colors.append(color)
        bones.colors.append(color)
    if bones.points:
        markers.append(bones)

    text = _new_marker(namespace, TEXT_MARKER_ID, Marker.TEXT_VIEW_FACING, header, lifetime)
    text.text = (f'#{track_id} {float(pose.score):.2f}' if track_id > 0
                 else f'person {index} {float(pose.score):.2f}')
    text.scale.z = TEXT_HEIGHT_PX * metres_per_pixel
    if track_id > 0:
        blue, green, red = track_color(track_id)
        text.color.r, text.color.g, text.color.b = red / 255.0, green / 255.0, blue / 255.0
    else:
        text.color.r, text.color.g, text.color.b = TEXT_COLOR
    # Above the topmost drawn keypoint (any keypoint when none is drawn), centred on them.
    anchors = [keypoint for keypoint, is_shown in zip(pose.keypoints, shown) if is_shown]
    anchors = anchors or list(pose.keypoints)
    u = (min(float(k.x) for k in anchors) + max(float(k.x) for k in anchors)) / 2.0
    v = min(float(k.y) for k in anchors) - TEXT_GAP_PX
    x, y, z = camera.pixels_to_plane([u, v], depth).tolist()
    text.pose.position.x, text.pose.position.y, text.pose.position.z = x, y, z
    markers.append(text)
    return markers


def _new_marker(namespace: str, marker_id: int, marker_type: int, header: Header,
                lifetime: Duration) -> Marker:
    # Filling the sub-messages Marker() creates is cheaper than replacing them.
    marker = Marker()
    marker.header = copy_header(header)
    marker.ns = namespace
    marker.id = marker_id
    marker.type = marker_type
    marker.action = Marker.ADD
    # Points are given in the header frame: identity pose (a zero quaternion is invalid).
    marker.pose.orientation.w = 1.0
    marker.color.r = marker.color.g = marker.color.b = marker.color.a = 1.0
    marker.lifetime.sec = lifetime.sec
    marker.lifetime.nanosec = lifetime.nanosec
    return marker


def _point(position: Sequence[float]) -> Point:
    return Point(x=position[0], y=position[1], z=position[2])


def _color(color_bgr: tuple[int, int, int], score: float) -> ColorRGBA:
    blue, green, red = color_bgr
    red, green, blue = red / 255.0, green / 255.0, blue / 255.0
    alpha = MIN_ALPHA + (1.0 - MIN_ALPHA) * min(max(float(score), 0.0), 1.0)
    return ColorRGBA(r=red, g=green, b=blue, a=alpha)


def _duration(seconds: float) -> Duration:
    sec, nanosec = divmod(round(seconds * 1e9), 1_000_000_000)
    return Duration(sec=int(sec), nanosec=int(nanosec))
