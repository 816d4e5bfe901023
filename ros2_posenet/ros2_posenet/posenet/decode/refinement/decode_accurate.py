"""PoseNet decoding in ``'accurate'`` mode: TF.js's people, keypoints refined and rescored.

The people, and a first position of each keypoint, come from the TensorFlow.js decoders as they
are (``single_pose``, ``multi_pose``: same root candidates, queue order, suppression, traversal
and ``max_detections``). Then, as Coral's C++ decoder does:

* every keypoint is refined ``EXTRA_REFINE_STEPS`` more times with its part's short offset
  *bilinearly sampled* where it is (``p <- p + offset(p)``, clamped to the grid), which converges
  on the keypoint, where TF.js snaps back to the nearest cell each step (and, in the Coral raw
  models, cannot move more than the +-10 px the saturated offsets allow);
* keypoint scores are the sigmoid of the heatmap logits bilinearly sampled at the final
  position;
* multi-pose results are rescored by keypoint-level soft NMS (``rescore``) and returned in
  decreasing pose score; a single pose scores the mean of its keypoint scores.

Coral also follows the displacements bilinearly, from the parent's refined position, refining
bilinearly after each step. Measured on the annotated set (4 models, stretched and letterboxed)
that placed keypoints *worse* than TF.js's traversal followed by the same bilinear refinement:
the mean best OKS per annotated person fell in 6 of 8 settings, by up to 0.018 (0.7627 ->
0.751 for the raw 481x641 model letterboxed): where neighbouring cells point at different
people or limbs, interpolated vectors point in between, while TF.js's nearest cell commits to
one. So the traversal is TF.js's and only the final positions are refined.

Cost: a few vectorised numpy passes over all keypoints of all poses. Measured in the engine
(interleaved on the 8 annotated photos, shared 2-core machine) the decode stage took 1.25-1.40x
its ``'tfjs'`` time in multi-pose mode and 1.45-1.47x in single-pose mode (+0.4 to 0.6 ms), a
whole ``estimate`` call 1.01x (``posenet_accuracy`` prints both per setting).
"""

from functools import lru_cache
from typing import Final

import numpy as np

from ..decoder_inputs import (as_output_array, check_output_stride, check_same_grid,
                              DISPLACEMENT_CHANNELS, OFFSET_CHANNELS)
from ..multi_pose import decode_multiple_poses_unchecked
from ..single_pose import decode_single_pose_unchecked
from ...decode_options import check_multi_pose_parameters
from ...keypoints import NUM_KEYPOINTS
from ...pose import PoseArrays
from .bilinear import sample_bilinear
from .rescore import rescore_poses

EXTRA_REFINE_STEPS: Final[int] = 2
"""Bilinear short-offset refinements after TF.js's own (2 after each displacement, 1 for a root
or a single pose; Coral takes 5 in all). On the annotated set (5 PoseNet models, stretched and
letterboxed) 2 scored best: mean AP 33.3 (tfjs) -> 34.1 (rescoring only), 36.1 (1 step),
36.4 (2), 36.2 (3), 35.7 (4)."""


@lru_cache(maxsize=16)
def _grid_limits(height: int, width: int) -> np.ndarray:
    """Return float64 [[height - 1], [width - 1]], the largest (y, x) grid position."""
    limits = np.array([[height - 1.0], [width - 1.0]])
    limits.flags.writeable = False
    return limits


@lru_cache(maxsize=128)
def _part_channels(count: int) -> np.ndarray:
    """Return int [2, count * 17]: each keypoint's dy channel (its part id), then dx channel."""
    parts = np.tile(np.arange(NUM_KEYPOINTS), count)
    channels = np.stack((parts, parts + NUM_KEYPOINTS))
    channels.flags.writeable = False
    return channels


def decode_multiple_poses_accurate(heatmap_logits: np.ndarray, offsets: np.ndarray,
                                   displacement_fwd: np.ndarray, displacement_bwd: np.ndarray,
                                   output_stride: int, max_detections: int = 5,
                                   score_threshold: float = 0.5,
                                   nms_radius: float = 20) -> PoseArrays:
    """Decode up to ``max_detections`` poses: TF.js's people, placed and scored accurately.

    Args:
        heatmap_logits: [height, width, 17] heatmap logits, TF.js layout (see
            ``decode_multiple_poses``).
        offsets: [height, width, 34] short offsets in input pixels.
        displacement_fwd: [height, width, 32] parent->child displacements in input pixels.
        displacement_bwd: [height, width, 32] child->parent displacements.
        output_stride: Input pixels per grid cell.
        max_detections: Maximum number of poses.
        score_threshold: Minimum root part score in [0, 1].
        nms_radius: Suppression radius in input pixels (also the rescoring radius).

    Returns:
        The poses in decreasing pose score, keypoints in model-input pixels.

    Raises:
        InputError: Bad shapes, dtypes, non-finite values or parameters.
    """
    heatmap_logits = as_output_array('heatmap_logits', heatmap_logits, NUM_KEYPOINTS)
    offsets = as_output_array('offsets', offsets, OFFSET_CHANNELS)
    displacement_fwd = as_output_array('displacement_fwd', displacement_fwd,
                                       DISPLACEMENT_CHANNELS)
    displacement_bwd = as_output_array('displacement_bwd', displacement_bwd,
                                       DISPLACEMENT_CHANNELS)
    for name, array in (('offsets', offsets), ('displacement_fwd', displacement_fwd),
                        ('displacement_bwd', displacement_bwd)):
        check_same_grid('heatmap_logits', heatmap_logits, name, array)
    return decode_multiple_poses_accurate_unchecked(
        heatmap_logits, offsets, displacement_fwd, displacement_bwd,
        check_output_stride(output_stride),
        *check_multi_pose_parameters(max_detections, score_threshold, nms_radius))


def decode_multiple_poses_accurate_unchecked(
        heatmap_logits: np.ndarray, offsets: np.ndarray, displacement_fwd: np.ndarray,
        displacement_bwd: np.ndarray, output_stride: int, max_detections: int,
        score_threshold: float, nms_radius: float) -> PoseArrays:
    """``decode_multiple_poses_accurate`` for inputs the caller guarantees (as the engine's)."""
    poses = decode_multiple_poses_unchecked(
        heatmap_logits, offsets, displacement_fwd, displacement_bwd, output_stride,
        max_detections, score_threshold, nms_radius)
    if not len(poses):
        return poses
    keypoints_xy, keypoint_scores = refine_keypoints(heatmap_logits, offsets,
                                                     poses.keypoints_xy, output_stride)
    pose_scores, order = rescore_poses(keypoints_xy, keypoint_scores, nms_radius * nms_radius)
    return PoseArrays(keypoints_xy[order], keypoint_scores[order], pose_scores[order])


def decode_single_pose_accurate(heatmap_logits: np.ndarray, offsets: np.ndarray,
                                output_stride: int) -> PoseArrays:
    """Decode the single best pose (TF.js ``decodeSinglePose``), keypoints refined.

    Args:
        heatmap_logits: [height, width, 17] heatmap logits.
        offsets: [height, width, 34] short offsets in input pixels.
        output_stride: Input pixels per grid cell.

    Returns:
        One pose, keypoints in model-input pixels; the pose score is the mean keypoint score.

    Raises:
        InputError: Bad shapes, dtypes, non-finite values or output stride.
    """
    heatmap_logits = as_output_array('heatmap_logits', heatmap_logits, NUM_KEYPOINTS)
    offsets = as_output_array('offsets', offsets, OFFSET_CHANNELS)
    check_same_grid('heatmap_logits', heatmap_logits, 'offsets', offsets)
    return decode_single_pose_accurate_unchecked(heatmap_logits, offsets,
                                                 check_output_stride(output_stride))


def decode_single_pose_accurate_unchecked(heatmap_logits: np.ndarray, offsets: np.ndarray,
                                          output_stride: int) -> PoseArrays:
    """``decode_single_pose_accurate`` for inputs the caller guarantees (as the engine's)."""
    pose = decode_single_pose_unchecked(heatmap_logits, offsets, output_stride)
    keypoints_xy, keypoint_scores = refine_keypoints(heatmap_logits, offsets,
                                                     pose.keypoints_xy, output_stride)
    return PoseArrays(keypoints_xy, keypoint_scores,
                      keypoint_scores.sum(axis=1) / NUM_KEYPOINTS)


def refine_keypoints(heatmap_logits: np.ndarray, offsets: np.ndarray, keypoints_xy: np.ndarray,
                     output_stride: int,
                     steps: int = EXTRA_REFINE_STEPS) -> tuple[np.ndarray, np.ndarray]:
    """Refine keypoints with bilinear short offsets; score them with bilinear logits.

    Args:
        heatmap_logits: Float32 [height, width, 17].
        offsets: Float32 [height, width, 34] short offsets in input pixels.
        keypoints_xy: Float [n, 17, 2] (x, y) in model-input pixels, part-id order.
        output_stride: Input pixels per grid cell.
        steps: Refinements ``p <- clamp(p + offset(p))``, >= 0.

    Returns:
        ``(keypoints_xy, keypoint_scores)``: float64 [n, 17, 2] refined positions in model-input
        pixels (within the grid's extent) and float64 [n, 17] scores.
    """
    height, width = heatmap_logits.shape[:2]
    count = keypoints_xy.shape[0]
    inverse_stride = 1.0 / output_stride
    limits = _grid_limits(height, width)
    # (y, x) rows in grid units, [2, n * 17], clamped to the grid
    position = keypoints_xy.reshape(-1, 2)[:, ::-1].T * inverse_stride
    np.maximum(position, 0.0, out=position)
    np.minimum(position, limits, out=position)
    channels = _part_channels(count)
    flat_offsets = offsets.reshape(-1)
    for _ in range(steps):
        move = sample_bilinear(flat_offsets, height, width, OFFSET_CHANNELS, position[0],
                               position[1], channels)
        move *= inverse_stride
        position += move
        np.maximum(position, 0.0, out=position)
        np.minimum(position, limits, out=position)
    (logits,) = sample_bilinear(heatmap_logits.reshape(-1), height, width, NUM_KEYPOINTS,
                                position[0], position[1], channels[:1])
    np.clip(logits, -700.0, 700.0, out=logits)
    scores = 1.0 / (1.0 + np.exp(-logits))
    refined = position[::-1].T * float(output_stride)
    return refined.reshape(count, NUM_KEYPOINTS, 2), scores.reshape(count, NUM_KEYPOINTS)
