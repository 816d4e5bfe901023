"""ROS-free PoseNet engine: model loading, preprocessing, decoding and geometry.

Nothing in this package imports rclpy or ROS messages; it runs wherever numpy, OpenCV and a TFLite
runtime (ai-edge-litert, tflite-runtime or tensorflow) are installed. This module is the face the
node, the tools and users import from; three wings sit below it: ``model/`` (find, load and run a
``.tflite`` file), ``decode/`` (TensorFlow.js-exact decoding) and ``image/`` (preprocessing and
its inverse map, drawing).

Typical use::

    engine = PoseEngine(EngineConfig('posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'))
    result = engine.estimate(image_bgr, color_order='bgr', options=DecodeOptions())
    for pose in result.poses:  # source-image pixels
        print(pose.score, pose.keypoints[KeypointId.NOSE])
    result.arrays.keypoints_xy  # the same poses as arrays, [n, 17, 2]

MoveNet SinglePose models run through the same engine (``'single'`` mode); the engine keeps
their crop region between frames (``engine.reset()`` between unrelated images).

The decoders are also usable on their own, on tensors in the TensorFlow.js layout.
"""

from .decode import (decode_multiple_poses, decode_multiple_poses_accurate,
                     decode_multiple_poses_from_scores, decode_single_pose,
                     decode_single_pose_accurate, decode_single_pose_from_scores)
from .decode_options import (AUTO_LETTERBOX_MARGIN, DecodeOptions, DECODER_REFINEMENTS,
                             DETECTION_MODES, KEEP_ASPECT_RATIO_CHOICES, letterbox_for,
                             MAX_DETECTIONS_RANGE, NMS_RADIUS_RANGE, SCORE_RANGE)
from .engine import EstimateResult, PoseEngine, StageTimings
from .errors import (DelegateError, InputError, ModelDownloadError, ModelError, PoseNetError,
                     RuntimeNotFoundError)
from .image import (bone_color, COLOR_ORDERS, ColorOrder, draw_poses, InputTransform,
                    INTERPOLATIONS, PinholeCamera, SIDE_COLORS_BGR, track_color)
from .keypoints import (CONNECTED_PART_IDS, CONNECTED_PART_NAMES, KeypointId, NUM_KEYPOINTS,
                        PART_IDS, PART_NAMES, PART_SIDES, POSE_CHAIN_NAMES)
from .model import (DATA_DIR_ENV, data_dir, DEFAULT_MODEL, DELEGATES, EngineConfig, FAMILIES,
                    ModelInfo, resolve_model_path)
from .pose import Keypoint, Pose, PoseArrays
from .pose_geometry import (BoundingBox, bounding_boxes, get_adjacent_keypoints,
                            get_bounding_box, visible_bones)

__all__ = [
    'AUTO_LETTERBOX_MARGIN', 'BoundingBox', 'COLOR_ORDERS', 'CONNECTED_PART_IDS',
    'CONNECTED_PART_NAMES', 'ColorOrder', 'DATA_DIR_ENV', 'DECODER_REFINEMENTS',
    'DEFAULT_MODEL', 'DELEGATES', 'DETECTION_MODES', 'DecodeOptions', 'DelegateError',
    'EngineConfig', 'EstimateResult', 'FAMILIES', 'INTERPOLATIONS', 'InputError',
    'InputTransform', 'KEEP_ASPECT_RATIO_CHOICES', 'Keypoint', 'KeypointId',
    'MAX_DETECTIONS_RANGE', 'ModelDownloadError',
    'ModelError', 'ModelInfo', 'NMS_RADIUS_RANGE', 'NUM_KEYPOINTS', 'PART_IDS', 'PART_NAMES',
    'PART_SIDES', 'POSE_CHAIN_NAMES', 'PinholeCamera', 'Pose', 'PoseArrays', 'PoseEngine',
    'PoseNetError',
    'RuntimeNotFoundError', 'SCORE_RANGE', 'SIDE_COLORS_BGR', 'StageTimings', 'bone_color',
    'bounding_boxes', 'data_dir', 'decode_multiple_poses', 'decode_multiple_poses_accurate',
    'decode_multiple_poses_from_scores', 'decode_single_pose', 'decode_single_pose_accurate',
    'decode_single_pose_from_scores', 'draw_poses', 'get_adjacent_keypoints',
    'get_bounding_box', 'letterbox_for', 'resolve_model_path', 'track_color', 'visible_bones',
]
