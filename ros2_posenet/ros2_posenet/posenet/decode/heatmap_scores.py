"""Keypoint scores from heatmap logits, and the parts that reach a score threshold.

TensorFlow.js computes ``sigmoid`` in double precision (``1 / (1 + Math.exp(-x))``) and stores
the result in a float32 buffer; every later comparison promotes those float32 values to double.
Plain float32 arithmetic is a few ulp off, which flips ties between saturated logits, so the
scores here are computed the same way. Thresholds are compared in double precision as well.
"""

from functools import lru_cache
import math

import numpy as np


def sigmoid_scores(heatmap_logits: np.ndarray) -> np.ndarray:
    """Return ``sigmoid(heatmap_logits)`` computed in float64 and rounded to float32.

    Args:
        heatmap_logits: Float array of any shape (usually [height, width, 17]) of logits.

    Returns:
        Float32 array of the same shape with scores in [0, 1].
    """
    values = np.array(heatmap_logits, dtype=np.float64)
    np.negative(values, out=values)
    # exp(709.8) overflows; below logit -700 the score is 0 in float32 either way, and
    # clipping is cheaper than silencing the overflow warning
    np.minimum(values, 700.0, out=values)
    np.exp(values, out=values)
    values += 1.0
    np.divide(1.0, values, out=values)
    return values.astype(np.float32)


def float32_threshold(score_threshold: float) -> np.float32:
    """Return the smallest float32 ``t`` with ``t >= score_threshold``.

    For a float32 score ``s``, ``s >= t`` (float32) equals ``s >= score_threshold`` (double),
    the comparison TensorFlow.js makes; numpy compares float32 arrays with a Python float in
    float32, where e.g. 0.7 rounds down and would admit a score just below 0.7.

    Args:
        score_threshold: Threshold in [0, 1].
    """
    threshold = np.float32(score_threshold)
    if float(threshold) < score_threshold:
        threshold = np.nextafter(threshold, np.float32(np.inf))
    return threshold


@lru_cache(maxsize=64)
def logit_bound_below_threshold(score_threshold: float) -> np.float32:
    """Return a float32 logit ``b`` such that every logit ``<= b`` scores below the threshold.

    Used to skip the sigmoid on cells that cannot reach the threshold; the bound is checked
    with the same float32 rounding as ``sigmoid_scores``, and the sigmoid is monotonic, so
    the shortcut never drops a cell whose score reaches the threshold.

    Args:
        score_threshold: Threshold in [0, 1].

    Returns:
        The bound, ``-inf`` when the threshold is 0 (every cell qualifies).
    """
    if score_threshold <= 0.0:
        return np.float32(-np.inf)
    threshold = float32_threshold(score_threshold)
    bound = 40.0 if score_threshold >= 1.0 else min(
        40.0, math.log(score_threshold) - math.log1p(-score_threshold))
    step = 1e-3 * max(1.0, abs(bound))
    while sigmoid_scores(np.array([bound]))[0] >= threshold:
        bound -= step
        step *= 2.0
    bound32 = np.float32(bound)
    if float(bound32) > bound:
        bound32 = np.nextafter(bound32, np.float32(-np.inf))
    return bound32


def parts_reaching_threshold(heatmap_scores: np.ndarray,
                             score_threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the (cell, part) entries whose score is ``>= score_threshold``.

    Args:
        heatmap_scores: Float32 array [height, width, num_parts] of scores in [0, 1].
        score_threshold: Threshold in [0, 1], compared in double precision.

    Returns:
        ``(flat_indices, scores)``: int64 indices into ``heatmap_scores.ravel()`` in increasing
        (row, column, part) order, and their float32 scores.
    """
    flat_scores = heatmap_scores.reshape(-1)
    flat_indices = np.flatnonzero(flat_scores >= float32_threshold(score_threshold))
    return flat_indices, flat_scores[flat_indices]


def parts_reaching_threshold_from_logits(
        heatmap_logits: np.ndarray, score_threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Like ``parts_reaching_threshold`` but from logits, computing only the scores it needs.

    Args:
        heatmap_logits: Float32 array [height, width, num_parts] of finite logits.
        score_threshold: Threshold in [0, 1], compared in double precision.

    Returns:
        ``(flat_indices, scores)`` exactly as ``parts_reaching_threshold`` would return for
        ``sigmoid_scores(heatmap_logits)``.
    """
    flat_logits = heatmap_logits.reshape(-1)
    flat_indices = np.flatnonzero(flat_logits > logit_bound_below_threshold(score_threshold))
    scores = sigmoid_scores(flat_logits[flat_indices])
    reached = scores >= float32_threshold(score_threshold)
    return flat_indices[reached], scores[reached]
