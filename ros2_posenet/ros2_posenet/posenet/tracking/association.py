"""Which track is which detection: gated optimal assignment on a similarity matrix."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass(frozen=True, eq=False)
class Assignment:
    """Matches between ``t`` tracks and ``d`` detections.

    Attributes:
        track_indices: Int64 ``[m]`` matched track rows.
        detection_indices: Int64 ``[m]`` matched detection rows, pair ``k`` is
            (``track_indices[k]``, ``detection_indices[k]``).
        unmatched_tracks: Int64 track rows without a detection, ascending.
        unmatched_detections: Int64 detection rows without a track, ascending.
    """

    track_indices: np.ndarray
    detection_indices: np.ndarray
    unmatched_tracks: np.ndarray
    unmatched_detections: np.ndarray


def associate(similarity: np.ndarray, min_similarity: float) -> Assignment:
    """Match tracks to detections, maximising the total similarity of the accepted pairs.

    Pairs below ``min_similarity`` are forbidden (gated) before the assignment, so a weak pair
    never displaces a stronger one elsewhere; the assignment is optimal
    (``scipy.optimize.linear_sum_assignment``, Hungarian-type) among the allowed pairs.

    Args:
        similarity: Float64 ``[t, d]`` in [0, 1], track ``i`` vs detection ``j``.
        min_similarity: Smallest similarity of an accepted pair, in [0, 1].

    Returns:
        The matches and the rows left over on each side.
    """
    num_tracks, num_detections = similarity.shape
    allowed = similarity >= min_similarity
    # A forbidden pair costs what leaving both rows unmatched costs (nothing), so the solver
    # may pick it as a stand-in for "unmatched"; it is dropped below.
    cost = np.where(allowed, -similarity, 0.0)
    rows, cols = linear_sum_assignment(cost)
    keep = allowed[rows, cols]
    track_indices = rows[keep].astype(np.int64, copy=False)
    detection_indices = cols[keep].astype(np.int64, copy=False)
    return Assignment(track_indices, detection_indices, _others(num_tracks, track_indices),
                      _others(num_detections, detection_indices))


def associate_in_order(similarity: np.ndarray, track_groups: tuple[np.ndarray, ...],
                       min_similarity: float) -> Assignment:
    """Match groups of tracks one after the other, each to the detections left by the last.

    A matching cascade (as in DeepSORT): with the published tracks as the first group and
    tentative ones second, a person briefly lost keeps their id even when a tentative track
    started on them in the meantime is a closer fit.

    Args:
        similarity: Float64 ``[t, d]`` in [0, 1], track ``i`` vs detection ``j``.
        track_groups: Disjoint int64 arrays of track rows, in matching order; rows in no group
            stay unmatched.
        min_similarity: Smallest similarity of an accepted pair, in [0, 1].

    Returns:
        The matches (in group order) and the rows left over on each side.
    """
    num_tracks, num_detections = similarity.shape
    free = np.arange(num_detections, dtype=np.int64)
    track_parts: list[np.ndarray] = []
    detection_parts: list[np.ndarray] = []
    for group in track_groups:
        if len(group) == 0 or len(free) == 0:
            continue
        step = associate(similarity[group][:, free], min_similarity)
        track_parts.append(group[step.track_indices])
        detection_parts.append(free[step.detection_indices])
        free = free[step.unmatched_detections]
    if len(track_parts) == 1:
        track_indices, detection_indices = track_parts[0], detection_parts[0]
    else:
        track_indices = np.concatenate(track_parts or [np.zeros(0, np.int64)])
        detection_indices = np.concatenate(detection_parts or [np.zeros(0, np.int64)])
    return Assignment(track_indices, detection_indices, _others(num_tracks, track_indices), free)


def _others(count: int, indices: np.ndarray) -> np.ndarray:
    """Return the int64 rows of ``range(count)`` not in ``indices``, ascending."""
    left = np.ones(count, bool)
    left[indices] = False
    return left.nonzero()[0]
