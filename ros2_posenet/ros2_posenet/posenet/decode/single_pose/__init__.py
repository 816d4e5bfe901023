"""Single-person decoding (tfjs-models ``posenet/src/single_pose``)."""

from .argmax2d import argmax2d, argmax2d_from_logits
from .decode_single_pose import (decode_single_pose, decode_single_pose_from_scores,
                                 decode_single_pose_unchecked)

__all__ = ['argmax2d', 'argmax2d_from_logits', 'decode_single_pose',
           'decode_single_pose_from_scores', 'decode_single_pose_unchecked']
