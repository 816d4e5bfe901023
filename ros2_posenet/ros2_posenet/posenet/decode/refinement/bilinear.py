"""Bilinear sampling of PoseNet output grids at sub-cell positions, vectorised over points.

Positions are in *grid units* (input pixels / stride), clamped to the grid ``[0, h - 1] x
[0, w - 1]`` as Coral's C++ decoder clamps them; grid cell ``(i, j)`` is at ``(i, j)``.
"""

import numpy as np


def clamp_to_grid(grid_y: np.ndarray, grid_x: np.ndarray, height: int,
                  width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions clamped to ``[0, height - 1] x [0, width - 1]`` (new arrays)."""
    return (np.clip(grid_y, 0.0, height - 1.0), np.clip(grid_x, 0.0, width - 1.0))


def sample_bilinear(flat: np.ndarray, height: int, width: int, channels: int,
                    grid_y: np.ndarray, grid_x: np.ndarray,
                    channel_indices: np.ndarray) -> np.ndarray:
    """Sample channels of a [height, width, channels] grid bilinearly at clamped positions.

    Args:
        flat: The grid flattened in C order (``array.reshape(-1)``), float32.
        height: Grid rows.
        width: Grid columns.
        channels: Channels per cell.
        grid_y: Float64 [n] rows in grid units, within ``[0, height - 1]``.
        grid_x: Float64 [n] columns in grid units, within ``[0, width - 1]``.
        channel_indices: Int [k, n]: for each of ``k`` values wanted, the channel of each point.

    Returns:
        Float64 [k, n]: the sampled values.
    """
    row0 = grid_y.astype(np.intp)  # floor: positions are >= 0
    column0 = grid_x.astype(np.intp)
    weight_y = grid_y - row0
    weight_x = grid_x - column0
    row_step = width * channels
    top_row = row0 * row_step
    bottom_row = np.minimum(row0 + 1, height - 1) * row_step
    left = column0 * channels + channel_indices  # [k, n]
    right = np.minimum(column0 + 1, width - 1) * channels + channel_indices
    top_left = flat[top_row + left]
    bottom_left = flat[bottom_row + left]
    top = top_left + (flat[top_row + right] - top_left) * weight_x
    bottom = bottom_left + (flat[bottom_row + right] - bottom_left) * weight_x
    return top + (bottom - top) * weight_y
