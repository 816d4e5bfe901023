"""Parameter table, descriptors and NodeConfig validation of the posenet node (no process)."""

from dataclasses import fields
from pathlib import Path

import pytest

pytest.importorskip('rclpy')
from rcl_interfaces.msg import ParameterType  # noqa: E402
from rclpy.qos import ReliabilityPolicy  # noqa: E402
import yaml  # noqa: E402

from ros2_posenet.node_config import APPLIED_AT, NodeConfig, PARAMETERS, SPECS  # noqa: E402
from ros2_posenet.posenet import (DecodeOptions, DEFAULT_MODEL,  # noqa: E402
                                  MAX_DETECTIONS_RANGE, NMS_RADIUS_RANGE, SCORE_RANGE)

CONFIG_FILE = Path(__file__).resolve().parents[1] / 'config' / 'posenet.yaml'


def _yaml_parameters() -> dict:
    document = yaml.safe_load(CONFIG_FILE.read_text())
    assert list(document) == ['/**/posenet']
    return document['/**/posenet']['ros__parameters']


def test_config_fields_are_the_parameter_table():
    assert [field.name for field in fields(NodeConfig)] == [spec.name for spec in PARAMETERS]
    assert all(spec.applied in APPLIED_AT for spec in PARAMETERS)


def test_yaml_lists_every_parameter_with_its_default():
    values = _yaml_parameters()
    assert sorted(values) == sorted(SPECS)
    for name, value in values.items():
        default = SPECS[name].default
        assert type(value) is type(default), f'{name}: YAML type differs from the declared one'
        assert value == default, f'{name}: YAML {value!r} != default {default!r}'
    assert NodeConfig.from_values(values) == NodeConfig()


def test_default_model_exists_in_the_data(models_dir):
    assert (models_dir / DEFAULT_MODEL).is_file()


def test_descriptors_carry_type_range_and_read_only():
    for spec in PARAMETERS:
        descriptor = spec.descriptor()
        assert descriptor.name == spec.name
        assert descriptor.description
        assert descriptor.read_only == (spec.applied == 'startup')
        assert descriptor.type != ParameterType.PARAMETER_NOT_SET
        if spec.value_range is not None:
            ranges = descriptor.integer_range or descriptor.floating_point_range
            assert len(ranges) == 1
            assert (ranges[0].from_value, ranges[0].to_value) == pytest.approx(spec.value_range)
        if spec.choices:
            assert all(choice in descriptor.additional_constraints for choice in spec.choices)
    assert SPECS['score_threshold'].descriptor().floating_point_range
    assert SPECS['max_detections'].descriptor().integer_range


@pytest.mark.parametrize('name, value', [
    ('detection_mode', 'many'),
    ('delegate', 'tpu'),
    ('input_transport', 'theora'),
    ('image_qos_reliability', 'sometimes'),
    ('score_threshold', 1.5),
    ('max_detections', 0),
    ('num_threads', 0),
    ('marker_depth', 0.0),
    ('delegate_device', 'usb:x'),
    ('model_path', ' '),
    ('publish_markers', 1),
])
def test_bad_values_are_rejected_naming_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        NodeConfig.from_values({name: value})


def test_unknown_parameter_is_rejected():
    with pytest.raises(ValueError, match='unknown'):
        NodeConfig.from_values({'score_treshold': 0.3})


def test_integer_is_accepted_for_a_double():
    assert NodeConfig.from_values({'marker_depth': 3}).marker_depth == 3.0


def test_engine_and_decode_options_follow_the_config():
    config = NodeConfig.from_values({
        'model_path': 'x.tflite', 'num_threads': 3, 'detection_mode': 'single',
        'max_detections': 4, 'score_threshold': 0.3, 'nms_radius': 12.0,
        'min_pose_score': 0.1, 'min_keypoint_score': 0.2, 'flip_horizontal': True,
        'keep_aspect_ratio': 'true', 'decoder_refinement': 'accurate'})
    engine = config.engine_config
    assert (engine.model_path, engine.num_threads, engine.delegate) == ('x.tflite', 3, 'cpu')
    assert config.decode_options == DecodeOptions(
        detection_mode='single', max_detections=4, score_threshold=0.3, nms_radius=12.0,
        min_pose_score=0.1, flip_horizontal=True, keep_aspect_ratio=True,
        decoder_refinement='accurate')
    assert config.decode_options is config.decode_options  # built once per config
    assert config.marker_options.min_keypoint_score == 0.2


def test_engine_limits_are_the_parameter_ranges():
    assert SPECS['max_detections'].value_range == MAX_DETECTIONS_RANGE
    assert SPECS['nms_radius'].value_range == NMS_RADIUS_RANGE
    for name in ('score_threshold', 'min_pose_score', 'min_keypoint_score'):
        assert SPECS[name].value_range == SCORE_RANGE


def test_yaml_comments_state_each_range_of_the_table():
    lines = {line.split(':')[0].strip(): line for line in CONFIG_FILE.read_text().splitlines()
             if ':' in line and not line.lstrip().startswith('#')}
    for spec in PARAMETERS:
        if spec.value_range is not None:
            low, high = spec.value_range
            assert f'[{low}, {high}]' in lines[spec.name], spec.name


def test_topic_and_qos_follow_transport_and_reliability():
    default = NodeConfig()
    assert default.image_topic == 'image'
    assert default.image_qos().reliability == ReliabilityPolicy.BEST_EFFORT
    assert default.image_qos().depth == 5
    config = NodeConfig.from_values({'input_transport': 'compressed',
                                     'image_qos_reliability': 'reliable', 'image_qos_depth': 1})
    assert config.image_topic == 'image/compressed'
    assert config.image_qos().reliability == ReliabilityPolicy.RELIABLE
    assert config.image_qos().depth == 1


def test_runtime_changes_apply_in_any_state():
    config = NodeConfig()
    changed = config.with_changes({'score_threshold': 0.3, 'use_sim_time': True}, 'active')
    assert changed.score_threshold == 0.3
    assert config.score_threshold == 0.5


def test_configure_changes_only_while_unconfigured():
    config = NodeConfig()
    with pytest.raises(ValueError, match='model_path is applied at configure.*active'):
        config.with_changes({'model_path': 'other.tflite'}, 'active')
    with pytest.raises(ValueError, match='delegate is applied at configure.*inactive'):
        config.with_changes({'delegate': 'edgetpu'}, 'inactive')
    # Setting the current value again is harmless.
    assert config.with_changes({'model_path': DEFAULT_MODEL}, 'active') == config
    assert config.with_changes({'delegate': 'gpu'}, 'unconfigured').delegate == 'gpu'


def test_startup_parameters_are_read_only():
    with pytest.raises(ValueError, match='autostart is read only'):
        NodeConfig().with_changes({'autostart': False}, 'unconfigured')


def test_bad_runtime_change_is_rejected_with_the_reason():
    with pytest.raises(ValueError, match='detection_mode must be one of'):
        NodeConfig().with_changes({'detection_mode': 'all'}, 'active')


def test_rgbd_example_parameters_are_valid_and_use_depth():
    rgbd = CONFIG_FILE.parent / 'posenet_rgbd.yaml'
    config = NodeConfig.from_parameters(rgbd)
    assert config.use_depth and config.depth_slop == 0.02
    lines = [line for line in rgbd.read_text().splitlines()
             if ':' in line and not line.lstrip().startswith('#') and '[' in line]
    for line in lines:
        name = line.split(':')[0].strip()
        spec = SPECS[name]
        if spec.value_range is not None:
            assert f'[{spec.value_range[0]}, {spec.value_range[1]}]' in line, name


def test_parameters_file_and_overrides_build_the_config_the_node_would(tmp_path):
    params = tmp_path / 'p.yaml'
    params.write_text('/**/posenet:\n  ros__parameters:\n    max_detections: 3\n')
    config = NodeConfig.from_parameters(params, ['score_threshold:=0.25', 'tracking:=false'])
    assert (config.max_detections, config.score_threshold, config.tracking) == (3, 0.25, False)
    with pytest.raises(ValueError, match='NAME:=VALUE'):
        NodeConfig.from_parameters(None, ['max_detections'])
    with pytest.raises(ValueError, match='unknown parameters'):
        NodeConfig.from_parameters(None, ['no_such_parameter:=1'])
    with pytest.raises(ValueError, match='depth_window'):
        NodeConfig.from_parameters(None, ['depth_window:=4'])  # must be odd


def test_every_decode_option_is_a_node_parameter():
    from dataclasses import fields as dataclass_fields
    assert {option.name for option in dataclass_fields(DecodeOptions)} <= set(SPECS)
