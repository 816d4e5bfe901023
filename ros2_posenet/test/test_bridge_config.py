"""pose_bridge parameters: declared once from BridgeNodeConfig, shipped YAML in step with it."""

from pathlib import Path

import pytest

pytest.importorskip('rclpy')
import yaml  # noqa: E402

from ros2_posenet.bridge_config import BridgeNodeConfig, PARAMETERS, SPECS  # noqa: E402
from ros2_posenet.posenet.serialization import OSC_FORMATS  # noqa: E402

CONFIG_FILE = Path(__file__).resolve().parents[1] / 'config' / 'pose_bridge.yaml'


def _yaml() -> dict:
    document = yaml.safe_load(CONFIG_FILE.read_text())
    return document['/**/pose_bridge']['ros__parameters']


def test_yaml_lists_every_parameter_with_its_default():
    values = _yaml()
    assert list(values) == [spec.name for spec in PARAMETERS]
    for spec in PARAMETERS:
        assert values[spec.name] == spec.default and type(values[spec.name]) is type(
            spec.default), spec.name
    assert BridgeNodeConfig.from_values(values) == BridgeNodeConfig()


def test_yaml_comments_state_ranges_and_when_applied():
    lines = {line.split(':')[0].strip(): line for line in CONFIG_FILE.read_text().splitlines()
             if ':' in line and not line.lstrip().startswith('#')}
    for spec in PARAMETERS:
        assert f'[{spec.applied}]' in lines[spec.name], spec.name
        if spec.value_range is not None:
            low, high = spec.value_range
            assert f'[{low}, {high}]' in lines[spec.name], spec.name


def test_descriptors_carry_ranges_and_read_only():
    port = SPECS['osc_port'].descriptor()
    assert port.read_only and port.integer_range[0].to_value == 65535
    assert not SPECS['osc_format'].descriptor().read_only
    assert 'individual' in SPECS['osc_format'].descriptor().additional_constraints


def test_bad_values_are_refused_with_the_allowed_set():
    with pytest.raises(ValueError, match='osc_format must be one of'):
        BridgeNodeConfig(osc_format='bundle')
    with pytest.raises(ValueError, match=r'osc_port must be in \[1, 65535\]'):
        BridgeNodeConfig(osc_port=0)
    with pytest.raises(ValueError, match='websocket_host must not be empty'):
        BridgeNodeConfig(websocket_host=' ')
    with pytest.raises(ValueError, match='unknown parameters'):
        BridgeNodeConfig.from_values({'osc_prot': 1})
    assert BridgeNodeConfig.from_values({'slot_hold': 2}).slot_hold == 2.0


def test_runtime_changes_apply_and_startup_ones_are_read_only():
    config = BridgeNodeConfig()
    changed = config.with_runtime_changes({'osc_format': 'wekinator', 'normalized': True})
    assert changed.osc_options.format == 'wekinator' and changed.osc_options.normalized
    assert changed.bridge_settings.osc.format == 'wekinator'
    with pytest.raises(ValueError, match='websocket_port is read only'):
        config.with_runtime_changes({'websocket_port': 9000})
    assert set(OSC_FORMATS) == set(SPECS['osc_format'].choices)
