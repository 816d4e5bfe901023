"""The pinhole camera model of an image: intrinsics in pixels and back-projection to metres.

Frames: pixels are source-image pixels (x right, y down, pixel centres at integers); points are
in the camera optical frame (REP 103/105: x right, y down, z forward), metres::

    X = (u - cx) * Z / fx,   Y = (v - cy) * Z / fy

Lens distortion (``distortion``: the ``plumb_bob`` / ``rational_polynomial`` coefficients k1, k2,
p1, p2[, k3 ...] of ``sensor_msgs/CameraInfo.d``) is removed before back-projecting a pixel to a
3D point (``pixels_to_points``); it is ignored for markers on an assumed plane.

A calibration made at another resolution than the image (a resized or binned stream) is scaled
to the image as ``image_proc``'s resize does: ``fx, cx`` by ``image_width / calibration_width``
and ``fy, cy`` by ``image_height / calibration_height``. Without a usable calibration the image
is taken as a pinhole camera with a ``FALLBACK_HORIZONTAL_FOV_DEG`` horizontal field of view
centred on the image.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
import math
from typing import Final

import cv2
import numpy as np

FALLBACK_HORIZONTAL_FOV_DEG: Final[float] = 60.0
"""Horizontal field of view assumed when no usable calibration is given."""

MIN_FOCAL_LENGTH_PX: Final[float] = 1e-3
"""Smallest focal length taken as a real calibration; anything below (zero, subnormal,
negative) would put points at infinity and counts as no calibration."""

MAX_FOCAL_LENGTH_PX: Final[float] = 1e9
"""Largest focal length taken as a real calibration."""


@dataclass(frozen=True)
class PinholeCamera:
    """Pinhole intrinsics of one image size, in pixels.

    Attributes:
        fx: Focal length along x (columns), pixels.
        fy: Focal length along y (rows), pixels.
        cx: Principal point column, pixels.
        cy: Principal point row, pixels.
        width: Image width the intrinsics refer to, pixels.
        height: Image height the intrinsics refer to, pixels.
        source: Where they came from (e.g. ``'camera_info.k'``, ``'camera_info.p'``) or
            ``'fallback'`` (no usable calibration).
        distortion: Distortion coefficients (OpenCV order k1, k2, p1, p2, k3, ...); empty or
            all zero for none.
    """

    fx: float
    fy: float
    cx: float
    cy: float
    width: int
    height: int
    source: str
    distortion: tuple[float, ...] = ()

    @classmethod
    def fallback(cls, width: int, height: int) -> 'PinholeCamera':
        """Return the assumed camera of an image without calibration (see the module docstring).

        Raises:
            ValueError: A non-positive image size.
        """
        _check_size(width, height)
        focal = width / (2.0 * math.tan(math.radians(FALLBACK_HORIZONTAL_FOV_DEG) / 2.0))
        return cls(focal, focal, width / 2.0, height / 2.0, width, height, 'fallback')

    @classmethod
    def from_calibration(cls, fx: float, fy: float, cx: float, cy: float,
                         calibration_width: int, calibration_height: int, image_width: int,
                         image_height: int, source: str,
                         distortion: Sequence[float] = ()) -> 'PinholeCamera':
        """Return the calibrated camera scaled to the image, or the fallback if unusable.

        Args:
            fx: Focal length along x at the calibration size, pixels.
            fy: Focal length along y, pixels.
            cx: Principal point column, pixels.
            cy: Principal point row, pixels.
            calibration_width: Image width of the calibration (0: unknown, taken as the image's).
            calibration_height: Image height of the calibration (0: unknown).
            image_width: Width of the image the pixels refer to, > 0.
            image_height: Height of that image, > 0.
            source: Name of the calibration, for diagnostics.
            distortion: ``CameraInfo.d`` (ignored unless 4, 5, 8, 12 or 14 finite values).

        Raises:
            ValueError: A non-positive image size.
        """
        _check_size(image_width, image_height)
        values = (fx, fy, cx, cy)
        if not (all(math.isfinite(value) for value in values)
                and MIN_FOCAL_LENGTH_PX <= fx <= MAX_FOCAL_LENGTH_PX
                and MIN_FOCAL_LENGTH_PX <= fy <= MAX_FOCAL_LENGTH_PX):
            return cls.fallback(image_width, image_height)
        if calibration_width <= 0 or calibration_height <= 0:
            calibration_width, calibration_height = image_width, image_height
        coefficients = tuple(float(value) for value in distortion)
        if (len(coefficients) not in (4, 5, 8, 12, 14) or not all(map(math.isfinite, coefficients))
                or not any(coefficients)):
            coefficients = ()
        return cls(fx, fy, cx, cy, calibration_width, calibration_height, source,
                   coefficients).scaled_to(image_width, image_height)

    def scaled_to(self, width: int, height: int) -> 'PinholeCamera':
        """Return the intrinsics of the same camera for an image of ``width x height`` pixels.

        Raises:
            ValueError: A non-positive image size.
        """
        _check_size(width, height)
        if (width, height) == (self.width, self.height):
            return self
        scale_x = width / self.width
        scale_y = height / self.height
        return replace(self, fx=self.fx * scale_x, cx=self.cx * scale_x, fy=self.fy * scale_y,
                       cy=self.cy * scale_y, width=width, height=height)

    def pixels_to_plane(self, uv: np.ndarray, depth: float) -> np.ndarray:
        """Project pixels onto the plane ``z = depth`` of the optical frame.

        Args:
            uv: ``[..., 2]`` (u, v) pixels.
            depth: Distance of the plane along the optical axis, metres.

        Returns:
            Float64 ``[..., 3]`` (X, Y, Z) in metres.
        """
        uv = np.asarray(uv, dtype=np.float64)
        x = (uv[..., 0] - self.cx) * depth / self.fx
        y = (uv[..., 1] - self.cy) * depth / self.fy
        return np.stack((x, y, np.full_like(x, depth)), axis=-1)

    def undistort(self, uv: np.ndarray) -> np.ndarray:
        """Return pixels ``[..., 2]`` with the lens distortion removed (unchanged without one)."""
        uv = np.asarray(uv, dtype=np.float64)
        if not self.distortion or uv.size == 0:
            return uv
        matrix = np.array([[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]])
        points = cv2.undistortPoints(uv.reshape(-1, 1, 2), matrix,
                                     np.array(self.distortion), P=matrix)
        return points.reshape(uv.shape)

    def rays(self, uv: np.ndarray) -> np.ndarray:
        """Return the viewing rays ``[..., 3]`` (z = 1) of pixels ``[..., 2]``, undistorted."""
        uv = self.undistort(uv)
        x = (uv[..., 0] - self.cx) / self.fx
        y = (uv[..., 1] - self.cy) / self.fy
        return np.stack((x, y, np.ones_like(x)), axis=-1)

    def pixels_to_points(self, uv: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Back-project pixels ``[..., 2]`` at depths ``z`` ``[...]`` (metres along the axis).

        Returns:
            Float64 ``[..., 3]`` points in the optical frame, metres.
        """
        return self.rays(uv) * np.asarray(z, dtype=np.float64)[..., None]


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ValueError(f'image size {width}x{height}; expected width > 0 and height > 0')
