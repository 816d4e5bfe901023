"""One-Euro filter: equal to the authors' reference package, vectorised, stamp-driven."""

import math

import numpy as np
import pytest

from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.tracking import OneEuroFilter, OneEuroParams
from ros2_posenet.posenet.tracking.one_euro import (one_euro_start, one_euro_step,
                                                    smoothing_factor)


@pytest.fixture
def reference_filter() -> type:
    """Return the authors' reference class (PyPI OneEuroFilter 0.2.1, test-only)."""
    return pytest.importorskip('OneEuroFilter').OneEuroFilter


def _irregular_stamps(rng: np.random.Generator, count: int) -> np.ndarray:
    """Stamps from 12.5 s on, intervals 5 ms to 200 ms (dropped frames, jittery clocks)."""
    return 12.5 + np.cumsum(rng.uniform(0.005, 0.2, count))


@pytest.mark.parametrize('min_cutoff, beta, d_cutoff', [
    (1.0, 0.0, 1.0), (1.0, 0.01, 1.0), (0.3, 0.5, 2.0), (5.0, 0.007, 0.4)])
def test_matches_reference_package_on_random_signals_with_irregular_stamps(
        reference_filter, min_cutoff, beta, d_cutoff):
    rng = np.random.default_rng(42)
    count, signals = 300, 6
    stamps = _irregular_stamps(rng, count)
    # Random walks plus jitter, scaled like pixel coordinates.
    values = np.cumsum(rng.normal(0.0, 8.0, (count, signals)), axis=0) + rng.normal(
        0.0, 2.0, (count, signals)) + 300.0
    ours = OneEuroFilter(OneEuroParams(min_cutoff, beta, d_cutoff))
    references = [reference_filter(30.0, min_cutoff, beta, d_cutoff)
                  for _ in range(signals)]
    for stamp, row in zip(stamps, values):
        filtered = ours(row, float(stamp))
        expected = [reference(float(value), float(stamp))
                    for reference, value in zip(references, row)]
        np.testing.assert_allclose(filtered, expected, rtol=0.0, atol=1e-9)


def test_filters_every_element_of_a_pose_array_independently(reference_filter):
    rng = np.random.default_rng(7)
    stamps = _irregular_stamps(rng, 50)
    values = rng.normal(100.0, 20.0, (50, 3, 17, 2))
    params = OneEuroParams(1.0, 0.02, 1.0)
    ours = OneEuroFilter(params)
    references = [reference_filter(25.0, 1.0, 0.02, 1.0) for _ in range(3 * 17 * 2)]
    for stamp, sample in zip(stamps, values):
        filtered = ours(sample, float(stamp))
        assert filtered.shape == (3, 17, 2)
        expected = [reference(float(value), float(stamp))
                    for reference, value in zip(references, sample.ravel())]
        np.testing.assert_allclose(filtered.ravel(), expected, rtol=0.0, atol=1e-9)


def test_first_sample_passes_unchanged_and_reset_starts_over():
    smoother = OneEuroFilter(OneEuroParams(1.0, 0.0, 1.0))
    np.testing.assert_array_equal(smoother(np.array([10.0, -3.0]), 1.0), [10.0, -3.0])
    second = smoother(np.array([20.0, -3.0]), 1.1)
    # beta 0: a plain low-pass with alpha = 1 / (1 + 1 / (2 pi * 1 Hz * 0.1 s)).
    alpha = 1.0 / (1.0 + 1.0 / (2.0 * math.pi * 0.1))
    np.testing.assert_allclose(second, [10.0 + alpha * 10.0, -3.0], rtol=1e-12)
    smoother.reset()
    np.testing.assert_array_equal(smoother(np.array([50.0, 60.0]), 0.5), [50.0, 60.0])


def test_smoothing_factor_is_the_first_order_low_pass_alpha():
    assert smoothing_factor(1.0, 1.0 / 30.0) == pytest.approx(
        1.0 / (1.0 + 30.0 / (2.0 * math.pi)), rel=1e-12)
    np.testing.assert_allclose(smoothing_factor(np.array([1.0, 100.0]), 0.01),
                               [0.0591174, 0.8626967], rtol=1e-6)


def test_step_takes_a_separate_interval_per_row():
    params = OneEuroParams(1.0, 0.05, 1.0)
    start = one_euro_start(np.zeros((2, 17, 2)))
    sample = np.full((2, 17, 2), 10.0)
    both = one_euro_step(start, sample, np.array([0.04, 0.4])[:, None, None], params)
    first = one_euro_step(one_euro_start(np.zeros((1, 17, 2))), sample[:1], 0.04, params)
    second = one_euro_step(one_euro_start(np.zeros((1, 17, 2))), sample[:1], 0.4, params)
    np.testing.assert_array_equal(both.value[0], first.value[0])
    np.testing.assert_array_equal(both.value[1], second.value[0])
    assert both.value[1, 0, 0] > both.value[0, 0, 0]  # a longer gap trusts the sample more


@pytest.mark.parametrize('stamps', [(1.0, 1.0), (2.0, 1.5)])
def test_stamps_that_do_not_increase_raise_input_error(stamps):
    smoother = OneEuroFilter()
    smoother(np.zeros(3), stamps[0])
    with pytest.raises(InputError, match='stamps must increase'):
        smoother(np.zeros(3), stamps[1])


@pytest.mark.parametrize('sample, stamp, message', [
    (np.array([1.0, np.nan]), 1.0, 'finite'),
    (np.array([1.0, np.inf]), 1.0, 'finite'),
    (np.zeros(2), float('nan'), 'stamp'),
    (np.zeros(2), None, 'stamp'),
])
def test_bad_samples_and_stamps_raise_input_error(sample, stamp, message):
    with pytest.raises(InputError, match=message):
        OneEuroFilter()(sample, stamp)


def test_a_change_of_shape_raises_input_error():
    smoother = OneEuroFilter()
    smoother(np.zeros(3), 1.0)
    with pytest.raises(InputError, match='changed shape'):
        smoother(np.zeros(4), 2.0)


@pytest.mark.parametrize('kwargs', [
    {'min_cutoff': 0.0}, {'min_cutoff': -1.0}, {'d_cutoff': 0.0}, {'min_cutoff': math.inf},
    {'beta': -0.1}, {'beta': math.nan}, {'min_cutoff': True}, {'beta': '0.1'}])
def test_params_reject_bad_values(kwargs):
    with pytest.raises(InputError):
        OneEuroParams(**kwargs)
