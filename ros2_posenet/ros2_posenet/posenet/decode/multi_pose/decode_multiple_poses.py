"""Multi-person PoseNet decoding with the exact semantics of TF.js ``decodeMultiplePoses``.

Root candidates (local heatmap maxima reaching ``score_threshold``, all parts together) leave a
max-priority queue in decreasing score order. A candidate within ``nms_radius`` pixels of the
same part of an already detected pose is skipped; otherwise the whole pose is decoded from it
along the displacement fields (``decode_pose``) and scored by the mean of its keypoint scores,
leaving out keypoints within ``nms_radius`` of the same part of an earlier pose. Poses come
back in root-score order (not sorted by pose score) and low-scoring duplicates are kept, up to
``max_detections``, exactly as TF.js does (TF.js 2.2.2, ``@tensorflow-models/posenet``).

``decode_multiple_poses`` and ``decode_multiple_poses_from_scores`` check their inputs (for
direct callers); ``decode_multiple_poses_unchecked`` is the core ``PoseEngine`` calls on the
model runner's outputs, which already have the guaranteed layout.
"""

from collections.abc import Callable

import numpy as np

from ..decoder_inputs import (as_output_array, check_output_stride, check_same_grid,
                              check_scores_range, DISPLACEMENT_CHANNELS, OFFSET_CHANNELS)
from ..heatmap_scores import (parts_reaching_threshold, parts_reaching_threshold_from_logits,
                              sigmoid_scores)
from ...decode_options import check_multi_pose_parameters
from ...keypoints import NUM_KEYPOINTS
from ...pose import PoseArrays
from .build_part_with_score_queue import root_candidates_in_queue_order
from .decode_pose import FlatOutputs, PoseDecoder
from .part_nms import (get_instance_scores, keypoints_not_overlapped,
                       within_nms_radius_of_corresponding_point)

_LIKELY_DEQUEUED_PER_DETECTION = 10
"""Root candidates simulated cheaply per wanted pose (duplicates and suppressed candidates
included; the golden cases take 2 to 8 per pose). Decoding beyond them is exact, only slower."""


def decode_multiple_poses(heatmap_logits: np.ndarray, offsets: np.ndarray,
                          displacement_fwd: np.ndarray, displacement_bwd: np.ndarray,
                          output_stride: int, max_detections: int = 5,
                          score_threshold: float = 0.5, nms_radius: float = 20) -> PoseArrays:
    """Decode up to ``max_detections`` poses from the PoseNet outputs.

    Args:
        heatmap_logits: [height, width, 17] heatmap logits (keypoint score = sigmoid), float32
            (other real dtypes are converted), TF.js layout without batch axis.
        offsets: [height, width, 34] short-range offsets in input pixels, dy of parts 0..16
            then dx of parts 0..16.
        displacement_fwd: [height, width, 32] parent->child displacements in input pixels, dy of
            pose-chain edges 0..15 then dx (``keypoints.POSE_CHAIN_NAMES`` order).
        displacement_bwd: [height, width, 32] child->parent displacements, same layout.
        output_stride: Input pixels per grid cell (grid cell (i, j) is pixel (stride*i, stride*j)).
        max_detections: Maximum number of poses (``decode_options.MAX_DETECTIONS_RANGE``).
        score_threshold: Minimum root part score in [0, 1].
        nms_radius: Part suppression radius in input pixels
            (``decode_options.NMS_RADIUS_RANGE``).

    Returns:
        The poses in decreasing root score order, keypoints in model-input pixels (x right,
        y down), duplicates kept as TF.js keeps them.

    Raises:
        InputError: Bad shapes, dtypes, non-finite values or parameters.
    """
    heatmap_logits = as_output_array('heatmap_logits', heatmap_logits, NUM_KEYPOINTS)
    offsets, displacement_fwd, displacement_bwd, output_stride = _checked_outputs(
        heatmap_logits, 'heatmap_logits', offsets, displacement_fwd, displacement_bwd,
        output_stride)
    return decode_multiple_poses_unchecked(
        heatmap_logits, offsets, displacement_fwd, displacement_bwd, output_stride,
        *check_multi_pose_parameters(max_detections, score_threshold, nms_radius))


def decode_multiple_poses_unchecked(heatmap_logits: np.ndarray, offsets: np.ndarray,
                                    displacement_fwd: np.ndarray, displacement_bwd: np.ndarray,
                                    output_stride: int, max_detections: int,
                                    score_threshold: float, nms_radius: float) -> PoseArrays:
    """``decode_multiple_poses`` for inputs the caller guarantees.

    The caller guarantees float32 C-contiguous, finite arrays of one grid in the layout of
    ``decode_multiple_poses``, a positive integer stride and parameters within the
    ``decode_options`` limits (``ModelRunner.outputs`` and ``DecodeOptions`` do).
    """
    flat_indices, scores = parts_reaching_threshold_from_logits(heatmap_logits, score_threshold)
    flat_logits = heatmap_logits.reshape(-1)
    return _decode(flat_indices, scores, heatmap_logits.shape,
                   FlatOutputs.from_arrays(offsets, displacement_fwd, displacement_bwd,
                                           output_stride),
                   lambda indices: sigmoid_scores(flat_logits[indices]),
                   max_detections, nms_radius)


def decode_multiple_poses_from_scores(heatmap_scores: np.ndarray, offsets: np.ndarray,
                                      displacement_fwd: np.ndarray,
                                      displacement_bwd: np.ndarray, output_stride: int,
                                      max_detections: int = 5, score_threshold: float = 0.5,
                                      nms_radius: float = 20) -> PoseArrays:
    """Like ``decode_multiple_poses`` but from heatmap scores that are already sigmoid.

    This is the TF.js ``decodeMultiplePoses`` signature; use it for outputs that carry scores
    (e.g. other PoseNet ports). Converting such scores back to logits would not round-trip
    (a score of 1.0 has no finite logit), so they are decoded as they are.

    Args:
        heatmap_scores: [height, width, 17] keypoint scores in [0, 1], float32.
        offsets: See ``decode_multiple_poses``.
        displacement_fwd: See ``decode_multiple_poses``.
        displacement_bwd: See ``decode_multiple_poses``.
        output_stride: See ``decode_multiple_poses``.
        max_detections: See ``decode_multiple_poses``.
        score_threshold: See ``decode_multiple_poses``.
        nms_radius: See ``decode_multiple_poses``.

    Returns:
        The poses in decreasing root score order, keypoints in model-input pixels.

    Raises:
        InputError: Bad shapes, dtypes, non-finite or out-of-range values or parameters.
    """
    heatmap_scores = as_output_array('heatmap_scores', heatmap_scores, NUM_KEYPOINTS)
    check_scores_range('heatmap_scores', heatmap_scores)
    outputs = FlatOutputs.from_arrays(*_checked_outputs(
        heatmap_scores, 'heatmap_scores', offsets, displacement_fwd, displacement_bwd,
        output_stride))
    max_detections, score_threshold, nms_radius = check_multi_pose_parameters(
        max_detections, score_threshold, nms_radius)
    flat_indices, scores = parts_reaching_threshold(heatmap_scores, score_threshold)
    flat_scores = heatmap_scores.reshape(-1)
    return _decode(flat_indices, scores, heatmap_scores.shape, outputs,
                   flat_scores.take, max_detections, nms_radius)


def _checked_outputs(heatmap: np.ndarray, heatmap_name: str, offsets: object,
                     displacement_fwd: object, displacement_bwd: object,
                     output_stride: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Validate the other outputs against the (validated) heatmap; return them converted."""
    offsets = as_output_array('offsets', offsets, OFFSET_CHANNELS)
    displacement_fwd = as_output_array('displacement_fwd', displacement_fwd,
                                       DISPLACEMENT_CHANNELS)
    displacement_bwd = as_output_array('displacement_bwd', displacement_bwd,
                                       DISPLACEMENT_CHANNELS)
    check_same_grid(heatmap_name, heatmap, 'offsets', offsets)
    check_same_grid(heatmap_name, heatmap, 'displacement_fwd', displacement_fwd)
    check_same_grid(heatmap_name, heatmap, 'displacement_bwd', displacement_bwd)
    return offsets, displacement_fwd, displacement_bwd, check_output_stride(output_stride)


def _decode(flat_indices: np.ndarray, scores: np.ndarray, grid_shape: tuple[int, int, int],
            outputs: FlatOutputs, scores_at: Callable[[np.ndarray], np.ndarray],
            max_detections: int, nms_radius: float) -> PoseArrays:
    """Run the TF.js loop over root candidates; keypoint and pose scores are computed at the end.

    Args:
        flat_indices: Heatmap entries reaching the threshold (``parts_reaching_threshold``).
        scores: Their float32 scores.
        grid_shape: ``(height, width, 17)``.
        outputs: Flat offsets and displacements.
        scores_at: Returns the float32 scores of an int array of flat heatmap indices.
        max_detections: Maximum number of poses.
        nms_radius: Suppression radius in input pixels.
    """
    candidates = root_candidates_in_queue_order(flat_indices, scores, grid_shape,
                                                _LIKELY_DEQUEUED_PER_DETECTION * max_detections)
    squared_nms_radius = nms_radius * nms_radius
    points_by_part: list[list[tuple[float, float]]] = [[] for _ in range(NUM_KEYPOINTS)]
    pose_ys: list[list[float]] = []
    pose_xs: list[list[float]] = []
    pose_score_indices: list[list[int]] = []
    decoder = PoseDecoder(outputs)
    offsets = outputs.offsets
    width = outputs.width
    stride = outputs.output_stride
    for _, root in candidates:
        # tfjs getImageCoords, written out: it runs for every candidate leaving the queue
        cell, part = divmod(root, NUM_KEYPOINTS)
        row, column = divmod(cell, width)
        base = cell * OFFSET_CHANNELS + part
        root_y = row * stride + offsets[base]
        root_x = column * stride + offsets[base + NUM_KEYPOINTS]
        if within_nms_radius_of_corresponding_point(points_by_part[part], root_y, root_x,
                                                    squared_nms_radius):
            continue
        ys, xs, _, score_indices = decoder.decode(root, root_y, root_x)
        pose_ys.append(ys)
        pose_xs.append(xs)
        pose_score_indices.append(score_indices)
        if len(pose_ys) == max_detections:
            break
        for points, y, x in zip(points_by_part, ys, xs):
            points.append((y, x))
    if not pose_ys:
        return PoseArrays.empty()
    keypoint_scores = scores_at(np.array(pose_score_indices))
    positions = np.array((pose_ys, pose_xs))  # [yx, pose, part], doubles as in TF.js
    counted = keypoints_not_overlapped(positions, squared_nms_radius)
    return PoseArrays(keypoints_xy=np.stack((positions[1], positions[0]), axis=-1),
                      keypoint_scores=keypoint_scores.astype(np.float64),
                      pose_scores=get_instance_scores(keypoint_scores, counted))
