"""Part non-maximum suppression and instance scores."""

import numpy as np

from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores
from ros2_posenet.posenet.decode.multi_pose import (
    get_instance_scores, keypoints_not_overlapped, within_nms_radius_of_corresponding_point)

from decode_helpers import empty_grid, decode_multiple_poses


def test_nms_radius_is_inclusive():
    points = [(0.0, 0.0), (100.0, 100.0)]
    assert within_nms_radius_of_corresponding_point(points, 3.0, 4.0, 25.0)  # exactly 5 px
    assert not within_nms_radius_of_corresponding_point(points, 3.0, 4.01, 25.0)
    assert not within_nms_radius_of_corresponding_point([], 0.0, 0.0, 25.0)


def test_instance_score_leaves_out_keypoints_claimed_by_earlier_poses():
    ys = np.zeros((2, 17))
    xs = np.zeros((2, 17))
    xs[1, :5] = 4.0   # within 5 px of the first pose
    xs[1, 5:] = 40.0  # clear
    counted = keypoints_not_overlapped(np.array((ys, xs)), 25.0)
    assert counted[0].all()
    assert counted[1].tolist() == [False] * 5 + [True] * 12
    scores = np.full((2, 17), 0.5, np.float32)
    np.testing.assert_allclose(get_instance_scores(scores, counted), [0.5, 0.5 * 12 / 17])


def test_multi_pose_skips_root_within_nms_radius():
    offsets, fwd, bwd = empty_grid(3, 8)
    logits = np.full((3, 8, 17), -8.0, np.float32)
    logits[1, 1, :] = 4.0   # one person at (10, 10)
    logits[1, 3, 0] = 2.0   # a weaker nose 20 px away, outside the local-maximum window
    fwd[1, 3, 16:] = -20.0  # whose displacements lead back to the first person
    poses = decode_multiple_poses(logits, offsets, fwd, bwd, 10, 5, 0.5, 25)
    assert len(poses) == 1
    assert {(k.x, k.y) for k in poses[0].keypoints} == {(10.0, 10.0)}
    poses = decode_multiple_poses(logits, offsets, fwd, bwd, 10, 5, 0.5, 15)
    assert len(poses) == 2
    assert poses[1].keypoints[0].x == 30.0
    assert poses[1].keypoints[5].x == 10.0
    # the second pose's other keypoints sit on the first pose's: only its nose counts
    assert poses[1].score == float(sigmoid_scores(np.float32(2.0))) / 17
