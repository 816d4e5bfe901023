"""Keypoints in metres from an aligned depth image: a robust depth per keypoint, back-projected.

For every keypoint scoring at least ``min_keypoint_score`` the depth is the median of the valid
depths (finite, > 0) in a ``window`` x ``window`` pixel window around the keypoint's pixel in the
depth image; a window whose valid share is below ``min_valid_share`` gives no depth (holes and
edges are where depth sensors fail). The depth image must be *aligned* to the colour image (a
registered RGB-D stream): the same field of view, perhaps another resolution, so a colour pixel
maps to the depth pixel ``(u + 0.5) * s - 0.5`` with ``s = depth size / colour size`` per axis.

The point is then back-projected with the colour camera (``PinholeCamera.pixels_to_points``,
undistorting the pixel first when the camera has distortion) into the camera optical frame
(REP 103: x right, y down, z forward, metres). Vectorised over all people and keypoints.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..image.camera import PinholeCamera
from ..pose import PoseArrays


@dataclass(frozen=True)
class DepthOptions:
    """How keypoint depths are measured.

    Attributes:
        min_keypoint_score: Keypoints scoring below this get no position, in [0, 1].
        window: Side in depth pixels of the median window (odd, >= 1).
        min_valid_share: Smallest share of valid depths in the window, in (0, 1].
    """

    min_keypoint_score: float = 0.3
    window: int = 5
    min_valid_share: float = 0.3

    def __post_init__(self) -> None:
        """Reject values outside their ranges."""
        if not 0.0 <= self.min_keypoint_score <= 1.0:
            raise InputError(f'min_keypoint_score must be in [0, 1], got '
                             f'{self.min_keypoint_score!r}')
        if isinstance(self.window, bool) or not isinstance(self.window, int) or (
                self.window < 1 or self.window % 2 == 0):
            raise InputError(f'window must be an odd number of pixels >= 1, got {self.window!r}')
        if not 0.0 < self.min_valid_share <= 1.0:
            raise InputError(f'min_valid_share must be in (0, 1], got {self.min_valid_share!r}')


@dataclass(frozen=True, eq=False)
class Keypoints3d:
    """The keypoints of one frame in metres, row ``i`` for pose ``i``.

    Attributes:
        xyz: Float64 ``[n, 17, 3]`` (x, y, z) in the camera optical frame, metres; NaN where
            ``valid`` is false.
        valid: Bool ``[n, 17]``: the keypoint has a measured position.
    """

    xyz: np.ndarray
    valid: np.ndarray


def lift_keypoints(poses: PoseArrays, depth_m: np.ndarray, camera: PinholeCamera,
                   options: DepthOptions = DepthOptions()) -> Keypoints3d:
    """Measure each keypoint's depth in ``depth_m`` and back-project it (module docstring).

    Args:
        poses: Poses in colour-image pixels (the image ``camera`` describes).
        depth_m: Float32/64 ``[H, W]`` depth in metres aligned to the colour image; 0, NaN and
            negative values are invalid.
        camera: The colour image's camera (its size defines the colour-to-depth scale).
        options: Score threshold, window, valid share.

    Returns:
        The positions and their validity.

    Raises:
        InputError: ``depth_m`` is not a 2-D real array.
    """
    if not isinstance(depth_m, np.ndarray) or depth_m.ndim != 2 or depth_m.dtype.kind != 'f' \
            or depth_m.size == 0:
        raise InputError('depth must be a non-empty [H, W] float array in metres')
    count = len(poses)
    xyz = np.full((count, poses.keypoints_xy.shape[1], 3), np.nan)
    valid = np.zeros(xyz.shape[:2], bool)
    if count == 0:
        return Keypoints3d(xyz, valid)
    height, width = depth_m.shape
    scale = np.array((width / camera.width, height / camera.height))
    depth_uv = (poses.keypoints_xy + 0.5) * scale - 0.5
    columns = np.rint(depth_uv[..., 0]).astype(np.int64)
    rows = np.rint(depth_uv[..., 1]).astype(np.int64)
    wanted = ((poses.keypoint_scores >= options.min_keypoint_score)
              & (columns >= 0) & (columns < width) & (rows >= 0) & (rows < height))
    half = options.window // 2
    # the windows of every wanted keypoint at once, [k, window, window]: only those pixels are
    # read; pixels outside the image and invalid depths become NaN
    offsets = np.arange(options.window) - half
    window_rows = rows[wanted][:, None, None] + offsets[None, :, None]
    window_columns = columns[wanted][:, None, None] + offsets[None, None, :]
    inside = ((window_rows >= 0) & (window_rows < height)
              & (window_columns >= 0) & (window_columns < width))
    values = depth_m[np.clip(window_rows, 0, height - 1),
                     np.clip(window_columns, 0, width - 1)].astype(np.float64)
    with np.errstate(invalid='ignore'):
        usable = inside & np.isfinite(values) & (values > 0)
    windows = np.where(usable, values, np.nan).reshape(len(values), -1)
    share = np.count_nonzero(~np.isnan(windows), axis=1) / windows.shape[1]
    enough = share >= options.min_valid_share
    depths = np.full(len(windows), np.nan)
    if enough.any():
        depths[enough] = np.nanmedian(windows[enough], axis=1)
    z = np.full(valid.shape, np.nan)
    z[wanted] = depths
    valid = np.isfinite(z)
    if valid.any():
        xyz[valid] = camera.pixels_to_points(poses.keypoints_xy[valid], z[valid])
    return Keypoints3d(xyz, valid)
