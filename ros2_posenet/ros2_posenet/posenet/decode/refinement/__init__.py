"""PoseNet decoding in ``'accurate'`` mode (``DecodeOptions.decoder_refinement``).

TensorFlow.js's people, with keypoints refined and scored as Coral's C++ decoder does: bilinear
sampling of the short offsets, more refinement steps, bilinear keypoint scores and
keypoint-level rescoring. The ``tfjs`` decoders (``single_pose``, ``multi_pose``) are called, not
changed.
"""

from .bilinear import clamp_to_grid, sample_bilinear
from .decode_accurate import (decode_multiple_poses_accurate,
                              decode_multiple_poses_accurate_unchecked,
                              decode_single_pose_accurate, decode_single_pose_accurate_unchecked,
                              EXTRA_REFINE_STEPS, refine_keypoints)
from .rescore import rescore_poses

__all__ = [
    'EXTRA_REFINE_STEPS', 'clamp_to_grid', 'decode_multiple_poses_accurate',
    'decode_multiple_poses_accurate_unchecked', 'decode_single_pose_accurate',
    'decode_single_pose_accurate_unchecked', 'refine_keypoints', 'rescore_poses',
    'sample_bilinear',
]
