"""Validation of DecodeOptions (and of EngineConfig as the engine sees it)."""

import math

import numpy as np
import pytest

from ros2_posenet.posenet import (DecodeOptions, DELEGATES, DETECTION_MODES, EngineConfig,
                                  InputError, NMS_RADIUS_RANGE)


def test_defaults_match_the_contract():
    """Defaults match the contract."""
    options = DecodeOptions()
    assert options.detection_mode == 'multi'
    assert (options.max_detections, options.score_threshold, options.nms_radius) == (
        10, 0.5, 20.0)
    assert options.min_pose_score == 0.25
    assert not options.flip_horizontal and options.keep_aspect_ratio == 'auto'
    assert options.decoder_refinement == 'tfjs'


def test_valid_edge_values_are_accepted():
    """Valid edge values are accepted."""
    low = DecodeOptions(detection_mode='single', max_detections=1, score_threshold=0.0,
                        min_pose_score=1, nms_radius=NMS_RADIUS_RANGE[0],
                        flip_horizontal=True, keep_aspect_ratio=True)
    assert (low.max_detections, low.score_threshold, low.min_pose_score, low.nms_radius) == (
        1, 0.0, 1, 0.5)
    high = DecodeOptions(max_detections=np.int64(100), score_threshold=np.float32(0.3),
                         nms_radius=NMS_RADIUS_RANGE[1])
    assert (high.max_detections, high.nms_radius) == (100, 1000.0)


@pytest.mark.parametrize('field,value,message', [
    ('detection_mode', 'multi-person', "'single', 'multi'"),
    ('detection_mode', None, 'detection_mode'),
    ('max_detections', 0, 'max_detections'),
    ('max_detections', 101, r'\[1, 100\]'),
    ('max_detections', 2.0, 'integer'),
    ('max_detections', True, 'integer'),
    ('score_threshold', -0.1, 'score_threshold'),
    ('score_threshold', 1.5, r'\[0.0, 1.0\]'),
    ('score_threshold', math.nan, 'score_threshold'),
    ('min_pose_score', '0.5', 'min_pose_score'),
    ('nms_radius', 0.4, r'\[0.5, 1000.0\]'),
    ('nms_radius', 0, 'nms_radius'),
    ('nms_radius', -5.0, 'nms_radius'),
    ('nms_radius', math.inf, 'nms_radius'),
    ('nms_radius', math.nan, 'nms_radius'),
    ('flip_horizontal', 1, 'flip_horizontal'),
    ('keep_aspect_ratio', 'yes', 'keep_aspect_ratio'),
    ('decoder_refinement', 'coral', "'tfjs', 'accurate'"),
])
def test_bad_values_raise_input_error_naming_the_field(field, value, message):
    """Bad values raise input error naming the field."""
    with pytest.raises(InputError, match=message):
        DecodeOptions(**{field: value})


def test_the_error_names_the_allowed_modes():
    """The error names the allowed modes."""
    with pytest.raises(ValueError) as caught:
        DecodeOptions(detection_mode='all')
    for mode in DETECTION_MODES:
        assert mode in str(caught.value)


def test_options_are_frozen():
    """Options are frozen."""
    options = DecodeOptions()
    with pytest.raises(AttributeError):
        options.max_detections = 3


@pytest.mark.parametrize('kwargs,message', [
    ({'model_path': ''}, 'model_path'),
    ({'model_path': 'x.tflite', 'delegate': 'tpu'}, 'delegate'),
    ({'model_path': 'x.tflite', 'num_threads': 0}, 'num_threads'),
    ({'model_path': 'x.tflite', 'delegate_fallback': 'no'}, 'delegate_fallback'),
])
def test_engine_config_rejects_bad_values(kwargs, message):
    """Engine config rejects bad values."""
    with pytest.raises(InputError, match=message):
        EngineConfig(**kwargs)


def test_engine_config_accepts_every_delegate():
    """Engine config accepts every delegate."""
    for delegate in DELEGATES:
        assert EngineConfig('x.tflite', delegate=delegate).delegate == delegate
