"""MoveNet SinglePose through the engine and posenet_estimate (real model, real images)."""

import json
import shutil

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet import (DecodeOptions, EngineConfig, InputError, ModelError,
                                  PoseEngine)
from ros2_posenet.posenet.decode.movenet import initial_crop_region
from ros2_posenet.posenet.model.layout import identify_layout
from ros2_posenet.posenet.tracking.similarity import COCO_SIGMAS
from ros2_posenet.tools.estimate import EXIT_OK, EXIT_SETUP_FAILED, main

MOVENET = 'movenet_singlepose_lightning_int8.tflite'
SINGLE = DecodeOptions(detection_mode='single', min_pose_score=0.0)
ONE_PERSON_IMAGE = 'coco_000000000785.jpg'  # annotation id 1: 17 labelled keypoints


@pytest.fixture(scope='module')
def movenet(models_dir):
    with PoseEngine(EngineConfig(str(models_dir / MOVENET))) as engine:
        yield engine


@pytest.fixture(scope='module')
def video_frames(data_dir):
    capture = cv2.VideoCapture(str(data_dir / 'video' / 'tfjs_pose_1.mp4'))
    frames = []
    while len(frames) < 20:
        ok, frame = capture.read()
        assert ok, 'cannot read video/tfjs_pose_1.mp4'
        frames.append(frame)
    return frames


def _ground_truth(data_dir, file_name: str) -> tuple[np.ndarray, np.ndarray, float]:
    document = json.loads((data_dir / 'annotated' / 'person_keypoints.json').read_text())
    image = next(i for i in document['images'] if i['file_name'].endswith(file_name))
    annotation = next(a for a in document['annotations'] if a['image_id'] == image['id']
                      and a['num_keypoints'] > 0)
    keypoints = np.array(annotation['keypoints'], dtype=np.float64).reshape(17, 3)
    return keypoints[:, :2], keypoints[:, 2] > 0, float(annotation['area'])


def _oks(xy: np.ndarray, truth: np.ndarray, visible: np.ndarray, area: float) -> float:
    squared = ((xy - truth) ** 2).sum(axis=1)
    return float(np.exp(-squared / (2 * area * (2 * COCO_SIGMAS) ** 2))[visible].mean())


def test_movenet_is_recognised_from_its_tensors_not_its_name(models_dir, tmp_path):
    disguised = tmp_path / 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'
    shutil.copyfile(models_dir / MOVENET, disguised)
    with PoseEngine(EngineConfig(str(disguised))) as engine:
        info = engine.model_info
    assert (info.family, info.input_width, info.input_height) == ('movenet_singlepose', 192, 192)
    assert info.input_dtype == 'uint8' and info.output_stride == 0


def test_layout_wants_one_square_image_and_one_keypoint_output():
    image = [{'index': 0, 'name': 'input', 'shape': np.array([1, 192, 192, 3]),
              'dtype': np.uint8, 'quantization': (0.0, 0)}]
    output = [{'index': 1, 'name': 'StatefulPartitionedCall:0',
               'shape': np.array([1, 1, 17, 3]), 'dtype': np.float32,
               'quantization': (0.0, 0)}]
    layout, binding = identify_layout('m.tflite', image, output)
    assert layout.is_movenet and binding.tensor.index == 1
    wide = [dict(image[0], shape=np.array([1, 192, 256, 3]))]
    with pytest.raises(ModelError, match='not square'):
        identify_layout('m.tflite', wide, output)
    with pytest.raises(ModelError, match='MoveNet'):  # the expectation names the family
        identify_layout('m.tflite', image, [dict(output[0], shape=np.array([1, 6, 56]))])


def test_multi_mode_is_a_configuration_error_naming_the_fix(movenet, couple_bgr):
    for check in (lambda: movenet.check_options(DecodeOptions()),
                  lambda: movenet.estimate(couple_bgr, 'bgr', DecodeOptions())):
        with pytest.raises(InputError, match="MoveNet SinglePose.*detection_mode to 'single'"):
            check()


def test_single_person_pose_matches_the_annotation(movenet, data_dir):
    image = cv2.imread(str(data_dir / 'annotated' / 'images' / ONE_PERSON_IMAGE))
    truth, visible, area = _ground_truth(data_dir, ONE_PERSON_IMAGE)
    movenet.reset()
    first = movenet.estimate(image, 'bgr', SINGLE)
    assert first.transform.origin_y == pytest.approx(-(640 - 425) / 2)  # the padded square
    second = movenet.estimate(image, 'bgr', SINGLE)  # now on the crop around the person
    assert second.transform.scale_x < first.transform.scale_x
    for result in (first, second):
        assert len(result.poses) == 1
        assert _oks(result.arrays.keypoints_xy[0], truth, visible, area) > 0.7
        assert 0.3 < result.poses[0].score <= 1.0
    movenet.reset()
    again = movenet.estimate(image, 'bgr', SINGLE)
    np.testing.assert_array_equal(again.arrays.keypoints_xy, first.arrays.keypoints_xy)


def test_flip_and_min_pose_score_apply(movenet, data_dir):
    image = cv2.imread(str(data_dir / 'annotated' / 'images' / ONE_PERSON_IMAGE))
    movenet.reset()
    plain = movenet.estimate(image, 'bgr', SINGLE)
    movenet.reset()
    flipped = movenet.estimate(image, 'bgr', DecodeOptions(detection_mode='single',
                                                           flip_horizontal=True))
    np.testing.assert_allclose(flipped.arrays.keypoints_xy[..., 0],
                               image.shape[1] - 1 - plain.arrays.keypoints_xy[..., 0])
    movenet.reset()
    assert not movenet.estimate(image, 'bgr', DecodeOptions(detection_mode='single',
                                                            min_pose_score=1.0)).poses


def test_an_unrelated_image_after_video_frames_is_estimated_on_the_whole_image(
        models_dir, data_dir, video_frames):
    with PoseEngine(EngineConfig(str(models_dir / MOVENET))) as streaming, \
            PoseEngine(EngineConfig(str(models_dir / MOVENET))) as fresh:
        for frame in video_frames:
            carried = streaming.estimate(frame, 'bgr', SINGLE)
        assert carried.transform.scale_x < 576 / 192  # it was following the dancer
        size = video_frames[0].shape[1::-1]
        for name in ('coco_000000040083.jpg', 'coco_000000197388.jpg', 'ochuman_003799.jpg'):
            photo = cv2.resize(cv2.imread(str(data_dir / 'annotated' / 'images' / name)), size)
            for frame in video_frames[-3:]:
                streaming.estimate(frame, 'bgr', SINGLE)
            stale = streaming.estimate(photo, 'bgr', SINGLE)
            fresh.reset()
            expected = fresh.estimate(photo, 'bgr', SINGLE)
            np.testing.assert_array_equal(stale.arrays.keypoints_xy,
                                          expected.arrays.keypoints_xy, err_msg=name)
            region = initial_crop_region(*size)
            assert (stale.transform.origin_x, stale.transform.origin_y) == (region.left,
                                                                            region.top)


def test_posenet_estimate_runs_movenet_in_single_mode_and_refuses_multi(
        data_dir, models_dir, tmp_path, capsys):
    image = data_dir / 'annotated' / 'images' / ONE_PERSON_IMAGE
    status = main([str(image), '--model', str(models_dir / MOVENET), '--mode', 'single',
                   '--output-dir', str(tmp_path), '--no-annotate'])
    assert status == EXIT_OK
    poses = json.loads((tmp_path / 'coco_000000000785.json').read_text())
    assert len(poses) == 1 and len(poses[0]['keypoints']) == 17
    assert 'movenet_singlepose' in capsys.readouterr().out
    status = main([str(image), '--model', str(models_dir / MOVENET), '--mode', 'multi',
                   '--output-dir', str(tmp_path / 'multi')])
    assert status == EXIT_SETUP_FAILED
    assert "detection_mode to 'single'" in capsys.readouterr().err
