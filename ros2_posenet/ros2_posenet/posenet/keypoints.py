"""PoseNet keypoint names, ids and skeleton: the single source of every part table.

The order is the PoseNet/COCO order used by every model family and by TensorFlow.js
``@tensorflow-models/posenet`` (``keypoints.ts``). Every other table (ids by name, skeleton
edges as id pairs, the pose chain used by multi-pose decoding, the left/right mirror map and the
body side of each part) is derived here from the three literal tables below.
"""

from enum import IntEnum
from typing import Final

PART_NAMES: Final[tuple[str, ...]] = (
    'nose', 'leftEye', 'rightEye', 'leftEar', 'rightEar',
    'leftShoulder', 'rightShoulder', 'leftElbow', 'rightElbow',
    'leftWrist', 'rightWrist', 'leftHip', 'rightHip',
    'leftKnee', 'rightKnee', 'leftAnkle', 'rightAnkle',
)
"""PoseNet part names (tfjs ``partNames``); index == part id."""

NUM_KEYPOINTS: Final[int] = len(PART_NAMES)

PART_IDS: Final[dict[str, int]] = {name: i for i, name in enumerate(PART_NAMES)}
"""Part id by PoseNet part name (tfjs ``partIds``)."""


class KeypointId(IntEnum):
    """Part ids as named constants (COCO order, matching ``Keypoint.msg`` constants)."""

    NOSE = 0
    LEFT_EYE = 1
    RIGHT_EYE = 2
    LEFT_EAR = 3
    RIGHT_EAR = 4
    LEFT_SHOULDER = 5
    RIGHT_SHOULDER = 6
    LEFT_ELBOW = 7
    RIGHT_ELBOW = 8
    LEFT_WRIST = 9
    RIGHT_WRIST = 10
    LEFT_HIP = 11
    RIGHT_HIP = 12
    LEFT_KNEE = 13
    RIGHT_KNEE = 14
    LEFT_ANKLE = 15
    RIGHT_ANKLE = 16


CONNECTED_PART_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ('leftHip', 'leftShoulder'), ('leftElbow', 'leftShoulder'),
    ('leftElbow', 'leftWrist'), ('leftHip', 'leftKnee'),
    ('leftKnee', 'leftAnkle'), ('rightHip', 'rightShoulder'),
    ('rightElbow', 'rightShoulder'), ('rightElbow', 'rightWrist'),
    ('rightHip', 'rightKnee'), ('rightKnee', 'rightAnkle'),
    ('leftShoulder', 'rightShoulder'), ('leftHip', 'rightHip'),
)
"""Skeleton bones drawn between parts (tfjs ``connectedPartNames``)."""

POSE_CHAIN_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ('nose', 'leftEye'), ('leftEye', 'leftEar'), ('nose', 'rightEye'),
    ('rightEye', 'rightEar'), ('nose', 'leftShoulder'),
    ('leftShoulder', 'leftElbow'), ('leftElbow', 'leftWrist'),
    ('leftShoulder', 'leftHip'), ('leftHip', 'leftKnee'),
    ('leftKnee', 'leftAnkle'), ('nose', 'rightShoulder'),
    ('rightShoulder', 'rightElbow'), ('rightElbow', 'rightWrist'),
    ('rightShoulder', 'rightHip'), ('rightHip', 'rightKnee'),
    ('rightKnee', 'rightAnkle'),
)
"""Tree of (parent, child) edges rooted at the nose (tfjs ``poseChain``).

Edge ``e`` of this tuple is channel ``e`` (dy) and ``16 + e`` (dx) of the displacement tensors.
"""

NUM_EDGES: Final[int] = len(POSE_CHAIN_NAMES)

CONNECTED_PART_IDS: Final[tuple[tuple[int, int], ...]] = tuple(
    (PART_IDS[a], PART_IDS[b]) for a, b in CONNECTED_PART_NAMES)
"""Skeleton bones as (part id, part id) pairs."""

PARENT_CHILD_IDS: Final[tuple[tuple[int, int], ...]] = tuple(
    (PART_IDS[parent], PART_IDS[child]) for parent, child in POSE_CHAIN_NAMES)
"""Pose-chain edges as (parent id, child id) pairs, in displacement channel order."""


def _mirror_name(name: str) -> str:
    if name.startswith('left'):
        return 'right' + name[len('left'):]
    if name.startswith('right'):
        return 'left' + name[len('right'):]
    return name


MIRRORED_PART_IDS: Final[tuple[int, ...]] = tuple(
    PART_IDS[_mirror_name(name)] for name in PART_NAMES)
"""``MIRRORED_PART_IDS[i]`` is the id of the part that ``i`` becomes in a mirrored image."""

PART_SIDES: Final[tuple[str, ...]] = tuple(
    'left' if name.startswith('left') else 'right' if name.startswith('right') else 'centre'
    for name in PART_NAMES)
"""Body side of each part: ``'left'``, ``'right'`` or ``'centre'`` (used for colours)."""
