"""RViz markers for estimated poses: skeletons drawn on a plane in front of the camera.

Pixels are placed in the camera optical frame of the image (``header.frame_id``; REP 103/105:
x right, y down, z forward) on the plane ``z = marker_depth``, with the pinhole model::

    X = (u - cx) * marker_depth / fx,   Y = (v - cy) * marker_depth / fy,   Z = marker_depth

Intrinsics come from ``CameraInfo.k``, or ``CameraInfo.p`` when ``k`` is all zero (a
rectified-only calibration). Distortion is ignored: at a fixed, assumed depth it changes
nothing that matters for a display. When the calibration was made at another resolution than
the image (``camera_info.width/height`` differ from the image size, e.g. a resized or binned
stream), ``fx, cx`` are scaled by ``image_width / camera_info.width`` and ``fy, cy`` by
``image_height / camera_info.height``, as ``image_proc``'s resize does. Without usable camera
info the image is taken as a pinhole camera with a 60 degree horizontal field of view centred on
the image: ``fx = fy = image_width / (2 tan 30deg)``, ``cx = image_width / 2``,
``cy = image_height / 2``.

Every array starts with one ``DELETEALL`` marker (empty namespace: all markers of the display)
followed by the markers of the people seen in this image. RViz 2 queues the markers of an array
in order and applies them in one update, so the scene is replaced atomically: people who left
disappear at once, with no per-person bookkeeping between frames (which a pure function could
not keep) and no flicker. An empty array of people therefore clears the display.

Person ``i`` (index in ``poses``) uses namespace ``person_<i>`` with marker ids
``JOINTS_MARKER_ID`` (``SPHERE_LIST`` of keypoints scoring at least ``min_keypoint_score``),
``BONES_MARKER_ID`` (``LINE_LIST`` of skeleton bones whose two ends both qualify) and
``TEXT_MARKER_ID`` (``TEXT_VIEW_FACING`` "person <i> <score>" above the head). Lists with no
qualifying point are left out. Colours are fixed by body side (``SIDE_COLORS``), alpha grows
with the keypoint score (the lower of the two for a bone). Sizes are given in image pixels and
converted to metres at ``marker_depth``, so the overlay keeps its look at any depth.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from builtin_interfaces.msg import Duration
from geometry_msgs.msg import Point
from sensor_msgs.msg import CameraInfo
from std_msgs.msg import ColorRGBA, Header
from visualization_msgs.msg import Marker, MarkerArray

from .posenet.image.drawing import SIDE_COLORS_BGR
from .posenet.keypoints import CONNECTED_PART_IDS, PART_SIDES
from .posenet.pose import Pose

FALLBACK_HORIZONTAL_FOV_DEG: Final[float] = 60.0
"""Horizontal field of view assumed when no usable ``CameraInfo`` is given."""

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
    """Return the marker namespace of the person at ``index`` in the pose list."""
    return f'person_{index}'


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


@dataclass(frozen=True)
class PinholeIntrinsics:
    """Pinhole intrinsics for the image the poses refer to, in pixels.

    Attributes:
        fx: Focal length along x (columns), pixels.
        fy: Focal length along y (rows), pixels.
        cx: Principal point column, pixels.
        cy: Principal point row, pixels.
        source: Where they came from: ``'camera_info.k'``, ``'camera_info.p'`` or
            ``'fallback'`` (no usable camera info, ``FALLBACK_HORIZONTAL_FOV_DEG``).
    """

    fx: float
    fy: float
    cx: float
    cy: float
    source: str


def image_intrinsics(camera_info: CameraInfo | None, image_width: int,
                     image_height: int) -> PinholeIntrinsics:
    """Return the intrinsics of an image of the given size (see the module docstring).

    Args:
        camera_info: Calibration of the camera, or ``None``. ``k`` is used, ``p`` when ``k``
            is all zero; the fallback when neither gives finite positive focal lengths.
        image_width: Width in pixels of the image the pixel coordinates refer to (> 0).
        image_height: Height in pixels of that image (> 0).

    Returns:
        Intrinsics scaled to ``image_width x image_height``.

    Raises:
        ValueError: Non-positive image size.
    """
    if image_width <= 0 or image_height <= 0:
        raise ValueError(
            f'image size {image_width}x{image_height}; expected width > 0 and height > 0')
    if camera_info is not None:
        k = [float(value) for value in camera_info.k]
        p = [float(value) for value in camera_info.p]
        if any(k):
            fx, fy, cx, cy, source = k[0], k[4], k[2], k[5], 'camera_info.k'
        else:
            fx, fy, cx, cy, source = p[0], p[5], p[2], p[6], 'camera_info.p'
        values = (fx, fy, cx, cy)
        if all(math.isfinite(value) for value in values) and fx > 0.0 and fy > 0.0:
            if camera_info.width > 0 and camera_info.height > 0:
                scale_x = image_width / camera_info.width
                scale_y = image_height / camera_info.height
                fx, cx = fx * scale_x, cx * scale_x
                fy, cy = fy * scale_y, cy * scale_y
            return PinholeIntrinsics(fx, fy, cx, cy, source)
    focal = image_width / (2.0 * math.tan(math.radians(FALLBACK_HORIZONTAL_FOV_DEG) / 2.0))
    return PinholeIntrinsics(focal, focal, image_width / 2.0, image_height / 2.0, 'fallback')


def pixel_to_plane(u: float, v: float, intrinsics: PinholeIntrinsics,
                   depth: float) -> tuple[float, float, float]:
    """Project pixel ``(u, v)`` onto the plane ``z = depth`` of the camera optical frame.

    Args:
        u: Column in pixels (x right).
        v: Row in pixels (y down).
        intrinsics: Intrinsics of the image.
        depth: Distance of the plane along the optical axis, metres.

    Returns:
        ``(X, Y, Z)`` in metres, optical frame (x right, y down, z forward).
    """
    return ((u - intrinsics.cx) * depth / intrinsics.fx,
            (v - intrinsics.cy) * depth / intrinsics.fy,
            depth)


def poses_to_markers(poses: Sequence[Pose], header: Header, image_width: int,
                     image_height: int, camera_info: CameraInfo | None,
                     options: MarkerOptions) -> MarkerArray:
    """Build the marker array for one image (layout and placement: see the module docstring).

    Args:
        poses: Poses in pixels of the source image (x right, y down).
        header: Header of the source image: every marker gets its stamp and frame_id (the
            camera optical frame).
        image_width: Width in pixels of the source image.
        image_height: Height in pixels of the source image.
        camera_info: Calibration of the camera, or ``None`` for the fallback intrinsics.
        options: Depth, lifetime and keypoint score threshold.

    Returns:
        A ``DELETEALL`` marker, then up to three markers per person.

    Raises:
        ValueError: Non-positive image size.
    """
    intrinsics = image_intrinsics(camera_info, image_width, image_height)
    lifetime = _duration(options.marker_lifetime_s)
    metres_per_pixel = options.marker_depth / intrinsics.fx
    delete_all = Marker()
    _copy_header_into(header, delete_all.header)
    delete_all.action = Marker.DELETEALL
    markers = [delete_all]
    for index, pose in enumerate(poses):
        markers.extend(_person_markers(
            index, pose, header, lifetime, intrinsics, metres_per_pixel, options))
    array = MarkerArray()
    array.markers = markers
    return array


def _person_markers(index: int, pose: Pose, header: Header, lifetime: Duration,
                    intrinsics: PinholeIntrinsics, metres_per_pixel: float,
                    options: MarkerOptions) -> list[Marker]:
    depth = options.marker_depth
    threshold = options.min_keypoint_score
    shown = [keypoint.score >= threshold for keypoint in pose.keypoints]
    positions = [pixel_to_plane(float(keypoint.x), float(keypoint.y), intrinsics, depth)
                 for keypoint in pose.keypoints]
    namespace = person_namespace(index)
    markers = []

    joints = _new_marker(namespace, JOINTS_MARKER_ID, Marker.SPHERE_LIST, header, lifetime)
    diameter = JOINT_DIAMETER_PX * metres_per_pixel
    joints.scale.x = joints.scale.y = joints.scale.z = diameter
    for keypoint, position, is_shown in zip(pose.keypoints, positions, shown):
        if is_shown:
            joints.points.append(_point(position))
            joints.colors.append(_side_color(PART_SIDES[keypoint.id], keypoint.score))
    if joints.points:
        markers.append(joints)

    bones = _new_marker(namespace, BONES_MARKER_ID, Marker.LINE_LIST, header, lifetime)
    bones.scale.x = BONE_WIDTH_PX * metres_per_pixel
    for first, second in CONNECTED_PART_IDS:
        if shown[first] and shown[second]:
            side_first, side_second = PART_SIDES[first], PART_SIDES[second]
            side = side_first if side_first == side_second else 'centre'
            score = min(pose.keypoints[first].score, pose.keypoints[second].score)
            bones.points.append(_point(positions[first]))
            bones.points.append(_point(positions[second]))
            bones.colors.append(_side_color(side, score))
            bones.colors.append(_side_color(side, score))
    if bones.points:
        markers.append(bones)

    text = _new_marker(namespace, TEXT_MARKER_ID, Marker.TEXT_VIEW_FACING, header, lifetime)
    text.text = f'person {index} {float(pose.score):.2f}'
    text.scale.z = TEXT_HEIGHT_PX * metres_per_pixel
    text.color.r, text.color.g, text.color.b = TEXT_COLOR
    # Above the topmost drawn keypoint (any keypoint when none is drawn), centred on them.
    anchors = [keypoint for keypoint, is_shown in zip(pose.keypoints, shown) if is_shown]
    anchors = anchors or list(pose.keypoints)
    u = (min(float(k.x) for k in anchors) + max(float(k.x) for k in anchors)) / 2.0
    v = min(float(k.y) for k in anchors) - TEXT_GAP_PX
    x, y, z = pixel_to_plane(u, v, intrinsics, depth)
    text.pose.position.x, text.pose.position.y, text.pose.position.z = x, y, z
    markers.append(text)
    return markers


def _new_marker(namespace: str, marker_id: int, marker_type: int, header: Header,
                lifetime: Duration) -> Marker:
    # Filling the sub-messages Marker() creates is cheaper than replacing them.
    marker = Marker()
    _copy_header_into(header, marker.header)
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


def _point(position: tuple[float, float, float]) -> Point:
    return Point(x=position[0], y=position[1], z=position[2])


def _side_color(side: str, score: float) -> ColorRGBA:
    red, green, blue = SIDE_COLORS[side]
    alpha = MIN_ALPHA + (1.0 - MIN_ALPHA) * min(max(float(score), 0.0), 1.0)
    return ColorRGBA(r=red, g=green, b=blue, a=alpha)


def _duration(seconds: float) -> Duration:
    sec, nanosec = divmod(round(seconds * 1e9), 1_000_000_000)
    return Duration(sec=int(sec), nanosec=int(nanosec))


def _copy_header_into(header: Header, target: Header) -> None:
    target.stamp.sec = header.stamp.sec
    target.stamp.nanosec = header.stamp.nanosec
    target.frame_id = header.frame_id
