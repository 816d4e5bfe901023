"""Per-part grid position of the highest heatmap score (TF.js ``argmax2d``)."""

from functools import lru_cache

import numpy as np

from ..heatmap_scores import sigmoid_scores

_SATURATED_LOGIT = np.float32(16.0)
"""A logit whose float32 score is below 1.0 (0.99999988): every logit scoring 1.0 exceeds it."""


@lru_cache(maxsize=4)
def _part_ids(num_parts: int) -> np.ndarray:
    """Return ``arange(num_parts)`` (cached)."""
    return np.arange(num_parts)


def argmax2d(heatmap_scores: np.ndarray) -> np.ndarray:
    """Return, for each part, the (row, column) of its highest score.

    On equal scores the first cell in row-major order wins, like the TF.js ``argMax`` it
    mirrors (a later cell must be strictly greater to replace it).

    Args:
        heatmap_scores: Array [height, width, num_parts] of scores.

    Returns:
        Int64 array [num_parts, 2] of (row, column) grid indices.
    """
    height, width, num_parts = heatmap_scores.shape
    cells = heatmap_scores.reshape(height * width, num_parts).argmax(axis=0)
    rows, columns = np.divmod(cells, width)
    return np.stack((rows, columns), axis=1)


def argmax2d_from_logits(heatmap_logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``argmax2d(sigmoid_scores(heatmap_logits))`` and the maximum scores.

    Computes the sigmoid only near each part's largest logit: the sigmoid is monotonic, but
    rounding to float32 can give distinct logits one score, and then the first of those cells
    must win, so every cell whose score can equal the maximum is scored.

    Args:
        heatmap_logits: Float32 array [height, width, num_parts] of finite logits.

    Returns:
        ``(coords, max_scores)``: int64 [num_parts, 2] (row, column) indices and the float32
        [num_parts] score at each.
    """
    height, width, num_parts = heatmap_logits.shape
    logits = heatmap_logits.reshape(height * width, num_parts)
    max_logits = logits[logits.argmax(axis=0), _part_ids(num_parts)]  # faster than max(axis=0)
    max_scores = sigmoid_scores(max_logits)
    # cells with a logit <= lower score at most sigmoid(lower); where that is below the
    # maximum they cannot tie with it (only extreme negative logits fail this: score all)
    lower = np.minimum(max_logits - np.float32(1.0), _SATURATED_LOGIT)
    lower[sigmoid_scores(lower) >= max_scores] = -np.inf
    flat_indices = np.flatnonzero(logits > lower)
    cells, parts = np.divmod(flat_indices, num_parts)
    reaching = sigmoid_scores(logits.reshape(-1)[flat_indices]) == max_scores[parts]
    # flat indices increase with the cell, so each part's first hit is its argmax
    _, first = np.unique(parts[reaching], return_index=True)
    rows, columns = np.divmod(cells[reaching][first], width)
    return np.stack((rows, columns), axis=1), max_scores
