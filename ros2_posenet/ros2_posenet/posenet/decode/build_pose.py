"""Turn decoded per-part values into the ``Pose`` and ``Keypoint`` result objects.

Creating 17 frozen dataclasses per pose through their ``__init__`` costs about as much as
decoding the pose. ``Keypoint`` has slots and no ``__post_init__``, so its slots are filled
directly here (equal objects to ones built by ``__init__``). Should ``Keypoint`` ever gain
validation or other fields, the plain constructor is used. ``build_pose`` still lets ``Pose``
validate its keypoints; ``build_poses_sharing_keypoints``, the multi-pose hot path, fills the
slots of ``Pose`` directly too: its keypoints are made here in part-id order from
``PART_NAMES``, which is what ``Pose.__post_init__`` checks.
"""

from collections.abc import Sequence
import dataclasses

from ..keypoints import NUM_KEYPOINTS, PART_NAMES
from ..pose import Keypoint, Pose

_PART_IDS = tuple(range(NUM_KEYPOINTS))
_FIELDS = ('id', 'name', 'x', 'y', 'score')
_FILL_SLOTS = (tuple(field.name for field in dataclasses.fields(Keypoint)) == _FIELDS
               and getattr(Keypoint, '__slots__', ()) == _FIELDS
               and not hasattr(Keypoint, '__post_init__'))


def _keypoint_by_slots(part_id: int, name: str, x: float, y: float, score: float) -> Keypoint:
    """Return ``Keypoint(part_id, name, x, y, score)`` without running ``__init__``."""
    keypoint = object.__new__(Keypoint)
    _set_id(keypoint, part_id)
    _set_name(keypoint, name)
    _set_x(keypoint, x)
    _set_y(keypoint, y)
    _set_score(keypoint, score)
    return keypoint


if _FILL_SLOTS:
    _set_id, _set_name, _set_x, _set_y, _set_score = (
        getattr(Keypoint, name).__set__ for name in _FIELDS)
    new_keypoint = _keypoint_by_slots
else:  # pragma: no cover - only if pose.py changes
    new_keypoint = Keypoint

_POSE_FIELDS = ('score', 'keypoints')
_FILL_POSE_SLOTS = (tuple(field.name for field in dataclasses.fields(Pose)) == _POSE_FIELDS
                    and getattr(Pose, '__slots__', ()) == _POSE_FIELDS)


def _pose_by_slots(score: float, keypoints: tuple[Keypoint, ...]) -> Pose:
    """Return ``Pose(score, keypoints)`` for keypoints known to be valid, without ``__init__``."""
    pose = object.__new__(Pose)
    _set_pose_score(pose, score)
    _set_pose_keypoints(pose, keypoints)
    return pose


if _FILL_POSE_SLOTS:
    _set_pose_score, _set_pose_keypoints = (getattr(Pose, name).__set__ for name in _POSE_FIELDS)
    new_valid_pose = _pose_by_slots
else:  # pragma: no cover - only if pose.py changes
    new_valid_pose = Pose


def build_pose(score: float, ys: Sequence[float], xs: Sequence[float],
               keypoint_scores: Sequence[float]) -> Pose:
    """Return a ``Pose`` from per-part positions and scores indexed by part id.

    Args:
        score: Pose score in [0, 1].
        ys: Rows of the 17 keypoints in input pixels.
        xs: Columns of the 17 keypoints in input pixels.
        keypoint_scores: Scores of the 17 keypoints in [0, 1].
    """
    return Pose(score, tuple(map(new_keypoint, _PART_IDS, PART_NAMES, xs, ys,
                                 keypoint_scores)))


def build_poses_sharing_keypoints(pose_scores: Sequence[float],
                                  pose_ys: Sequence[Sequence[float]],
                                  pose_xs: Sequence[Sequence[float]],
                                  pose_keypoint_scores: Sequence[Sequence[float]],
                                  pose_keypoint_keys: Sequence[Sequence[int]]) -> list[Pose]:
    """Return one ``Pose`` per entry, sharing one ``Keypoint`` object between equal keypoints.

    Multi-pose decoding often finds one person several times with many identical keypoints;
    ``Keypoint`` is immutable, so those poses can hold the same object.

    Args:
        pose_scores: Score of each pose.
        pose_ys: Per pose, rows of the 17 keypoints in input pixels.
        pose_xs: Per pose, columns of the 17 keypoints.
        pose_keypoint_scores: Per pose, the 17 keypoint scores.
        pose_keypoint_keys: Per pose, 17 ints; keypoints of one part with equal keys are
            equal (same position and score).
    """
    shared: dict[int, Keypoint] = {}
    known = shared.get
    poses = []
    for score, ys, xs, keypoint_scores, keys in zip(pose_scores, pose_ys, pose_xs,
                                                    pose_keypoint_scores, pose_keypoint_keys):
        keypoints = []
        for part_id, key in enumerate(keys):
            keypoint = known(key)
            if keypoint is None:
                keypoint = shared[key] = new_keypoint(part_id, PART_NAMES[part_id], xs[part_id],
                                                      ys[part_id], keypoint_scores[part_id])
            keypoints.append(keypoint)
        poses.append(new_valid_pose(score, tuple(keypoints)))
    return poses
