"""How good each person is as a target, per policy: one score per candidate, as an array.

Every scoring function maps ``Candidates`` to float64 ``[n]`` with NaN for a person that
cannot be the target under that policy; untracked people (id 0) are NaN under every policy.
A ``Policy`` says which way its score improves and whether ratios of it mean anything, which is
how ``is_better`` applies the relative ``switch_margin``:

- ``nearest``: distance from the camera, metres (lower is better); NaN without a 3D position,
  so people without one never win.
- ``largest``: keypoint-box area, square pixels (higher is better).
- ``centre``: distance of the box centre from the image centre, as a fraction of the half
  diagonal (0 at the centre, 1 in a corner; lower is better); NaN when the image size is
  unknown.
- ``oldest``: the track id (lower is better): ids grow in the order tracks are confirmed and
  are never reused, so the smallest id present is the track confirmed first. Ids are ordinal:
  no margin applies, a smaller id is simply better.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import math
from typing import Final

import numpy as np

from .candidates import Candidates


def distance_from_camera(candidates: Candidates) -> np.ndarray:
    """Return each person's distance from the camera origin, metres; NaN without a position."""
    distances = np.linalg.norm(candidates.positions, axis=1)
    return np.where(candidates.has_position, distances, np.nan)


def box_area(candidates: Candidates) -> np.ndarray:
    """Return each person's keypoint-box area, square pixels (a degenerate box scores 0)."""
    boxes = candidates.boxes
    widths = np.clip(boxes[:, 2] - boxes[:, 0], 0.0, None)
    heights = np.clip(boxes[:, 3] - boxes[:, 1], 0.0, None)
    return widths * heights


def centre_offset(candidates: Candidates) -> np.ndarray:
    """Return how far each box centre is from the image centre, in half diagonals.

    The image centre is ``((width - 1) / 2, (height - 1) / 2)``: pixel centres sit at integer
    coordinates. NaN for everyone when the image size is unknown (0).
    """
    width, height = candidates.image_size
    count = len(candidates)
    if width <= 0 or height <= 0:
        return np.full(count, np.nan)
    boxes = candidates.boxes
    dx = (boxes[:, 0] + boxes[:, 2]) / 2.0 - (width - 1) / 2.0
    dy = (boxes[:, 1] + boxes[:, 3]) / 2.0 - (height - 1) / 2.0
    return np.hypot(dx, dy) / (math.hypot(width, height) / 2.0)


def track_order(candidates: Candidates) -> np.ndarray:
    """Return each person's track id as a float: the smallest is the oldest track."""
    return candidates.ids.astype(np.float64)


@dataclass(frozen=True)
class Policy:
    """One way of choosing the target.

    Attributes:
        name: One of ``POLICIES``.
        score: Scores of the candidates (see the module docstring); NaN = cannot be chosen.
        higher_is_better: Whether a larger score is better.
        ratio: Whether ratios of scores are meaningful (a relative margin applies); False for
            ordinal scores, where any strictly better score is better by any margin.
        unit: Unit of the score, for messages.
    """

    name: str
    score: Callable[[Candidates], np.ndarray]
    higher_is_better: bool
    ratio: bool
    unit: str

    def scores(self, candidates: Candidates) -> np.ndarray:
        """Return float64 ``[n]`` scores, NaN for untracked people and those this policy skips."""
        values = np.asarray(self.score(candidates), dtype=np.float64)
        return np.where(candidates.ids > 0, values, np.nan)

    def best_index(self, scores: np.ndarray, exclude: int | None = None) -> int | None:
        """Return the row with the best finite score (first on ties), or ``None``.

        Args:
            scores: Output of ``scores``.
            exclude: A row that may not be chosen (the current target).
        """
        candidates = np.isfinite(scores)
        if exclude is not None:
            candidates[exclude] = False
        if not candidates.any():
            return None
        ranked = np.where(candidates, -scores if self.higher_is_better else scores, np.inf)
        return int(np.argmin(ranked))

    def is_better(self, score: float, than: float, margin: float) -> bool:
        """Return whether ``score`` beats ``than`` by the relative ``margin``.

        A finite score beats a NaN one whatever the margin; a NaN one beats nothing. Otherwise
        with ``ratio`` policies the better score must be at least ``1 + margin`` times as
        good: ``than / score >= 1 + margin`` when lower is better (margin 0.2: nearer than
        5 m / 1.2 = 4.17 m), ``score / than >= 1 + margin`` when higher is better (larger than
        1.2 times the area). Ties never count as better, so a margin of 0 still needs a strict
        improvement. Ordinal policies ignore the margin.

        Args:
            score: The challenger's score.
            than: The current target's score.
            margin: Relative margin, >= 0.
        """
        if not math.isfinite(score):
            return False
        if not math.isfinite(than):
            return True
        if self.higher_is_better:
            strictly = score > than
            by_margin = score >= than * (1.0 + margin)
        else:
            strictly = score < than
            by_margin = score * (1.0 + margin) <= than
        return strictly and (by_margin or not self.ratio)


POLICY_TABLE: Final[Mapping[str, Policy]] = {
    policy.name: policy for policy in (
        Policy('nearest', distance_from_camera, higher_is_better=False, ratio=True, unit='m'),
        Policy('largest', box_area, higher_is_better=True, ratio=True, unit='px^2'),
        Policy('centre', centre_offset, higher_is_better=False, ratio=True,
               unit='half diagonals'),
        Policy('oldest', track_order, higher_is_better=False, ratio=False, unit='track id'),
    )}
"""Every policy by name."""

POLICIES: Final[tuple[str, ...]] = tuple(POLICY_TABLE)
"""Names of the policies: nearest, largest, centre, oldest."""

POSITION_POLICIES: Final[frozenset[str]] = frozenset({'nearest'})
"""Policies that can only choose people with a 3D position."""
