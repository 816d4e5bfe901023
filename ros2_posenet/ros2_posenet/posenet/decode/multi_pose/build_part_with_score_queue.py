"""Root candidates of multi-pose decoding: local score maxima at or above the threshold.

TensorFlow.js ``buildPartWithScoreQueue`` visits every (row, column, part) in that order, keeps
the entries whose score reaches the threshold and is not beaten by a strictly greater score of
the same part in the surrounding window, and enqueues them into its ``MaxHeap``. Here the
threshold and the window test run vectorised over the candidates; only the enqueueing, whose
order decides ties, is a Python loop.
"""

from collections.abc import Iterator
import threading

import numpy as np

from .max_heap import dequeue_order, MaxHeap

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
    # the grid flattened with `radius` cells of -inf around it: a step to a neighbour is a
    # fixed step in the flat array and never wraps into the next row, so the window maximum
    # is separable into contiguous 1-d passes (much faster than a gather per neighbour);
    # -inf also stands for the cells left out, which cannot beat any entry
    padded_width = width + 2 * radius
    size = (height + 2 * radius) * padded_width * num_parts
    padded, row_maximum, window_maximum = _work_arrays(size)
    padded.fill(-np.inf)
    row = flat_indices // (width * num_parts)
    padded_indices = flat_indices + (2 * radius * row + radius * padded_width + radius) * num_parts
    padded[padded_indices] = scores
    _sliding_maximum(padded, radius, num_parts, out=row_maximum)
    _sliding_maximum(row_maximum, radius, padded_width * num_parts, out=window_maximum)
    return scores >= window_maximum[padded_indices]


class _WorkArrays(threading.local):
    """Float32 work arrays of the window maximum, kept per thread and reused between calls.

    A 31x41 grid needs three ~100 KB arrays; allocating them on every call costs more than the
    computation (the allocator hands the memory back to the system and page-faults it in again).
    """

    def __init__(self) -> None:
        """Start without arrays."""
        self.arrays: tuple[np.ndarray, ...] = ()


_work = _WorkArrays()


def _work_arrays(size: int) -> tuple[np.ndarray, ...]:
    """Return three float32 arrays of ``size`` elements owned by the calling thread."""
    if not _work.arrays or _work.arrays[0].size != size:
        _work.arrays = tuple(np.empty(size, np.float32) for _ in range(3))
    return _work.arrays


def _sliding_maximum(values: np.ndarray, radius: int, step: int, out: np.ndarray) -> None:
    """Set ``out[i] = max(values[i + k * step] for k in -radius..radius)`` on 1-d arrays.

    Windows are cut at the array's ends.

    Args:
        values: 1-d float array.
        radius: Window half size in steps, >= 0.
        step: Distance between window elements in the flat array.
        out: Array of the shape and dtype of ``values``, not overlapping it.
    """
    np.copyto(out, values)
    for shift in range(step, radius * step + 1, step):
        np.maximum(out[shift:], values[:-shift], out=out[shift:])
        np.maximum(out[:-shift], values[shift:], out=out[:-shift])


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


def root_candidates_in_queue_order(flat_indices: np.ndarray, scores: np.ndarray,
                                   grid_shape: tuple[int, int, int], likely_dequeued: int,
                                   local_maximum_radius: int = LOCAL_MAXIMUM_RADIUS
                                   ) -> Iterator[tuple[float, int]]:
    """Yield what ``build_part_with_score_queue(...).drain()`` yields, with less work.

    Decoding usually stops after a few dequeues, so the queue is simulated exactly only for
    the ``likely_dequeued`` highest scores (``max_heap.dequeue_order``) and in full only if
    decoding goes on beyond them.

    Args:
        flat_indices: See ``build_part_with_score_queue``.
        scores: See ``build_part_with_score_queue``.
        grid_shape: ``(height, width, num_parts)``.
        likely_dequeued: About how many candidates the caller will take, >= 1.
        local_maximum_radius: Window half size in cells.

    Returns:
        Iterator of ``(score, flat index)`` in TF.js dequeue order.
    """
    maxima = score_is_maximum_in_local_window(flat_indices, scores, grid_shape,
                                              local_maximum_radius)
    values = scores[maxima]
    bound = -np.inf
    if values.size > likely_dequeued:
        kth_largest = values.size - likely_dequeued
        bound = np.partition(values, kth_largest)[kth_largest]
    return dequeue_order(values.tolist(), flat_indices[maxima].tolist(), float(bound))
