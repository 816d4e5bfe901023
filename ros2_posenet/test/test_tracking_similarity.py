"""OKS with COCO sigmas between predicted and detected poses, and the box IoU fallback."""

import numpy as np
import pytest

from ros2_posenet.posenet.keypoints import KeypointId, NUM_KEYPOINTS, PART_NAMES
from ros2_posenet.posenet.tracking.similarity import (box_iou, COCO_SIGMAS, keypoint_boxes,
                                                      MIN_SHARED_KEYPOINTS, pose_similarity)

# cocoapi PythonAPI/pycocotools/cocoeval.py, in COCO keypoint order.
COCOEVAL_SIGMAS = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07,
                            .87, .87, .89, .89]) / 10.0


def _pose(rng: np.random.Generator, width: float = 100.0, height: float = 200.0) -> np.ndarray:
    xy = rng.uniform(0.0, 1.0, (NUM_KEYPOINTS, 2)) * (width, height)
    xy[0], xy[-1] = (0.0, 0.0), (width, height)  # box exactly width x height
    return xy


def test_sigmas_are_cocoeval_s_in_posenet_part_order():
    np.testing.assert_allclose(COCO_SIGMAS, COCOEVAL_SIGMAS, rtol=1e-15)
    assert PART_NAMES[KeypointId.LEFT_HIP] == 'leftHip'
    assert COCO_SIGMAS[KeypointId.LEFT_HIP] == 0.107


def test_identical_poses_score_one_and_far_poses_zero():
    xy = _pose(np.random.default_rng(0))[None]
    visible = np.ones((1, NUM_KEYPOINTS), bool)
    assert pose_similarity(xy, visible, xy, visible)[0, 0] == pytest.approx(1.0)
    assert pose_similarity(xy, visible, xy + 1000.0, visible)[0, 0] == pytest.approx(0.0)


def test_oks_follows_the_coco_formula():
    rng = np.random.default_rng(1)
    a = _pose(rng)
    b = a + rng.normal(0.0, 6.0, a.shape)
    visible = np.ones(NUM_KEYPOINTS, bool)
    visible[[3, 10]] = False
    area_a = 100.0 * 200.0
    area_b = np.prod(b[visible].max(axis=0) - b[visible].min(axis=0))
    area = max(area_a, area_b)
    # cocoeval computeOks: e = d^2 / vars / (area + eps) / 2, vars = (2 sigma)^2.
    d2 = ((a - b) ** 2).sum(axis=1)
    e = d2 / (2.0 * COCOEVAL_SIGMAS) ** 2 / area / 2.0
    expected = np.exp(-e)[visible].mean()
    got = pose_similarity(a[None], visible[None], b[None], visible[None])[0, 0]
    assert got == pytest.approx(expected, rel=1e-12)
    assert 0.3 < got < 0.99


def test_only_keypoints_visible_on_both_sides_count():
    rng = np.random.default_rng(2)
    a = _pose(rng)
    b = a.copy()
    b[5] += 80.0  # far off, but hidden on one side
    vis_a = np.ones(NUM_KEYPOINTS, bool)
    vis_b = vis_a.copy()
    vis_b[5] = False
    assert pose_similarity(a[None], vis_a[None], b[None], vis_b[None])[0, 0] == pytest.approx(1.0)
    assert pose_similarity(a[None], vis_a[None], b[None], vis_a[None])[0, 0] < 0.95


def test_matrix_is_tracks_by_detections():
    rng = np.random.default_rng(3)
    tracks = np.stack([_pose(rng) + (300.0 * k, 0.0) for k in range(3)])
    detections = tracks[[2, 0]] + 1.0
    similarity = pose_similarity(tracks, np.ones((3, 17), bool), detections,
                                 np.ones((2, 17), bool))
    assert similarity.shape == (3, 2)
    assert similarity.argmax(axis=0).tolist() == [2, 0]
    assert pose_similarity(tracks[:0], np.ones((0, 17), bool), detections,
                           np.ones((2, 17), bool)).shape == (0, 2)


def test_box_iou_is_used_when_too_few_keypoints_are_shared():
    a = np.zeros((NUM_KEYPOINTS, 2))
    b = np.zeros((NUM_KEYPOINTS, 2))
    vis_a = np.zeros(NUM_KEYPOINTS, bool)
    vis_b = np.zeros(NUM_KEYPOINTS, bool)
    # a: head box (0, 0)-(20, 20) from nose and eyes; b: a box shifted 10 px right, from
    # three other keypoints, so no keypoint is visible in both.
    a[[0, 1, 2]] = [(0, 0), (20, 0), (20, 20)]
    vis_a[[0, 1, 2]] = True
    b[[5, 6, 7]] = [(10, 0), (30, 0), (30, 20)]
    vis_b[[5, 6, 7]] = True
    got = pose_similarity(a[None], vis_a[None], b[None], vis_b[None])[0, 0]
    assert got == pytest.approx(200.0 / 600.0)
    assert MIN_SHARED_KEYPOINTS == 3


def test_box_iou_values():
    boxes_a = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0]])
    boxes_b = np.array([[5.0, 5.0, 15.0, 15.0], [20.0, 20.0, 30.0, 30.0],
                        [0.0, 0.0, 10.0, 10.0]])
    np.testing.assert_allclose(box_iou(boxes_a, boxes_b),
                               [[25.0 / 175.0, 0.0, 1.0], [0.0, 0.0, 0.0]])


def test_keypoint_boxes_use_visible_keypoints_or_all_when_fewer_than_two():
    xy = np.zeros((2, NUM_KEYPOINTS, 2))
    xy[:, :, 0] = np.arange(NUM_KEYPOINTS)
    xy[:, :, 1] = 2.0 * np.arange(NUM_KEYPOINTS)
    visible = np.zeros((2, NUM_KEYPOINTS), bool)
    visible[0, [3, 7]] = True
    visible[1, 4] = True
    np.testing.assert_array_equal(keypoint_boxes(xy, visible),
                                  [[3.0, 6.0, 7.0, 14.0], [0.0, 0.0, 16.0, 32.0]])


def test_larger_box_sets_the_scale_so_a_partial_detection_is_not_judged_harshly():
    rng = np.random.default_rng(4)
    full = _pose(rng)
    full[:5] = (40.0, 10.0) + rng.uniform(0.0, 20.0, (5, 2))  # head within 20 x 20 px
    head_only = np.zeros(NUM_KEYPOINTS, bool)
    head_only[:5] = True
    shifted = full + (4.0, 0.0)
    everything = np.ones(NUM_KEYPOINTS, bool)
    got = pose_similarity(full[None], everything[None], shifted[None], head_only[None])[0, 0]
    head_area = np.prod(shifted[:5].max(axis=0) - shifted[:5].min(axis=0))
    body_area = np.prod(full.max(axis=0) - full.min(axis=0))
    e_body = 16.0 / (2.0 * COCOEVAL_SIGMAS[:5]) ** 2 / body_area / 2.0
    e_head = 16.0 / (2.0 * COCOEVAL_SIGMAS[:5]) ** 2 / head_area / 2.0
    assert got == pytest.approx(np.exp(-e_body).mean(), rel=1e-12)
    assert got > 0.8 > 0.3 > np.exp(-e_head).mean()
