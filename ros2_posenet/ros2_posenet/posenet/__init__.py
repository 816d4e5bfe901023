"""ROS-free PoseNet engine: model loading, preprocessing, decoding and geometry.

Nothing in this package imports rclpy or ROS messages; it runs wherever numpy, OpenCV and a TFLite
runtime (ai-edge-litert, tflite-runtime or tensorflow) are installed.

Typical use::

    engine = PoseEngine(EngineConfig('posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'))
    result = engine.estimate(image_bgr, color_order='bgr', options=DecodeOptions())
    for pose in result.poses:  # source-image pixels
        print(pose.score, pose.keypoints[KeypointId.NOSE])

The decoders are also usable on their own, on tensors in the TensorFlow.js layout.
"""

from .decode.multi_pose.decode_multiple_poses import decode_multiple_poses, decode_multiple_poses_from_scores
from .decode_options import DecodeOptions, DETECTION_MODES
from .decode.single_pose.decode_single_pose import decode_single_pose, decode_single_pose_from_scores
from .engine import EstimateResult, ModelInfo, PoseEngine, StageTimings
from .model.config import DELEGATES, EngineConfig
from .errors import (DelegateError, InputError, ModelDownloadError, ModelError, PoseNetError,
                     RuntimeNotFoundError)
from .keypoints import (CONNECTED_PART_IDS, CONNECTED_PART_NAMES, KeypointId, NUM_KEYPOINTS,
                        PART_IDS, PART_NAMES, POSE_CHAIN_NAMES)
from .pose import Keypoint, Pose
from .pose_geometry import (BoundingBox, flip_pose_horizontal, get_adjacent_keypoints,
                            get_bounding_box, get_bounding_box_points, scale_pose)

__all__ = [
    'BoundingBox', 'CONNECTED_PART_IDS', 'CONNECTED_PART_NAMES', 'DELEGATES', 'DETECTION_MODES',
    'DecodeOptions', 'DelegateError', 'EngineConfig', 'EstimateResult', 'InputError', 'Keypoint',
    'KeypointId', 'ModelDownloadError', 'ModelError', 'ModelInfo', 'NUM_KEYPOINTS', 'PART_IDS',
    'PART_NAMES', 'POSE_CHAIN_NAMES', 'Pose', 'PoseEngine', 'PoseNetError',
    'RuntimeNotFoundError', 'StageTimings', 'decode_multiple_poses',
    'decode_multiple_poses_from_scores', 'decode_single_pose', 'decode_single_pose_from_scores',
    'flip_pose_horizontal', 'get_adjacent_keypoints', 'get_bounding_box',
    'get_bounding_box_points', 'scale_pose',
]
