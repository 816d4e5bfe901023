"""The result of one tracker update: detections with their track ids, and frame-level facts."""

from dataclasses import dataclass

import numpy as np

from ..pose import PoseArrays
from .track import Track


@dataclass(frozen=True, eq=False)
class TrackedPoses:
    """The detections of one frame with track ids, row ``i`` belonging to detection ``i``.

    Attributes:
        ids: Int64 ``[n]``: the track id of each detection, > 0 for a published (confirmed)
            track; 0 for a detection whose track is still tentative (seen in fewer than
            ``min_hits`` consecutive updates), so that one-off false detections never get an
            id. Ids are never reused by the same tracker, even across ``reset()``.
        arrays: The detections in source-image pixels, row for row: keypoint (x, y) smoothed
            by the One-Euro filter of their track when smoothing is on (the first detection of
            a track passes unchanged), raw otherwise; keypoint and pose scores always raw (a
            low-passed score would keep a vanished keypoint "visible").
        stamp_s: The stamp of the update, in seconds.
        active_tracks: Published tracks alive after the update (confirmed plus lost).
        births: Tracks published (confirmed) for the first time in this update.
        deaths: Published tracks deleted in this update (aged out, or cleared by a reset).
        reset_reason: Why the tracker reset itself before this update (e.g. the stamp went
            backwards or repeated), ``None`` when it did not.
        tracks: The published tracks after the update, in ascending id order.
    """

    ids: np.ndarray
    arrays: PoseArrays
    stamp_s: float
    active_tracks: int
    births: int
    deaths: int
    reset_reason: str | None
    tracks: tuple[Track, ...]

    def __len__(self) -> int:
        """Return the number of detections."""
        return int(self.ids.shape[0])
