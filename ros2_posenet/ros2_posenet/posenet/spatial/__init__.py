"""Where people are in metres: keypoints lifted with depth, person positions with or without it.

ROS-free; arrays in and out (``PoseArrays`` in colour-image pixels, points in the camera optical
frame, REP 103). ``depth_image`` converts the REP 118 depth encodings to metres.
"""

from .depth_image import DEPTH_ENCODINGS, depth_to_metres
from .keypoints_3d import DepthOptions, Keypoints3d, lift_keypoints
from .person_position import (ground_points, MonocularOptions, person_positions,
                              PersonPositions, PositionSource, torso_centres,
                              TRUNK_SHARE_OF_HEIGHT)

__all__ = [
    'DEPTH_ENCODINGS', 'DepthOptions', 'Keypoints3d', 'MonocularOptions', 'PersonPositions',
    'PositionSource', 'TRUNK_SHARE_OF_HEIGHT', 'depth_to_metres', 'ground_points',
    'lift_keypoints', 'person_positions', 'torso_centres',
]
