"""MoveNet SinglePose decoding: keypoints out of the network, and the smart crop between frames.

As TensorFlow.js pose-detection's ``movenet`` does it: the network sees a square crop of the
image (the whole image padded to a square, then the region around the person of the previous
frame), and returns normalised keypoints that ``decode_movenet_keypoints`` places in model-input
pixels; the engine maps them to the image through the crop's ``InputTransform``.
"""

from .crop_filter import CROP_FILTER_ALPHA, CropRegionFilter
from .crop_region import (BODY_EXPANSION, CropRegion, initial_crop_region,
                          MIN_CROP_KEYPOINT_SCORE, next_crop_region, TORSO_EXPANSION,
                          torso_visible)
from .decode_keypoints import decode_movenet_keypoints
from .smart_crop import SmartCrop

__all__ = [
    'BODY_EXPANSION', 'CROP_FILTER_ALPHA', 'CropRegion', 'CropRegionFilter',
    'MIN_CROP_KEYPOINT_SCORE', 'SmartCrop', 'TORSO_EXPANSION', 'decode_movenet_keypoints',
    'initial_crop_region', 'next_crop_region', 'torso_visible',
]
