"""Pose decoding: network outputs in, ``PoseArrays`` in model pixels out.

``single_pose/`` and ``multi_pose/`` mirror tfjs-models ``posenet/src/single_pose`` and
``multi_pose`` (TensorFlow.js-exact); ``refinement/`` is the ``'accurate'`` PoseNet mode
(Coral's sub-cell refinement and rescoring); ``movenet/`` decodes MoveNet SinglePose and keeps
its crop region between frames. The plain names check their inputs (for direct callers); the
``_unchecked`` cores are what ``PoseEngine`` calls on outputs the model runner already
guarantees.
"""

from .multi_pose import (decode_multiple_poses, decode_multiple_poses_from_scores,
                         decode_multiple_poses_unchecked)
from .refinement import (decode_multiple_poses_accurate, decode_multiple_poses_accurate_unchecked,
                         decode_single_pose_accurate, decode_single_pose_accurate_unchecked)
from .single_pose import (decode_single_pose, decode_single_pose_from_scores,
                          decode_single_pose_unchecked)

__all__ = [
    'decode_multiple_poses', 'decode_multiple_poses_accurate',
    'decode_multiple_poses_accurate_unchecked', 'decode_multiple_poses_from_scores',
    'decode_multiple_poses_unchecked', 'decode_single_pose', 'decode_single_pose_accurate',
    'decode_single_pose_accurate_unchecked', 'decode_single_pose_from_scores',
    'decode_single_pose_unchecked',
]
