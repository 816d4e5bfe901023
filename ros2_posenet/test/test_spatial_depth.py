"""3D keypoints and person positions from a synthetic depth image under real detections.

test_couple.jpg's two people are painted into a depth image at 2.4 m and 3.1 m over a 6 m
background, with 20 % holes (0 / NaN) and 1 cm noise; every measured keypoint must be within
5 cm of its person's depth and every torso centre within 10 cm, for millimetre (16UC1) and metre
(32FC1) depth, at the colour resolution and at half of it.
"""

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet import DecodeOptions, EngineConfig, PinholeCamera, PoseEngine
from ros2_posenet.posenet.spatial import (DepthOptions, depth_to_metres, lift_keypoints,
                                          person_positions, MonocularOptions, PositionSource)

MODEL = 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'
DISTANCES = (2.4, 3.1)
BACKGROUND_M = 6.0


@pytest.fixture(scope='module')
def couple_people(models_dir, couple_bgr):
    with PoseEngine(EngineConfig(str(models_dir / MODEL))) as engine:
        result = engine.estimate(couple_bgr, 'bgr', DecodeOptions(min_pose_score=0.3))
    people = result.arrays.select(np.argsort(-result.arrays.pose_scores)[:2])
    assert len(people) == 2
    return people


def _depth_scene(shape, people, scale: float, rng) -> np.ndarray:
    """Metres: each person's dilated keypoint hull at its distance, background, holes, noise."""
    height, width = round(shape[0] * scale), round(shape[1] * scale)
    depth = np.full((height, width), BACKGROUND_M, np.float64)
    order = np.argsort(DISTANCES)[::-1]  # far person first: the near one occludes it
    for index in order:
        visible = people.keypoint_scores[index] >= 0.3
        points = ((people.keypoints_xy[index][visible] + 0.5) * scale - 0.5).astype(np.float32)
        mask = np.zeros((height, width), np.uint8)
        cv2.fillConvexPoly(mask, cv2.convexHull(points).astype(np.int32), 1)
        mask = cv2.dilate(mask, np.ones((int(31 * scale) | 1,) * 2, np.uint8))
        depth[mask > 0] = DISTANCES[index]
    depth += rng.normal(0.0, 0.01, depth.shape)
    holes = rng.random(depth.shape) < 0.2
    depth[holes] = 0.0
    return depth


def _camera(shape) -> PinholeCamera:
    return PinholeCamera.from_calibration(600.0, 600.0, shape[1] / 2, shape[0] / 2, shape[1],
                                          shape[0], shape[1], shape[0], 'test')


@pytest.mark.parametrize('encoding', ['16UC1', '32FC1'])
@pytest.mark.parametrize('scale', [1.0, 0.5])
def test_keypoint_depths_and_torso_centres_are_measured(couple_people, couple_bgr, encoding,
                                                        scale):
    rng = np.random.default_rng(11)
    metres = _depth_scene(couple_bgr.shape, couple_people, scale, rng)
    if encoding == '16UC1':
        raw = np.round(metres * 1000.0).astype(np.uint16)
    else:
        raw = metres.astype(np.float32)
        raw[(raw == 0) & (rng.random(raw.shape) < 0.5)] = np.nan  # holes as NaN too
    camera = _camera(couple_bgr.shape)
    lifted = lift_keypoints(couple_people, depth_to_metres(raw, encoding), camera,
                            DepthOptions(window=5 if scale == 1.0 else 3))
    assert lifted.valid.sum(axis=1).min() >= 8  # most confident keypoints measured
    for index, distance in enumerate(DISTANCES):
        measured = lifted.xyz[index][lifted.valid[index]]
        assert np.abs(measured[:, 2] - distance).max() < 0.05
    positions = person_positions(couple_people, camera, MonocularOptions(), lifted)
    assert positions.source.tolist() == [PositionSource.DEPTH] * 2
    for index, distance in enumerate(DISTANCES):
        torso = couple_people.keypoints_xy[index][[5, 6, 11, 12]]
        expected = np.median(camera.pixels_to_points(torso, np.full(4, distance)), axis=0)
        assert np.linalg.norm(positions.xyz[index] - expected) < 0.10


def test_a_keypoint_in_a_hole_or_below_the_score_gets_no_position(couple_people, couple_bgr):
    camera = _camera(couple_bgr.shape)
    holes = np.full(couple_bgr.shape[:2], np.nan, np.float32)
    lifted = lift_keypoints(couple_people, holes, camera)
    assert not lifted.valid.any() and np.isnan(lifted.xyz).all()
    positions = person_positions(couple_people, camera, MonocularOptions(), lifted)
    assert all(source != PositionSource.DEPTH for source in positions.source)


def test_unsupported_depth_encodings_are_refused():
    from ros2_posenet.posenet import InputError
    with pytest.raises(InputError, match='16UC1'):
        depth_to_metres(np.zeros((2, 2), np.uint8), 'mono8')
    with pytest.raises(InputError, match='uint16'):
        depth_to_metres(np.zeros((2, 2), np.float32), '16UC1')
    assert np.isnan(depth_to_metres(np.zeros((2, 2), np.uint16), '16UC1')).all()


def test_ground_plane_distance_of_a_rendered_foot_pixel():
    """Camera 1.2 m up, pitched 0.1 rad down; a foot 3.0 m ahead on the floor -> 3.0 m (3 %)."""
    camera = PinholeCamera.from_calibration(525.0, 525.0, 319.5, 239.5, 640, 480, 640, 480, 'k')
    height, pitch, distance = 1.2, 0.1, 3.0
    # the floor point in the level frame (x right, y down, z forward) -> optical frame -> pixel
    level = np.array([0.3, height, distance])
    cos, sin = np.cos(pitch), np.sin(pitch)
    optical = np.array([level[0], cos * level[1] - sin * level[2],
                        sin * level[1] + cos * level[2]])
    foot = (camera.fx * optical[0] / optical[2] + camera.cx,
            camera.fy * optical[1] / optical[2] + camera.cy)
    xy = np.zeros((1, 17, 2))
    xy[0, :] = (320.0, 100.0)
    xy[0, 15] = xy[0, 16] = foot
    xy[0, 16, 1] -= 20.0  # the other ankle higher in the image: the lower one is used
    scores = np.zeros((1, 17))
    scores[0, 15:] = 0.9
    from ros2_posenet.posenet import PoseArrays
    positions = person_positions(PoseArrays(xy, scores, np.ones(1)), camera,
                                 MonocularOptions(camera_height=height, camera_pitch=pitch))
    assert positions.source.tolist() == [PositionSource.GROUND_PLANE]
    point = positions.xyz[0]
    ahead = -sin * point[1] + cos * point[2]  # the level frame's forward coordinate
    assert abs(ahead - distance) < 0.03 * distance
    assert np.allclose(point, optical, atol=1e-6)


def test_height_prior_without_ankles_and_nothing_without_a_torso():
    camera = PinholeCamera.from_calibration(500.0, 500.0, 320.0, 240.0, 640, 480, 640, 480, 'k')
    from ros2_posenet.posenet import PoseArrays
    xy = np.full((2, 17, 2), 300.0)
    trunk_px = 500.0 * 0.288 * 1.7 / 4.0  # a 1.7 m person 4 m away
    xy[0, [5, 6], 1] = 200.0
    xy[0, [11, 12], 1] = 200.0 + trunk_px
    scores = np.zeros((2, 17))
    scores[0, [5, 6, 11, 12]] = 0.9
    positions = person_positions(PoseArrays(xy, scores, np.ones(2)), camera, MonocularOptions())
    assert positions.source.tolist() == [PositionSource.HEIGHT_PRIOR, PositionSource.NONE]
    assert positions.xyz[0, 2] == pytest.approx(4.0, rel=1e-6)
    assert np.isnan(positions.xyz[1]).all()


def test_distortion_is_removed_before_back_projection():
    plain = PinholeCamera.from_calibration(500.0, 500.0, 320.0, 240.0, 640, 480, 640, 480, 'k')
    distorted = PinholeCamera.from_calibration(500.0, 500.0, 320.0, 240.0, 640, 480, 640, 480,
                                               'k', distortion=(-0.3, 0.1, 0.0, 0.0, 0.0))
    corner = np.array([[600.0, 450.0]])
    assert np.allclose(plain.pixels_to_points(corner, np.ones(1)),
                       [[(600 - 320) / 500, (450 - 240) / 500, 1.0]])
    undistorted = distorted.pixels_to_points(corner, np.ones(1))
    assert np.linalg.norm(undistorted[0, :2]) > np.linalg.norm(
        plain.pixels_to_points(corner, np.ones(1))[0, :2]) + 0.01  # barrel: rays spread out
    centre = np.array([[320.0, 240.0]])
    assert np.allclose(distorted.pixels_to_points(centre, np.ones(1)), [[0.0, 0.0, 1.0]])
