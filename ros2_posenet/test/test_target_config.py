"""Parameter table of person_target: descriptors, ranges from the core, the shipped YAML."""

from dataclasses import fields
from pathlib import Path

import pytest

pytest.importorskip('rclpy')
import yaml  # noqa: E402

from ros2_posenet.posenet.following import POLICIES, SELECTOR_LIMITS  # noqa: E402
from ros2_posenet.target_config import PARAMETERS, SPECS, TargetConfig  # noqa: E402

CONFIG_FILE = Path(__file__).resolve().parents[1] / 'config' / 'person_target.yaml'


def test_yaml_lists_every_parameter_with_its_default():
    document = yaml.safe_load(CONFIG_FILE.read_text())
    assert list(document) == ['/**/person_target']
    values = document['/**/person_target']['ros__parameters']
    assert sorted(values) == sorted(SPECS)
    for name, value in values.items():
        assert type(value) is type(SPECS[name].default), name
        assert value == SPECS[name].default, name
    assert TargetConfig.from_values(values) == TargetConfig()


def test_fields_are_the_parameters_and_ranges_come_from_the_core():
    assert [f.name for f in fields(TargetConfig)] == [spec.name for spec in PARAMETERS]
    for name, limits in SELECTOR_LIMITS.items():
        assert SPECS[name].value_range == limits
        ranges = SPECS[name].descriptor().floating_point_range
        assert (ranges[0].from_value, ranges[0].to_value) == pytest.approx(limits)
    assert SPECS['policy'].choices == POLICIES
    locked = SPECS['locked_id'].descriptor().integer_range[0]
    assert (locked.from_value, locked.to_value) == (0, 2**32 - 1)
    assert SPECS['autostart'].descriptor().read_only
    assert not SPECS['locked_id'].descriptor().read_only


@pytest.mark.parametrize('values, message', [
    ({'policy': 'tallest'}, 'policy must be one of'),
    ({'switch_margin': 11.0}, 'switch_margin must be in'),
    ({'target_timeout': -1.0}, 'target_timeout must be in'),
    ({'locked_id': -3}, 'locked_id must be in'),
    ({'target_frame': ''}, 'target_frame'),
    ({'target_frame': '/target'}, 'target_frame'),
    ({'target_frame': 'my target'}, 'target_frame'),
    ({'publish_person_frames': 1}, 'must be of type bool'),
    ({'colour': 'red'}, 'unknown parameters'),
])
def test_bad_values_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        TargetConfig.from_values(values)


def test_changes_apply_except_startup_ones():
    config = TargetConfig().with_changes({'policy': 'oldest', 'switch_time': 2,
                                          'use_sim_time': True}, 'active')
    assert (config.policy, config.switch_time) == ('oldest', 2.0)
    assert config.selector_config.policy == 'oldest'
    assert config.with_changes({'autostart': True}, 'active') == config
    with pytest.raises(ValueError, match='read only'):
        config.with_changes({'autostart': False}, 'active')
