"""MoveNet's smart crop on hand-built poses: initial region, next region, filter, state."""

import numpy as np
import pytest

from ros2_posenet.posenet.decode.movenet import (
    CropRegion, CropRegionFilter, decode_movenet_keypoints, initial_crop_region,
    next_crop_region, SmartCrop, torso_visible)
from ros2_posenet.posenet.image.preprocess import crop_transform
from ros2_posenet.posenet.keypoints import KeypointId

WIDTH, HEIGHT = 640, 480


def _standing_person(centre_x: float = 320.0, hip_y: float = 300.0,
                     score: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Return a 17-keypoint pose: hips 40 px apart, shoulders 100 px above them, feet 150 below."""
    xy = np.full((17, 2), (centre_x, hip_y))
    xy[KeypointId.LEFT_HIP] = (centre_x + 20, hip_y)
    xy[KeypointId.RIGHT_HIP] = (centre_x - 20, hip_y)
    xy[KeypointId.LEFT_SHOULDER] = (centre_x + 30, hip_y - 100)
    xy[KeypointId.RIGHT_SHOULDER] = (centre_x - 30, hip_y - 100)
    xy[KeypointId.NOSE] = (centre_x, hip_y - 140)
    xy[KeypointId.LEFT_ANKLE] = (centre_x + 20, hip_y + 150)
    xy[KeypointId.RIGHT_ANKLE] = (centre_x - 20, hip_y + 150)
    xy -= 0.5  # the pose above is in TF.js's corner frame; keypoints come in pixel centres
    return xy, np.full(17, score)


def test_initial_region_is_the_whole_image_padded_to_a_centred_square():
    assert initial_crop_region(640, 480) == CropRegion(0.0, -80.0, 640.0, 640.0)
    assert initial_crop_region(300, 500) == CropRegion(-100.0, 0.0, 500.0, 500.0)
    assert initial_crop_region(7, 7) == CropRegion(0.0, 0.0, 7.0, 7.0)


def test_next_region_centres_on_the_hips_and_covers_the_body():
    xy, scores = _standing_person()
    region = next_crop_region(xy, scores, WIDTH, HEIGHT)
    # torso: 100 px from the mid-hip point vertically -> 190; body: ankles/nose 150 -> 180
    assert region.width == pytest.approx(190.0 * 2) and region.height == region.width
    assert region.left + region.width / 2 == pytest.approx(320.0)
    assert region.top + region.height / 2 == pytest.approx(300.0)


def test_the_body_extent_wins_when_it_is_larger():
    xy, scores = _standing_person()
    xy[KeypointId.LEFT_WRIST] = (320 + 200 - 0.5, 300 - 0.5)  # an arm stretched out 200 px
    region = next_crop_region(xy, scores, WIDTH, HEIGHT)
    assert region.width == pytest.approx(2 * 200 * 1.2)


def test_low_scoring_keypoints_do_not_widen_the_body():
    xy, scores = _standing_person()
    xy[KeypointId.LEFT_WRIST] = (600.0, 300.0)
    scores[KeypointId.LEFT_WRIST] = 0.19
    assert next_crop_region(xy, scores, WIDTH, HEIGHT).width == pytest.approx(380.0)


def test_a_hidden_torso_falls_back_to_the_whole_image():
    xy, scores = _standing_person()
    scores[[KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP]] = 0.2  # not above 0.2
    assert not torso_visible(scores)
    assert next_crop_region(xy, scores, WIDTH, HEIGHT) == initial_crop_region(WIDTH, HEIGHT)
    scores[KeypointId.RIGHT_HIP] = 0.21
    assert torso_visible(scores)


def test_a_region_beyond_half_the_image_falls_back_to_the_whole_image():
    xy, scores = _standing_person(centre_x=100.0)
    xy[KeypointId.LEFT_WRIST, 0] = 100 + 300  # 300 px * 1.2 = 360, clamped to 540: > 320
    assert next_crop_region(xy, scores, WIDTH, HEIGHT) == initial_crop_region(WIDTH, HEIGHT)
    xy, scores = _standing_person()
    xy[KeypointId.LEFT_ANKLE, 1] = 300 + 290  # 348 clamped to 320 (the farthest border)
    assert next_crop_region(xy, scores, WIDTH, HEIGHT).width == pytest.approx(640.0)


def test_the_half_side_is_clamped_to_the_farthest_border():
    xy, scores = _standing_person(centre_x=100.0, hip_y=100.0)
    xy *= 0.5  # a smaller image: 200 x 150 with the person near the top-left corner
    region = next_crop_region(xy, scores, 200, 150)
    centre = 50.0
    assert region.width / 2 <= max(centre, 200 - centre) + 1e-9


def test_a_degenerate_pose_falls_back_to_the_whole_image():
    xy = np.full((17, 2), 100.0)
    assert next_crop_region(xy, np.full(17, 0.9), WIDTH, HEIGHT) == initial_crop_region(
        WIDTH, HEIGHT)


def test_the_filter_moves_each_border_nine_tenths_of_the_way():
    region_filter = CropRegionFilter()
    first = region_filter.apply(CropRegion(0.0, 0.0, 100.0, 100.0))
    assert first == CropRegion(0.0, 0.0, 100.0, 100.0)
    second = region_filter.apply(CropRegion(10.0, 20.0, 200.0, 200.0))
    assert (second.left, second.top) == pytest.approx((9.0, 18.0))
    assert (second.right, second.bottom) == pytest.approx((0.1 * 100 + 0.9 * 210,
                                                           0.1 * 100 + 0.9 * 220))
    region_filter.reset()
    assert region_filter.apply(CropRegion(5.0, 5.0, 10.0, 10.0)) == CropRegion(
        5.0, 5.0, 10.0, 10.0)


def test_smart_crop_carries_the_region_and_resets():
    crop = SmartCrop()
    region, carried = crop.region_for(WIDTH, HEIGHT)
    assert (region, carried) == (initial_crop_region(WIDTH, HEIGHT), False)
    xy, scores = _standing_person()
    crop.update(xy, scores, 0.9)
    region, carried = crop.region_for(WIDTH, HEIGHT)
    assert carried and region.width == pytest.approx(380.0)
    assert crop.continues(xy + 3.0, scores)  # the same person a few pixels on
    assert not crop.continues(xy + 200.0, scores)  # someone else
    hidden = scores.copy()
    hidden[[KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP]] = 0.0
    assert not crop.continues(xy, hidden)
    # another image size is another stream
    assert crop.region_for(WIDTH + 1, HEIGHT) == (initial_crop_region(WIDTH + 1, HEIGHT), False)
    crop.update(*_standing_person(), 0.9)
    crop.update(*_standing_person(), 0.0)  # the person is lost: TF.js resets
    assert crop.region_for(WIDTH + 1, HEIGHT)[1] is False
    crop.update(*_standing_person(), 0.9)
    crop.reset()
    assert crop.region_for(WIDTH + 1, HEIGHT)[1] is False


def test_keypoints_map_from_normalised_crop_to_source_pixels():
    raw = np.zeros((17, 3), np.float32)
    raw[:, 0] = 0.25  # y
    raw[:, 1] = 0.5   # x
    raw[:, 2] = np.linspace(0.0, 0.8, 17)
    pose = decode_movenet_keypoints(raw, 192, 192)
    assert pose.keypoints_xy[0, 0] == pytest.approx((0.5 * 192 - 0.5, 0.25 * 192 - 0.5))
    found = raw[:, 2].astype(np.float64) > 0.2  # float32 scores compared as doubles (TF.js)
    assert pose.pose_scores[0] == pytest.approx(raw[found, 2].mean())
    assert decode_movenet_keypoints(np.zeros((17, 3)), 192, 192).pose_scores[0] == 0.0
    # through a crop of side 300 whose top-left corner is at (-10, 40) in the image
    transform = crop_transform(640, 480, 192, 192, -10.0, 40.0, 300.0, 300.0)
    image = transform.poses_to_image(pose)
    assert image.keypoints_xy[0, 0] == pytest.approx((-10.0 + 0.5 * 300 - 0.5,
                                                      40.0 + 0.25 * 300 - 0.5))
