"""TrackerConfig: defaults, one limits table, validation at construction."""

import dataclasses
import math

import pytest

from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.tracking import INTEGER_FIELDS, TRACKER_LIMITS, TrackerConfig


def test_defaults_are_the_documented_ones_and_inside_the_limits():
    config = TrackerConfig()
    assert (config.min_hits, config.max_age, config.min_similarity, config.smoothing) == (
        3, 1.0, 0.2, True)
    assert (config.smoothing_min_cutoff, config.smoothing_beta,
            config.smoothing_d_cutoff) == (1.0, 0.01, 1.0)
    for name, (low, high) in TRACKER_LIMITS.items():
        assert low <= getattr(config, name) <= high, name


def test_limits_table_names_every_numeric_field_and_only_those():
    numeric = {field.name for field in dataclasses.fields(TrackerConfig)
               if field.name != 'smoothing'}
    assert set(TRACKER_LIMITS) == numeric
    assert INTEGER_FIELDS == {'min_hits'}
    for name in INTEGER_FIELDS:
        assert all(isinstance(bound, int) for bound in TRACKER_LIMITS[name])
    for name, (low, high) in TRACKER_LIMITS.items():
        assert low < high, name


@pytest.mark.parametrize('name', sorted(TRACKER_LIMITS))
def test_both_ends_of_each_range_are_accepted(name):
    low, high = TRACKER_LIMITS[name]
    assert getattr(TrackerConfig(**{name: low}), name) == low
    assert getattr(TrackerConfig(**{name: high}), name) == high


@pytest.mark.parametrize('name', sorted(TRACKER_LIMITS))
def test_values_just_outside_each_range_are_rejected_naming_field_and_range(name):
    low, high = TRACKER_LIMITS[name]
    step = 1 if name in INTEGER_FIELDS else 1e-6
    for value in (low - step, high + step):
        with pytest.raises(InputError, match=rf'{name} must be .* in \[{low}, {high}\]'):
            TrackerConfig(**{name: value})


@pytest.mark.parametrize('name, value', [
    ('min_hits', 2.0), ('min_hits', True), ('min_hits', '3'), ('max_age', math.nan),
    ('max_age', math.inf), ('min_similarity', None), ('smoothing_beta', '0.01'),
    ('smoothing_min_cutoff', False), ('min_keypoint_score', math.nan)])
def test_wrong_types_and_non_finite_values_are_rejected(name, value):
    with pytest.raises(InputError, match=name):
        TrackerConfig(**{name: value})


def test_smoothing_must_be_a_bool():
    with pytest.raises(InputError, match='smoothing must be True or False'):
        TrackerConfig(smoothing=1)


def test_input_error_is_a_value_error_and_config_is_frozen():
    with pytest.raises(ValueError):
        TrackerConfig(min_hits=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrackerConfig().min_hits = 5
