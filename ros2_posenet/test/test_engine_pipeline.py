"""PoseEngine end to end on real models: model info, poses in image pixels, flip, bad inputs."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet import (DecodeOptions, EngineConfig, InputError, InputTransform,
                                  Keypoint, KeypointId, ModelError, PART_NAMES, Pose,
                                  PoseArrays, PoseEngine)

QUANT_481 = 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'
QUANT_353 = 'posenet_mobilenet_v1_075_353_481_quant.tflite'
FLOAT_353 = 'posenet_mobilenet_v1_075_353x481_float32.tflite'
FLOAT_257 = 'posenet_mobilenet_v1_075_257x257_float32.tflite'
CONFIDENT = 0.5


@pytest.fixture(scope='module')
def engine_481(models_dir: Path):
    """Fixture: engine 481."""
    with PoseEngine(EngineConfig(str(models_dir / QUANT_481))) as engine:
        yield engine


def _points(pose) -> np.ndarray:
    return np.array([(kp.x, kp.y) for kp in pose.keypoints])


def _scores(pose) -> np.ndarray:
    return np.array([kp.score for kp in pose.keypoints])


def _assert_plausible_people(poses, image_shape, expected_people: int) -> None:
    height, width = image_shape[:2]
    people = [pose for pose in poses if pose.score >= 0.4]
    assert len(people) >= expected_people, [pose.score for pose in poses]
    for pose in people[:expected_people]:
        points, scores = _points(pose), _scores(pose)
        confident = scores >= CONFIDENT
        assert confident.sum() >= 10
        assert (points[confident, 0] > -5).all() and (points[confident, 0] < width + 5).all()
        assert (points[confident, 1] > -5).all() and (points[confident, 1] < height + 5).all()
        # Upright walkers: the nose is above the hips, the hips above the ankles.
        nose_y = points[KeypointId.NOSE, 1]
        hips_y = points[[KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP], 1].mean()
        ankles_y = points[[KeypointId.LEFT_ANKLE, KeypointId.RIGHT_ANKLE], 1].mean()
        assert nose_y < hips_y < ankles_y
    centroids = [_points(pose)[_scores(pose) >= CONFIDENT].mean(axis=0)
                 for pose in people[:expected_people]]
    if expected_people == 2:  # two different people, not one found twice
        assert np.linalg.norm(centroids[0] - centroids[1]) > 0.1 * width


@pytest.mark.parametrize('model,family,size,dtype', [
    (QUANT_481, 'coral_decoder', (481, 641), 'uint8'),
    (QUANT_353, 'coral_raw', (353, 481), 'uint8'),
    (FLOAT_257, 'tflite_official', (257, 257), 'float32'),
])
def test_model_info_describes_the_loaded_model(models_dir, model, family, size, dtype):
    """Model info describes the loaded model."""
    with PoseEngine(EngineConfig(str(models_dir / model))) as engine:
        info = engine.model_info
    assert info.family == family
    assert (info.input_height, info.input_width) == size
    assert info.input_dtype == dtype
    assert info.output_stride == 16
    assert info.delegate == 'cpu' and info.fallback_reason is None
    assert Path(info.path).name == model


@pytest.mark.parametrize('model', [QUANT_481, QUANT_353, FLOAT_353, FLOAT_257])
def test_every_family_finds_both_people(models_dir, couple_bgr, model):
    """Every family finds both people."""
    with PoseEngine(EngineConfig(str(models_dir / model))) as engine:
        result = engine.estimate(couple_bgr, 'bgr')
    _assert_plausible_people(result.poses, couple_bgr.shape, 2)
    assert all(pose.score >= DecodeOptions().min_pose_score for pose in result.poses)
    timings = result.timings
    assert timings.invoke_ms > 0 and timings.preprocess_ms > 0 and timings.decode_ms > 0
    assert timings.total_ms >= timings.invoke_ms + timings.decode_ms


def test_poses_are_in_source_image_pixels_whatever_the_image_size(engine_481, couple_bgr):
    """Poses are in source image pixels whatever the image size."""
    small = cv2.resize(couple_bgr, (640, 480), interpolation=cv2.INTER_AREA)
    large = cv2.resize(couple_bgr, (1280, 960), interpolation=cv2.INTER_LINEAR)
    options = DecodeOptions(max_detections=2)
    small_poses = engine_481.estimate(small, 'bgr', options).poses
    large_poses = engine_481.estimate(large, 'bgr', options).poses
    assert len(small_poses) == len(large_poses) == 2
    for small_pose in small_poses:
        # Same person in the large image: nearest by centroid.
        small_points = _points(small_pose)
        large_pose = min(large_poses, key=lambda p: np.linalg.norm(
            _points(p).mean(axis=0) / 2 - small_points.mean(axis=0)))
        confident = (_scores(small_pose) >= CONFIDENT) & (_scores(large_pose) >= CONFIDENT)
        error = np.linalg.norm(_points(large_pose)[confident] / 2 - small_points[confident],
                               axis=1)
        assert np.median(error) < 2.0, error


def test_letterbox_and_stretch_agree_in_image_pixels(engine_481, couple_bgr):
    """Letterbox and stretch agree in image pixels."""
    stretched = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(max_detections=2))
    boxed = engine_481.estimate(couple_bgr, 'bgr',
                                DecodeOptions(max_detections=2, keep_aspect_ratio=True))
    transform = boxed.transform
    assert transform.pad_x > 0 or transform.pad_y > 0 or (
        couple_bgr.shape[1] * 481 == couple_bgr.shape[0] * 641)
    assert len(boxed.poses) == 2
    for pose in stretched.poses:
        points = _points(pose)
        other = min(boxed.poses, key=lambda p: np.linalg.norm(
            _points(p).mean(axis=0) - points.mean(axis=0)))
        confident = (_scores(pose) >= CONFIDENT) & (_scores(other) >= CONFIDENT)
        error = np.linalg.norm(_points(other)[confident] - points[confident], axis=1)
        # The networks see differently resized people: agree to a few percent of the height.
        assert np.median(error) < 0.02 * couple_bgr.shape[0], error


def test_flip_horizontal_mirrors_x_and_keeps_labels_like_tfjs(engine_481, couple_bgr):
    """Flip horizontal mirrors x and keeps labels like tfjs."""
    plain = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions())
    flipped = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(flip_horizontal=True))
    width = couple_bgr.shape[1]
    assert len(plain.poses) == len(flipped.poses) >= 2
    for before, after in zip(plain.poses, flipped.poses):
        assert after.score == before.score
        for kp_before, kp_after in zip(before.keypoints, after.keypoints):
            assert kp_after.name == kp_before.name == PART_NAMES[kp_after.id]
            assert kp_after.x == pytest.approx(width - 1 - kp_before.x, abs=1e-9)
            assert kp_after.y == kp_before.y and kp_after.score == kp_before.score
    # The input is not mirrored: a person's left shoulder is still labelled leftShoulder and,
    # in the mirrored frame, lies on the other side of the right shoulder than before.
    pose = plain.poses[0]
    mirrored = flipped.poses[0]
    left, right = KeypointId.LEFT_SHOULDER, KeypointId.RIGHT_SHOULDER
    before = pose.keypoints[left].x - pose.keypoints[right].x
    after = mirrored.keypoints[left].x - mirrored.keypoints[right].x
    assert np.sign(before) == -np.sign(after) != 0


def test_single_mode_returns_one_pose_and_min_pose_score_drops_it(engine_481, couple_bgr):
    """Single mode returns one pose and min pose score drops it."""
    single = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(detection_mode='single'))
    assert len(single.poses) == 1
    assert single.poses[0].score > 0.3
    strict = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(detection_mode='single',
                                                                  min_pose_score=1.0))
    assert strict.poses == ()
    few = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(max_detections=1,
                                                               min_pose_score=0.0))
    assert len(few.poses) == 1


def test_bgr_and_rgb_inputs_give_identical_poses(engine_481, couple_bgr):
    """Bgr and rgb inputs give identical poses."""
    from_bgr = engine_481.estimate(couple_bgr, 'bgr').poses
    from_rgb = engine_481.estimate(np.ascontiguousarray(couple_bgr[..., ::-1]), 'rgb').poses
    assert from_bgr == from_rgb


def test_non_contiguous_image_gives_the_same_poses(engine_481, couple_bgr):
    """Non contiguous image gives the same poses."""
    padded = np.zeros((couple_bgr.shape[0], couple_bgr.shape[1] * 2, 3), np.uint8)
    padded[:, ::2] = couple_bgr
    view = padded[:, ::2]
    assert not view.flags.c_contiguous
    assert engine_481.estimate(view, 'bgr').poses == engine_481.estimate(couple_bgr, 'bgr').poses


@pytest.mark.parametrize('image,color_order,interpolation', [
    (np.zeros((10, 10), np.uint8), 'rgb', 'linear'),
    (np.zeros((10, 10, 4), np.uint8), 'rgb', 'linear'),
    (np.zeros((10, 10, 3), np.float32), 'rgb', 'linear'),
    (np.zeros((0, 10, 3), np.uint8), 'rgb', 'linear'),
    (np.zeros((10, 10, 3), np.uint8), 'yuv', 'linear'),
    (np.zeros((10, 10, 3), np.uint8), 'rgb', 'bicubic'),
])
def test_bad_inputs_raise_input_error_and_leave_the_engine_usable(
        engine_481, couple_bgr, image, color_order, interpolation):
    """Bad inputs raise input error and leave the engine usable."""
    with pytest.raises(InputError):
        engine_481.estimate(image, color_order, interpolation=interpolation)
    assert len(engine_481.estimate(couple_bgr, 'bgr').poses) >= 2


def test_options_of_the_wrong_type_raise_input_error(engine_481):
    """Options of the wrong type raise InputError."""
    with pytest.raises(InputError, match='DecodeOptions'):
        engine_481.estimate(np.zeros((10, 10, 3), np.uint8), 'rgb', {'detection_mode': 'single'})


def test_tiny_images_work(engine_481):
    """Tiny images work."""
    for shape in ((1, 1, 3), (1, 700, 3), (3, 2, 3)):
        result = engine_481.estimate(np.full(shape, 128, np.uint8), 'rgb',
                                     DecodeOptions(keep_aspect_ratio=True))
        for pose in result.poses:
            assert all(np.isfinite(kp.x) and np.isfinite(kp.y) for kp in pose.keypoints)


def test_closed_engine_raises_model_error(models_dir):
    """Closed engine raises model error."""
    engine = PoseEngine(EngineConfig(str(models_dir / QUANT_353)))
    engine.close()
    engine.close()  # idempotent
    with pytest.raises(ModelError, match='closed'):
        engine.estimate(np.zeros((10, 10, 3), np.uint8))


def test_missing_model_raises_model_error(tmp_path):
    """Missing model raises model error."""
    with pytest.raises(ModelError):
        PoseEngine(EngineConfig(str(tmp_path / 'missing.tflite')))


@pytest.mark.parametrize('flip', [False, True])
def test_mapping_poses_to_the_image_matches_the_transform_bit_for_bit(flip):
    """Mapped keypoints equal InputTransform.to_image of each point (and the mirror)."""
    transform = InputTransform(scale_x=640 / 481, scale_y=1.0, pad_x=0, pad_y=80,
                               image_width=640, image_height=321, content_width=481,
                               content_height=321)
    rng = np.random.default_rng(3)
    shared = tuple(Keypoint(i, name, *rng.uniform(-50, 500, 2).tolist(), 0.25)
                   for i, name in enumerate(PART_NAMES))
    other = Pose(0.7, tuple(Keypoint(k.id, k.name, k.x + 0.1, k.y, 0.75) if k.id % 2 else k
                            for k in shared))
    poses = [Pose(0.5, shared), other, Pose(0.25, shared)]
    mapped = transform.poses_to_image(PoseArrays.from_poses(poses), flip).to_poses()
    assert len(mapped) == 3
    for pose, image_pose in zip(poses, mapped):
        assert image_pose.score == pose.score
        for keypoint, image_keypoint in zip(pose.keypoints, image_pose.keypoints):
            x, y = transform.to_image(keypoint.x, keypoint.y)
            if flip:
                x = transform.image_width - 1 - x
            assert image_keypoint == Keypoint(keypoint.id, keypoint.name, x, y, keypoint.score)
            assert type(image_keypoint.x) is float and type(image_keypoint.y) is float


def test_result_arrays_and_poses_agree(engine_481, couple_bgr):
    """EstimateResult.poses are the arrays as objects; the arrays are in image pixels."""
    result = engine_481.estimate(couple_bgr, 'bgr')
    assert len(result.poses) == len(result.arrays) >= 2
    assert PoseArrays.from_poses(result.poses).keypoints_xy.tolist() == (
        result.arrays.keypoints_xy.tolist())
    assert result.poses is result.poses  # built once
    xy = result.arrays.keypoints_xy
    assert xy[..., 0].max() > couple_bgr.shape[1] * 0.5 and xy[..., 1].max() <= (
        couple_bgr.shape[0] + 10)


def test_single_mode_does_not_need_the_displacements(engine_481, couple_bgr):
    """Single mode decodes from outputs read without displacements; multi mode still works."""
    runner = engine_481._runner
    calls = []
    read_outputs = runner.outputs

    def spy(include_displacements=True):
        calls.append(include_displacements)
        return read_outputs(include_displacements)

    runner.outputs = spy
    try:
        single = engine_481.estimate(couple_bgr, 'bgr', DecodeOptions(detection_mode='single'))
        multi = engine_481.estimate(couple_bgr, 'bgr')
    finally:
        del runner.outputs
    assert calls == [False, True]
    assert len(single.poses) == 1 and len(multi.poses) >= 2
