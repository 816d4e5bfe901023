"""Pose geometry: the visible-bone rule and bounding boxes."""

import numpy as np
import pytest

from ros2_posenet.posenet import (BoundingBox, bounding_boxes, CONNECTED_PART_IDS,
                                  get_adjacent_keypoints, get_bounding_box, KeypointId, Pose,
                                  PoseArrays, visible_bones)

from decode_helpers import make_pose


def _example_pose() -> Pose:
    xs = np.arange(17) * 10.0
    ys = 100.0 - np.arange(17) * 3.0
    scores = np.linspace(0.0, 0.8, 17)
    return make_pose(xs, ys, scores, 0.4)


def test_adjacent_keypoints_need_both_scores_at_least_min_confidence():
    pose = _example_pose()
    min_confidence = pose.keypoints[KeypointId.LEFT_HIP].score  # 0.55; not below: kept
    pairs = get_adjacent_keypoints(pose.keypoints, min_confidence)
    expected = [(a, b) for a, b in CONNECTED_PART_IDS
                if min(pose.keypoints[a].score, pose.keypoints[b].score) >= min_confidence]
    assert [(a.id, b.id) for a, b in pairs] == expected
    assert (KeypointId.LEFT_HIP, KeypointId.LEFT_KNEE) in expected
    assert (KeypointId.LEFT_HIP, KeypointId.LEFT_SHOULDER) not in expected
    assert get_adjacent_keypoints(pose.keypoints, 0.0).__len__() == len(CONNECTED_PART_IDS)


def test_bounding_box_spans_every_keypoint():
    pose = _example_pose()
    box = get_bounding_box(pose.keypoints)
    assert box == BoundingBox(min_x=0.0, min_y=52.0, max_x=160.0, max_y=100.0)
    arrays = PoseArrays.from_poses([pose, pose])
    assert bounding_boxes(arrays.keypoints_xy).tolist() == [[0.0, 52.0, 160.0, 100.0]] * 2
    with pytest.raises(ValueError):
        get_bounding_box([])


def test_visible_bones_is_the_adjacent_keypoints_rule():
    pose = _example_pose()
    scores = [keypoint.score for keypoint in pose.keypoints]
    for threshold in (0.0, 0.3, scores[KeypointId.LEFT_HIP], 0.9, 1.0):
        pairs = get_adjacent_keypoints(pose.keypoints, threshold)
        assert [(a.id, b.id) for a, b in pairs] == visible_bones(scores, threshold)
