"""Result types of pose estimation: small frozen dataclasses, free of ROS.

``Keypoint`` and ``Pose`` are the per-person objects users read; ``PoseArrays`` holds the poses
of one frame as numpy arrays, the form the decoders return and tracking and 3D work on.

Pixel convention (the same in every module and in ``Keypoint.msg``): x to the right, y down,
pixel *centres* at integer coordinates, so the top-left pixel's centre is (0, 0) and its outer
corner (-0.5, -0.5) (OpenCV's convention; see ``image.preprocess`` for how this differs from
TensorFlow.js's resize by ``0.5 * (scale - 1)`` px).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .keypoints import NUM_KEYPOINTS, PART_NAMES


@dataclass(frozen=True, slots=True)
class Keypoint:
    """One body part of one person.

    Attributes:
        id: Part id, 0..16 in PoseNet/COCO order (see ``keypoints.PART_NAMES``).
        name: PoseNet part name, e.g. ``'leftShoulder'``.
        x: Column in pixels of the source image (pixel centres at integers, see the module
            docstring), x to the right.
        y: Row in pixels, y down.
        score: Confidence in [0, 1] (sigmoid of the heatmap logit).
    """

    id: int
    name: str
    x: float
    y: float
    score: float


@dataclass(frozen=True, slots=True)
class Pose:
    """One person: an overall score and always all 17 keypoints, index == part id.

    Attributes:
        score: Pose confidence in [0, 1] (tfjs: mean keypoint score, for multi-pose decoding
            with keypoints near earlier poses left out).
        keypoints: 17 ``Keypoint``s in part-id order.
    """

    score: float
    keypoints: tuple[Keypoint, ...]

    def __post_init__(self) -> None:
        """Check the keypoint count and order (cheap; guards every producer)."""
        if len(self.keypoints) != NUM_KEYPOINTS:
            raise ValueError(
                f'a Pose needs {NUM_KEYPOINTS} keypoints, got {len(self.keypoints)}')
        for i, keypoint in enumerate(self.keypoints):
            if keypoint.id != i or keypoint.name != PART_NAMES[i]:
                raise ValueError(
                    f'keypoint {i} must be {PART_NAMES[i]!r} (id {i}), '
                    f'got {keypoint.name!r} (id {keypoint.id})')


@dataclass(frozen=True, eq=False)
class PoseArrays:
    """The poses of one frame as arrays, pose ``i`` in row ``i`` of each.

    Attributes:
        keypoints_xy: Float64 ``[n, 17, 2]``: (x, y) of each keypoint in pixels (model-input
            pixels from the decoders, source-image pixels from ``PoseEngine``), part-id order.
        keypoint_scores: Float64 ``[n, 17]`` keypoint confidences in [0, 1].
        pose_scores: Float64 ``[n]`` pose confidences in [0, 1].
    """

    keypoints_xy: np.ndarray
    keypoint_scores: np.ndarray
    pose_scores: np.ndarray

    def __post_init__(self) -> None:
        """Check that the three arrays agree in shape (cheap; guards every producer)."""
        count = self.pose_scores.shape[0] if self.pose_scores.ndim == 1 else -1
        if (self.keypoints_xy.shape != (count, NUM_KEYPOINTS, 2)
                or self.keypoint_scores.shape != (count, NUM_KEYPOINTS)):
            raise ValueError(
                f'PoseArrays needs xy [n, {NUM_KEYPOINTS}, 2], keypoint scores '
                f'[n, {NUM_KEYPOINTS}] and pose scores [n], got {self.keypoints_xy.shape}, '
                f'{self.keypoint_scores.shape} and {self.pose_scores.shape}')

    def __len__(self) -> int:
        """Return the number of poses."""
        return int(self.pose_scores.shape[0])

    @classmethod
    def empty(cls) -> 'PoseArrays':
        """Return arrays of zero poses."""
        return cls(np.zeros((0, NUM_KEYPOINTS, 2)), np.zeros((0, NUM_KEYPOINTS)), np.zeros(0))

    @classmethod
    def from_poses(cls, poses: Sequence[Pose]) -> 'PoseArrays':
        """Return the arrays of ``Pose`` objects (in their pixels, in their order)."""
        if not poses:
            return cls.empty()
        return cls(
            np.array([[(k.x, k.y) for k in pose.keypoints] for pose in poses], dtype=np.float64),
            np.array([[k.score for k in pose.keypoints] for pose in poses], dtype=np.float64),
            np.array([pose.score for pose in poses], dtype=np.float64))

    def select(self, indices: np.ndarray | Sequence[int]) -> 'PoseArrays':
        """Return the poses at ``indices`` (int array or boolean mask), in that order."""
        return PoseArrays(self.keypoints_xy[indices], self.keypoint_scores[indices],
                          self.pose_scores[indices])

    def to_poses(self) -> tuple[Pose, ...]:
        """Return one ``Pose`` per row, keypoints in part-id order."""
        xy = self.keypoints_xy.tolist()
        scores = self.keypoint_scores.tolist()
        return tuple(
            Pose(pose_score, tuple(Keypoint(part_id, name, x, y, score)
                                   for part_id, (name, (x, y), score)
                                   in enumerate(zip(PART_NAMES, pose_xy, pose_scores))))
            for pose_score, pose_xy, pose_scores in zip(self.pose_scores.tolist(), xy, scores))
