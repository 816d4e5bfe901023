"""Where each person is, in metres: from measured keypoints, or approximately without depth.

Three sources, in order of trust (``PersonPose.position_source``):

* ``DEPTH``: the robust torso centre, the per-axis median of the valid 3D shoulders and hips
  (at least two of the four), in the camera optical frame.
* ``GROUND_PLANE`` (no depth): the camera is ``camera_height`` metres above a flat floor and
  pitched down by ``camera_pitch`` radians; the ray through the lower visible ankle meets the
  floor there, and that floor point under the person is the position. Approximate: it assumes
  the person stands on the same flat floor, and errors grow with distance.
* ``HEIGHT_PRIOR`` (no depth, no ankle): the shoulder-to-hip pixel length against the trunk of a
  person ``body_height`` metres tall (``TRUNK_SHARE_OF_HEIGHT``, Drillis & Contini's segment
  proportions) gives the distance along the optical axis, at which the torso centre pixel is
  back-projected. Approximate to the person's real height and posture (+-20 % typical).

Frames: pixels are colour-image pixels; points are in the optical frame (x right, y down,
z forward). The level frame used for the floor has x right, y down along gravity, z forward
horizontal, and the same origin.
"""

from dataclasses import dataclass
from enum import IntEnum
import math
from typing import Final

import numpy as np

from ..errors import InputError
from ..image.camera import PinholeCamera
from ..keypoints import KeypointId
from ..pose import PoseArrays
from .keypoints_3d import Keypoints3d

TORSO_PARTS: Final = (KeypointId.LEFT_SHOULDER, KeypointId.RIGHT_SHOULDER,
                      KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP)
ANKLES: Final = (KeypointId.LEFT_ANKLE, KeypointId.RIGHT_ANKLE)
TRUNK_SHARE_OF_HEIGHT: Final = 0.288
"""Shoulder-to-hip length over stature (shoulder height 0.818 H minus hip height 0.530 H)."""


class PositionSource(IntEnum):
    """How a person's position was measured; the values of ``PersonPose.POSITION_*``."""

    NONE = 0
    DEPTH = 1
    GROUND_PLANE = 2
    HEIGHT_PRIOR = 3


@dataclass(frozen=True)
class MonocularOptions:
    """The camera mounting and body prior of the estimates without depth.

    Attributes:
        camera_height: Metres of the optical centre above the floor, > 0.
        camera_pitch: Radians the optical axis points below the horizon (negative: up).
        body_height: Metres, the height assumed for ``HEIGHT_PRIOR``, > 0.
        min_keypoint_score: Keypoints below this are not used.
    """

    camera_height: float = 1.0
    camera_pitch: float = 0.0
    body_height: float = 1.7
    min_keypoint_score: float = 0.3

    def __post_init__(self) -> None:
        """Reject values outside their ranges."""
        if not (math.isfinite(self.camera_height) and self.camera_height > 0.0):
            raise InputError(f'camera_height must be > 0 m, got {self.camera_height!r}')
        if not -math.pi / 2 < self.camera_pitch < math.pi / 2:
            raise InputError(f'camera_pitch must be in (-pi/2, pi/2) rad, got '
                             f'{self.camera_pitch!r}')
        if not (math.isfinite(self.body_height) and self.body_height > 0.0):
            raise InputError(f'body_height must be > 0 m, got {self.body_height!r}')


@dataclass(frozen=True, eq=False)
class PersonPositions:
    """One position per pose.

    Attributes:
        xyz: Float64 ``[n, 3]`` metres in the optical frame (NaN where ``source`` is NONE).
        source: Int ``[n]`` of ``PositionSource`` values.
    """

    xyz: np.ndarray
    source: np.ndarray


def torso_centres(keypoints: Keypoints3d) -> tuple[np.ndarray, np.ndarray]:
    """Return the per-axis median of the valid 3D shoulders and hips, and where it exists.

    Returns:
        ``(xyz [n, 3], has [n])``; a person needs at least two valid torso keypoints.
    """
    torso = keypoints.xyz[:, TORSO_PARTS]
    valid = keypoints.valid[:, TORSO_PARTS]
    has = np.count_nonzero(valid, axis=1) >= 2
    centres = np.full((torso.shape[0], 3), np.nan)
    if has.any():
        masked = np.where(valid[has][..., None], torso[has], np.nan)
        centres[has] = np.nanmedian(masked, axis=1)
    return centres, has


def _level_rotation(pitch: float) -> np.ndarray:
    """Columns: the optical frame's axes in the level frame (camera pitched down by ``pitch``)."""
    cos, sin = math.cos(pitch), math.sin(pitch)
    return np.array([[1.0, 0.0, 0.0], [0.0, cos, sin], [0.0, -sin, cos]])


def ground_points(pixels: np.ndarray, camera: PinholeCamera,
                  options: MonocularOptions) -> tuple[np.ndarray, np.ndarray]:
    """Intersect the rays through ``pixels`` ``[k, 2]`` with the floor.

    Returns:
        ``(xyz [k, 3] in the optical frame, hit [k])``: rays at or above the horizon miss.
    """
    rotation = _level_rotation(options.camera_pitch)
    rays = camera.rays(pixels) @ rotation.T  # in the level frame
    hit = rays[:, 1] > 1e-6
    points = np.full((len(pixels), 3), np.nan)
    if hit.any():
        scale = options.camera_height / rays[hit, 1]
        points[hit] = (rays[hit] * scale[:, None]) @ rotation  # back to the optical frame
    return points, hit


def person_positions(poses: PoseArrays, camera: PinholeCamera, options: MonocularOptions,
                     keypoints: Keypoints3d | None = None) -> PersonPositions:
    """Position every person: from depth where ``keypoints`` allow, else monocularly.

    Args:
        poses: Poses in colour-image pixels.
        camera: The colour image's camera.
        options: Mounting and prior of the monocular estimates.
        keypoints: Measured 3D keypoints of the same poses, or ``None`` without depth.
    """
    count = len(poses)
    xyz = np.full((count, 3), np.nan)
    source = np.full(count, PositionSource.NONE, np.int64)
    if count == 0:
        return PersonPositions(xyz, source)
    todo = np.ones(count, bool)
    if keypoints is not None:
        centres, has = torso_centres(keypoints)
        xyz[has], source[has] = centres[has], PositionSource.DEPTH
        todo &= ~has
    scores = poses.keypoint_scores
    visible = scores >= options.min_keypoint_score
    ankles = visible[:, ANKLES]
    with_ankle = todo & ankles.any(axis=1)
    if with_ankle.any():
        ankle_v = np.where(ankles, poses.keypoints_xy[:, ANKLES, 1], -np.inf)
        lower = np.asarray(ANKLES)[np.argmax(ankle_v, axis=1)]
        rows = with_ankle.nonzero()[0]
        points, hit = ground_points(poses.keypoints_xy[rows, lower[rows]], camera, options)
        xyz[rows[hit]], source[rows[hit]] = points[hit], PositionSource.GROUND_PLANE
        todo[rows[hit]] = False
    torso_visible = visible[:, TORSO_PARTS]
    shoulders = torso_visible[:, :2].all(axis=1)
    hips = torso_visible[:, 2:].all(axis=1)
    with_trunk = todo & shoulders & hips
    if with_trunk.any():
        rows = with_trunk.nonzero()[0]
        xy = poses.keypoints_xy[rows]
        shoulder = xy[:, TORSO_PARTS[:2]].mean(axis=1)
        hip = xy[:, TORSO_PARTS[2:]].mean(axis=1)
        length = np.linalg.norm((shoulder - hip) / (camera.fx, camera.fy), axis=1)  # rad
        usable = length > 1e-4
        z = TRUNK_SHARE_OF_HEIGHT * options.body_height / np.where(usable, length, 1.0)
        centre = (shoulder + hip) / 2.0
        points = camera.pixels_to_points(centre, z)
        xyz[rows[usable]] = points[usable]
        source[rows[usable]] = PositionSource.HEIGHT_PRIOR
    return PersonPositions(xyz, source)
