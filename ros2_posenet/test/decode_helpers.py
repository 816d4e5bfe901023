"""Decoders as ``Pose`` objects and small synthetic inputs, shared by the decoder tests."""

import numpy as np

from ros2_posenet.posenet import (Keypoint, PART_NAMES, Pose,
                                  PoseArrays)
from ros2_posenet.posenet import decode as decoders
from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores
from ros2_posenet.posenet.decode.multi_pose import (
    PoseDecoder)


def decode_multiple_poses(*args, **kwargs) -> list[Pose]:
    """The multi-pose decoder's ``PoseArrays`` as ``Pose`` objects."""
    return list(_as_poses(decoders.decode_multiple_poses(*args, **kwargs)))


def decode_multiple_poses_from_scores(*args, **kwargs) -> list[Pose]:
    """The scores form of the multi-pose decoder, as ``Pose`` objects."""
    return list(_as_poses(decoders.decode_multiple_poses_from_scores(*args, **kwargs)))


def decode_single_pose(*args, **kwargs) -> Pose:
    """The single-pose decoder's one pose."""
    (pose,) = _as_poses(decoders.decode_single_pose(*args, **kwargs))
    return pose


def decode_single_pose_from_scores(*args, **kwargs) -> Pose:
    """The scores form of the single-pose decoder's one pose."""
    (pose,) = _as_poses(decoders.decode_single_pose_from_scores(*args, **kwargs))
    return pose


def _as_poses(arrays: PoseArrays) -> tuple[Pose, ...]:
    assert isinstance(arrays, PoseArrays)
    assert arrays.keypoints_xy.dtype == arrays.keypoint_scores.dtype == np.float64
    return arrays.to_poses()


def decode_pose(root, root_y, root_x, outputs):
    """One pose decoded by a fresh ``PoseDecoder``."""
    return PoseDecoder(outputs).decode(root, root_y, root_x)


def float32_sigmoid_differs() -> np.ndarray:
    """Return logits whose float32-arithmetic sigmoid differs from the double one."""
    logits = np.linspace(-12, 12, 20001, dtype=np.float32)
    float32_scores = np.float32(1) / (np.float32(1) + np.exp(-logits))
    differ = float32_scores != sigmoid_scores(logits)
    assert differ.any()
    return logits[differ]


def make_pose(xs, ys, scores, pose_score=0.5) -> Pose:
    """A pose from per-part xs, ys and scores (part-id order)."""
    return Pose(pose_score, tuple(Keypoint(i, PART_NAMES[i], float(x), float(y), float(s))
                                  for i, (x, y, s) in enumerate(zip(xs, ys, scores))))


def random_case(rng: np.random.Generator, quantized: bool):
    """Random decoder inputs full of ties: (logits, offsets, fwd, bwd, stride)."""
    height, width = rng.integers(1, 9, 2)
    stride = int(rng.choice([8, 16, 32]))
    if quantized:  # few distinct values: ties everywhere
        logits = rng.choice(np.linspace(-6, 20, 9), (height, width, 17))
    else:
        logits = rng.normal(0, 3, (height, width, 17))
    offsets = rng.normal(0, stride, (height, width, 34))
    fwd = rng.normal(0, 2 * stride, (height, width, 32))
    bwd = rng.normal(0, 2 * stride, (height, width, 32))
    if quantized:
        offsets = np.round(offsets * 2) / 2  # many positions exactly on .5 boundaries
        fwd = np.round(fwd)
        bwd = np.round(bwd)
    return [array.astype(np.float32) for array in (logits, offsets, fwd, bwd)] + [stride]


def empty_grid(height=5, width=5):
    """Zero offsets and displacements on a height x width grid."""
    offsets = np.zeros((height, width, 34), np.float32)
    fwd = np.zeros((height, width, 32), np.float32)
    bwd = np.zeros((height, width, 32), np.float32)
    return offsets, fwd, bwd
