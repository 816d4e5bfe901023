"""MoveNet SinglePose output -> one pose in model-input pixels.

The network returns [17, 3] rows of (y, x, score), y and x normalised over the model input (0 =
its top/left border, 1 = its bottom/right border). In the project's pixel-centre frame
(``pose.py``) that is ``x_px = x * input_width - 0.5``. The pose score is the mean score of the
keypoints above ``MIN_CROP_KEYPOINT_SCORE`` (0 when there is none), as TF.js pose-detection
``runSinglePersonPoseModel`` computes it.
"""

import numpy as np

from ...keypoints import NUM_KEYPOINTS
from ...pose import PoseArrays
from .crop_region import MIN_CROP_KEYPOINT_SCORE


def decode_movenet_keypoints(keypoints: np.ndarray, input_width: int,
                             input_height: int) -> PoseArrays:
    """Return MoveNet's one pose in model-input pixels.

    Args:
        keypoints: Float array [17, 3] of (y, x, score), y and x in [0, 1] over the input.
        input_width: Model input width in pixels.
        input_height: Model input height in pixels.

    Returns:
        One pose: keypoints (x, y) in model-input pixels (pixel centres at integers), the
        network's keypoint scores, and the mean score of the keypoints above
        ``MIN_CROP_KEYPOINT_SCORE``.
    """
    values = np.asarray(keypoints, dtype=np.float64).reshape(NUM_KEYPOINTS, 3)
    xy = np.stack((values[:, 1] * input_width - 0.5, values[:, 0] * input_height - 0.5),
                  axis=-1)
    scores = values[:, 2]
    found = scores > MIN_CROP_KEYPOINT_SCORE
    pose_score = float(scores[found].mean()) if found.any() else 0.0
    return PoseArrays(keypoints_xy=xy[None], keypoint_scores=scores[None].copy(),
                      pose_scores=np.array([pose_score]))
