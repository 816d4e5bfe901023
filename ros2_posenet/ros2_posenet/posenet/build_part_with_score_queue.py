"""Root candidates of multi-pose decoding: local score maxima at or above the threshold.

TensorFlow.js ``buildPartWithScoreQueue`` visits every (row, column, part) in that order, keeps
the entries whose score reaches the threshold and is not beaten by a strictly greater score of
the same part in the surrounding window, and enqueues them into its ``MaxHeap``. Here the
threshold and the window test run vectorised over the candidates; only the enqueueing, whose
order decides ties, is a Python loop.
"""

import numpy as np

from .max_heap import MaxHeap

LOCAL_MAXIMUM_RADIUS = 1
"""Half size of the local-maximum window in grid cells (tfjs ``kLocalMaximumRadius``)."""


def score_is_maximum_in_local_window(flat_indices: np.ndarray, scores: np.ndarray,
                                     grid_shape: tuple[int, int, int],
                                     local_maximum_radius: int = LOCAL_MAXIMUM_RADIUS
                                     ) -> np.ndarray:
    """Tell which entries no entry of the same part within the window strictly exceeds.

    The window is ``|dy| <= radius, |dx| <= radius`` cells, cut at the grid border. Only the
    given entries are looked at: every cell left out must score no higher than the entries
    it could beat, which holds when the entries are all cells reaching a score threshold.

    Args:
        flat_indices: Int array [n] of indices into a C-ordered [height, width, num_parts] grid.
        scores: Float32 array [n], the score of each entry.
        grid_shape: ``(height, width, num_parts)``.
        local_maximum_radius: Window half size in cells, >= 0.

    Returns:
        Bool array [n], True where the entry is a local maximum (equal neighbours allowed).
    """
    height, width, num_parts = grid_shape
    radius = local_maximum_radius
    padded_width = width + 2 * radius
    padded = np.full((height + 2 * radius) * padded_width * num_parts, -np.inf, np.float32)
    # index of (row + radius, column + radius, part) in the padded grid
    row = flat_indices // (width * num_parts)
    padded_indices = flat_indices + (2 * radius * row + radius * padded_width + radius) * num_parts
    padded[padded_indices] = scores
    window = np.arange(-radius, radius + 1)
    neighbour_steps = ((window[:, None] * padded_width + window[None, :]) * num_parts).ravel()
    # [window, n] rather than [n, window]: numpy reduces the long axis much faster
    window_maximum = padded.take(np.add.outer(neighbour_steps, padded_indices)).max(axis=0)
    return scores >= window_maximum


def build_part_with_score_queue(flat_indices: np.ndarray, scores: np.ndarray,
                                grid_shape: tuple[int, int, int],
                                local_maximum_radius: int = LOCAL_MAXIMUM_RADIUS
                                ) -> MaxHeap[int]:
    """Build the root-candidate queue from the entries that reach the score threshold.

    Args:
        flat_indices: Int array [n], increasing, of every index into the C-ordered
            [height, width, num_parts] score grid whose score reaches the threshold (see
            ``heatmap_scores.parts_reaching_threshold``).
        scores: Float32 array [n] of their scores.
        grid_shape: ``(height, width, num_parts)``.
        local_maximum_radius: Window half size in cells.

    Returns:
        ``MaxHeap`` of flat indices keyed by score, filled in TF.js order.
    """
    maxima = score_is_maximum_in_local_window(flat_indices, scores, grid_shape,
                                              local_maximum_radius)
    return MaxHeap.from_sequence(scores[maxima].tolist(), flat_indices[maxima].tolist())
