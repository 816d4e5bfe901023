"""Single-person PoseNet decoding with the exact semantics of TF.js ``decodeSinglePose``.

Each part is placed independently at the grid cell of its highest score plus the short offset
there; the pose score is the mean keypoint score. TF.js adds the cell position and the offset
in a float32 tensor, so the positions here are float32 sums too (held exactly in float64).

``decode_single_pose`` and ``decode_single_pose_from_scores`` check their inputs (for direct
callers); ``decode_single_pose_unchecked`` is the core ``PoseEngine`` calls on the model
runner's outputs.
"""

import numpy as np

from ..decoder_inputs import (as_output_array, check_output_stride, check_same_grid,
                              check_scores_range, OFFSET_CHANNELS)
from ...keypoints import NUM_KEYPOINTS
from ...pose import PoseArrays
from .argmax2d import argmax2d, argmax2d_from_logits


_PARTS = np.arange(NUM_KEYPOINTS)


def decode_single_pose(heatmap_logits: np.ndarray, offsets: np.ndarray,
                       output_stride: int) -> PoseArrays:
    """Decode the single best pose from the PoseNet heatmaps and offsets.

    Args:
        heatmap_logits: [height, width, 17] heatmap logits (keypoint score = sigmoid), float32
            (other real dtypes are converted), TF.js layout without batch axis.
        offsets: [height, width, 34] short-range offsets in input pixels, dy of parts 0..16
            then dx of parts 0..16.
        output_stride: Input pixels per grid cell (grid cell (i, j) is pixel (stride*i, stride*j)).

    Returns:
        One pose, keypoints in model-input pixels (x right, y down).

    Raises:
        InputError: Bad shapes, dtypes, non-finite values or output stride.
    """
    heatmap_logits = as_output_array('heatmap_logits', heatmap_logits, NUM_KEYPOINTS)
    offsets = as_output_array('offsets', offsets, OFFSET_CHANNELS)
    check_same_grid('heatmap_logits', heatmap_logits, 'offsets', offsets)
    return decode_single_pose_unchecked(heatmap_logits, offsets,
                                        check_output_stride(output_stride))


def decode_single_pose_unchecked(heatmap_logits: np.ndarray, offsets: np.ndarray,
                                 output_stride: int) -> PoseArrays:
    """``decode_single_pose`` for float32 C-contiguous finite arrays of one grid (unchecked)."""
    coords, keypoint_scores = argmax2d_from_logits(heatmap_logits)
    return _decode(coords, keypoint_scores, offsets, output_stride)


def decode_single_pose_from_scores(heatmap_scores: np.ndarray, offsets: np.ndarray,
                                   output_stride: int) -> PoseArrays:
    """Like ``decode_single_pose`` but from heatmap scores that are already sigmoid.

    Args:
        heatmap_scores: [height, width, 17] keypoint scores in [0, 1], float32.
        offsets: See ``decode_single_pose``.
        output_stride: See ``decode_single_pose``.

    Returns:
        One pose, keypoints in model-input pixels.

    Raises:
        InputError: Bad shapes, dtypes, non-finite or out-of-range values or output stride.
    """
    heatmap_scores = as_output_array('heatmap_scores', heatmap_scores, NUM_KEYPOINTS)
    check_scores_range('heatmap_scores', heatmap_scores)
    offsets = as_output_array('offsets', offsets, OFFSET_CHANNELS)
    check_same_grid('heatmap_scores', heatmap_scores, 'offsets', offsets)
    stride = check_output_stride(output_stride)
    coords = argmax2d(heatmap_scores)
    keypoint_scores = heatmap_scores[coords[:, 0], coords[:, 1], _PARTS]
    return _decode(coords, keypoint_scores, offsets, stride)


def _decode(coords: np.ndarray, keypoint_scores: np.ndarray, offsets: np.ndarray,
            output_stride: int) -> PoseArrays:
    """Place each part at its best cell plus the offset there.

    Args:
        coords: Int array [17, 2], (row, column) of each part's best cell.
        keypoint_scores: Float32 array [17], the score there.
        offsets: Validated float32 offsets [height, width, 34].
        output_stride: Input pixels per grid cell.
    """
    rows = coords[:, 0]
    columns = coords[:, 1]
    cell_offsets = offsets[rows, columns]  # [17, 34]
    # float32(cell * stride) + float32(offset), rounded to float32 as in TF.js
    ys = (rows * output_stride).astype(np.float32) + cell_offsets[_PARTS, _PARTS]
    xs = (columns * output_stride).astype(np.float32) \
        + cell_offsets[_PARTS, _PARTS + NUM_KEYPOINTS]
    scores = keypoint_scores.astype(np.float64)
    # summed in part order in double precision, as TF.js does (cumsum is sequential)
    pose_score = np.cumsum(scores)[-1:] / NUM_KEYPOINTS
    return PoseArrays(keypoints_xy=np.stack((xs, ys), axis=-1).astype(np.float64)[None],
                      keypoint_scores=scores[None], pose_scores=pose_score)
