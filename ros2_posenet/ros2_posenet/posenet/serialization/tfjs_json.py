"""Poses as TensorFlow.js PoseNet JSON, the message format of posenet-for-installations.

One text message per frame::

    {"poses": [{"score": s, "id": 3,
                "keypoints": [{"score": s, "part": "nose", "position": {"x": x, "y": y}},
                              ... 17 parts in PoseNet order]},
               ...],
     "image": {"width": W, "height": H}}

Each pose is what ``@tensorflow-models/posenet`` ``estimatePoses`` returns, plus ``"id"``: the
track id (0 = not yet tracked). Coordinates are source-image pixels (x right, y down, origin
top-left; mirrored when the engine was asked to), people in the order given (the node's
decreasing pose score). Numbers are written with float32 precision (the precision of
``ros2_posenet_msgs/Keypoint``), in their shortest form, so a value read back and rounded to
float32 is exactly the value serialised.
"""

from collections.abc import Sequence
import json
from typing import Any

import numpy as np

from ..keypoints import PART_NAMES
from ..pose import PoseArrays


def _float32_values(array: np.ndarray) -> list:
    """Return ``array`` as nested lists of Python floats with float32's shortest repr."""
    as_text = np.asarray(array, dtype=np.float32).astype(str)
    values: list = as_text.astype(np.float64).tolist()
    return values


def tfjs_poses(poses: PoseArrays, ids: Sequence[int] | np.ndarray | None = None
               ) -> list[dict[str, Any]]:
    """Return the poses as TensorFlow.js ``Pose`` objects with their track ids.

    Args:
        poses: People of one frame, source-image pixels.
        ids: Track id per row (0 = untracked); ``None`` gives every pose 0.

    Raises:
        ValueError: As many ids as poses are needed, or a non-finite value would make
            invalid JSON.
    """
    count = len(poses)
    id_list = [0] * count if ids is None else [int(i) for i in np.asarray(ids).reshape(-1)]
    if len(id_list) != count:
        raise ValueError(f'{len(id_list)} ids for {count} poses')
    if count and not (np.isfinite(poses.keypoints_xy).all()
                      and np.isfinite(poses.keypoint_scores).all()
                      and np.isfinite(poses.pose_scores).all()):
        raise ValueError('poses with non-finite values cannot be written as JSON')
    xy = _float32_values(poses.keypoints_xy)
    scores = _float32_values(poses.keypoint_scores)
    pose_scores = _float32_values(poses.pose_scores)
    return [
        {'score': pose_scores[row], 'id': id_list[row],
         'keypoints': [{'score': part_score, 'part': name, 'position': {'x': x, 'y': y}}
                       for name, part_score, (x, y) in zip(PART_NAMES, scores[row], xy[row])]}
        for row in range(count)]


def frame_document(poses: PoseArrays, ids: Sequence[int] | np.ndarray | None,
                   image_width: int, image_height: int) -> dict[str, Any]:
    """Return one frame's message as a JSON-ready dict (``{"poses": ..., "image": ...}``)."""
    return {'poses': tfjs_poses(poses, ids),
            'image': {'width': int(image_width), 'height': int(image_height)}}


def encode_frame(poses: PoseArrays, ids: Sequence[int] | np.ndarray | None,
                 image_width: int, image_height: int) -> str:
    """Return one frame's message as compact JSON text (see the module docstring)."""
    return json.dumps(frame_document(poses, ids, image_width, image_height),
                      separators=(',', ':'), allow_nan=False)
