"""Single-pose decoding: each part at its best cell plus the offset there."""

import numpy as np

from ros2_posenet.posenet import PART_IDS
from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores

from decode_helpers import decode_single_pose, decode_single_pose_from_scores


def test_single_pose_places_each_part_at_its_best_cell():
    logits = np.full((3, 4, 17), -3.0, np.float32)
    offsets = np.zeros((3, 4, 34), np.float32)
    logits[2, 1, 5] = 6.0
    offsets[2, 1, 5] = 0.1  # float32 sum: 32 + 0.1 -> 32.1 in float32
    offsets[2, 1, 17 + 5] = -1.0
    pose = decode_single_pose(logits, offsets, 16)
    left_shoulder = pose.keypoints[PART_IDS['leftShoulder']]
    assert (left_shoulder.x, left_shoulder.y) == (15.0, float(np.float32(32) + np.float32(0.1)))
    assert left_shoulder.score == float(sigmoid_scores(np.float32(6.0)))
    assert pose.keypoints[0].x == 0.0 and pose.keypoints[0].y == 0.0  # first cell on ties
    expected = 0.0
    for keypoint in pose.keypoints:
        expected += keypoint.score
    assert pose.score == expected / 17
    same = decode_single_pose_from_scores(sigmoid_scores(logits), offsets, 16)
    assert same == pose
