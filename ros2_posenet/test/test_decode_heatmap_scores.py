"""Heatmap scores: float32 sigmoid and the score threshold, in double precision as TF.js."""

import warnings

import numpy as np
import pytest

from ros2_posenet.posenet.decode.heatmap_scores import (
    float32_threshold, logit_bound_below_threshold, parts_reaching_threshold,
    parts_reaching_threshold_from_logits, sigmoid_scores)

from decode_helpers import float32_sigmoid_differs


def test_sigmoid_is_double_precision_rounded_to_float32():
    logits = float32_sigmoid_differs()
    expected = (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)
    np.testing.assert_array_equal(sigmoid_scores(logits), expected)
    assert sigmoid_scores(logits).dtype == np.float32


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # numpy's default: warn on overflow, not underflow
        scores = sigmoid_scores(np.array([-1e30, -800.0, 0.0, 800.0, 3e38], np.float32))
    np.testing.assert_array_equal(scores, np.array([0.0, 0.0, 0.5, 1.0, 1.0], np.float32))


def test_threshold_compares_in_double_precision():
    just_below = np.float32(0.7)  # 0.699999988 < 0.7
    assert float(just_below) < 0.7
    assert float32_threshold(0.7) > just_below
    scores = np.array([[[just_below] + [np.float32(0.7000001)] + [0.0] * 15]], np.float32)
    flat_indices, reached = parts_reaching_threshold(scores, 0.7)
    assert flat_indices.tolist() == [1]
    assert reached.tolist() == [np.float32(0.7000001)]


def test_threshold_from_logits_compares_in_double_precision():
    candidates = np.float32(0.8472979) + np.arange(-200, 200, dtype=np.float32) * np.float32(
        1e-7)
    logits = candidates[sigmoid_scores(candidates) == np.float32(0.7)][-1:]
    assert logits.size == 1  # the largest logit scoring float32(0.7) = 0.69999999 < 0.7
    heatmap = np.full((1, 1, 17), -9.0, np.float32)
    heatmap[0, 0, 3] = logits[0]
    assert parts_reaching_threshold_from_logits(heatmap, 0.7)[0].size == 0
    assert parts_reaching_threshold_from_logits(heatmap, 0.69999)[0].tolist() == [3]


@pytest.mark.parametrize('threshold', [0.0, 1e-30, 0.2, 0.5, 0.7, 0.999999, 1.0])
def test_threshold_from_logits_equals_threshold_on_scores(threshold):
    rng = np.random.default_rng(7)
    logits = np.concatenate([rng.normal(0, 8, 2000), [-120.0, -104.0, 16.0, 17.0, 40.0],
                             np.linspace(-2, 2, 1000)]).astype(np.float32)
    logits = np.resize(logits, (1, 177, 17))
    by_scores = parts_reaching_threshold(sigmoid_scores(logits), threshold)
    by_logits = parts_reaching_threshold_from_logits(logits, threshold)
    np.testing.assert_array_equal(by_logits[0], by_scores[0])
    np.testing.assert_array_equal(by_logits[1], by_scores[1])
    bound = logit_bound_below_threshold(threshold)
    # compared in double: float32 array < Python float would round the threshold
    assert threshold == 0.0 or float(sigmoid_scores(np.array([bound]))[0]) < threshold
