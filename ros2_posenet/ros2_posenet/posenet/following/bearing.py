"""Which way a person is from the camera, as a quaternion: a yaw about the camera's vertical.

In the camera optical frame (x right, y down, z forward) ``bearing_quaternion`` returns the
rotation about the vertical (y) axis that turns the optical axis (+z) onto the horizontal
direction from the camera to the person. A frame (or pose) with this orientation at the
person's position has its +z axis pointing away from the camera along the bearing, level
with the camera, +y still down and +x to the right of the line of sight; the person's height
above or below the optical axis (elevation) is dropped, so the orientation is a pure yaw a
ground robot can steer by. A person straight ahead gives the identity.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import math
from typing import Final

import numpy as np

from ..errors import InputError

OPTICAL_FORWARD: Final[tuple[float, float, float]] = (0.0, 0.0, 1.0)
"""The forward (optical) axis of a camera optical frame."""

OPTICAL_UP: Final[tuple[float, float, float]] = (0.0, -1.0, 0.0)
"""Up in a camera optical frame (its y axis points down)."""

_MIN_NORM: Final[float] = 1e-9


@dataclass(frozen=True)
class Quaternion:
    """A unit rotation quaternion ``x i + y j + z k + w``, as ``geometry_msgs/Quaternion``."""

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    w: float = 1.0

    def rotate(self, vector: Sequence[float]) -> np.ndarray:
        """Return ``vector`` (3 numbers) rotated by this quaternion, float64 ``[3]``."""
        u = np.array([self.x, self.y, self.z])
        v = np.asarray(vector, dtype=np.float64)
        t = 2.0 * np.cross(u, v)
        return v + self.w * t + np.cross(u, t)


def bearing_quaternion(direction: Sequence[float],
                       forward: Sequence[float] = OPTICAL_FORWARD,
                       up: Sequence[float] = OPTICAL_UP) -> Quaternion:
    """Return the yaw about ``up`` that turns ``forward`` towards ``direction``.

    Args:
        direction: Camera -> person, any length (e.g. the person's position), in the frame of
            ``forward`` and ``up``; metres in the camera optical frame by default.
        forward: The axis to turn (default: +z, the optical axis).
        up: The axis to turn about (default: -y, up in an optical frame); its sign does not
            change the rotation.

    Returns:
        The rotation; the identity when ``direction`` has no horizontal part (zero, or
        straight up or down), where no bearing is defined.

    Raises:
        InputError: ``forward`` or ``up`` is zero or they are parallel, or a value is not
            finite.
    """
    vectors = [np.asarray(v, dtype=np.float64).reshape(3) for v in (direction, forward, up)]
    if not all(np.all(np.isfinite(v)) for v in vectors):
        raise InputError(f'direction, forward and up must be finite, got {vectors}')
    target, axis_forward, axis_up = vectors
    up_norm = np.linalg.norm(axis_up)
    if up_norm < _MIN_NORM:
        raise InputError('up must not be the zero vector')
    axis_up = axis_up / up_norm
    forward_flat = _horizontal(axis_forward, axis_up)
    if forward_flat is None:
        raise InputError(f'forward {tuple(axis_forward)} must not be parallel to up')
    target_flat = _horizontal(target, axis_up)
    if target_flat is None:
        return Quaternion()
    angle = math.atan2(float(np.dot(axis_up, np.cross(forward_flat, target_flat))),
                       float(np.dot(forward_flat, target_flat)))
    sin_half = math.sin(angle / 2.0)
    return Quaternion(float(axis_up[0] * sin_half), float(axis_up[1] * sin_half),
                      float(axis_up[2] * sin_half), math.cos(angle / 2.0))


def _horizontal(vector: np.ndarray, up: np.ndarray) -> np.ndarray | None:
    """Return ``vector`` projected on the plane normal to unit ``up``, normalised, or None."""
    flat = vector - np.dot(vector, up) * up
    norm = np.linalg.norm(flat)
    if norm < _MIN_NORM * max(1.0, float(np.linalg.norm(vector))):
        return None
    return flat / norm
