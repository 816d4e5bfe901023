"""Per-stream state of MoveNet SinglePose: which region of the next frame to look at.

``SmartCrop`` keeps the crop region between frames of one stream (TF.js pose-detection's
``MoveNetDetector`` state): the first frame, and every frame after the person is lost, sees the
whole image padded to a square; later frames see the (low-pass filtered) square around the
person of the frame before (:mod:`.crop_region`).

Stale crops: the region is dropped when the image size changes, on :meth:`SmartCrop.reset`, and
when the person is lost: pose score 0 (TF.js resets then), and, for a region carried over from
the previous frame, when the pose found in it does not continue the previous frame's pose
(:meth:`SmartCrop.continues`: torso not visible, or keypoint similarity to the previous pose
below ``MIN_CONTINUITY``). The engine then estimates the frame again on the whole image at once
(TF.js would return the lost pose and recover one frame later). MoveNet finds a plausible torso
in almost any crop, so the torso test alone let 10 of 11 unrelated 576x576 photos after frames
of ``tfjs_pose_1.mp4`` be estimated in the dancer's old region; with the similarity test every
one of them is estimated on the whole image, while consecutive video frames stay above it
(``test_movenet_engine``). Callers that know their images are unrelated (``posenet_estimate``,
``posenet_accuracy``) call ``reset`` per image all the same.
"""

from typing import Final

import numpy as np

from ...tracking.similarity import pose_similarity
from .crop_filter import CropRegionFilter
from .crop_region import (CropRegion, initial_crop_region, MIN_CROP_KEYPOINT_SCORE,
                          next_crop_region, torso_visible)

MIN_CONTINUITY: Final[float] = 0.3
"""Least keypoint similarity (OKS over the keypoints found in both, ``tracking.similarity``)
between the previous frame's pose and the pose found in the region carried from it for that
region to count as the same person."""


class SmartCrop:
    """The crop region carried from frame to frame; not thread-safe (the engine locks)."""

    def __init__(self) -> None:
        """Start without a region (the first frame sees the whole image)."""
        self._filter = CropRegionFilter()
        self._region: CropRegion | None = None
        self._image_size: tuple[int, int] | None = None
        self._previous: tuple[np.ndarray, np.ndarray] | None = None

    def reset(self) -> None:
        """Forget the region and the filter: the next frame sees the whole image."""
        self._filter.reset()
        self._region = None
        self._image_size = None
        self._previous = None

    def continues(self, keypoints_xy: np.ndarray, keypoint_scores: np.ndarray) -> bool:
        """Return whether a pose found in the carried region continues the previous pose.

        Args:
            keypoints_xy: [17, 2] keypoint (x, y) in source-image pixels.
            keypoint_scores: [17] keypoint scores.

        Returns:
            True when the torso is visible and the similarity to the previous frame's pose
            reaches ``MIN_CONTINUITY`` (True without a previous pose).
        """
        if not torso_visible(keypoint_scores):
            return False
        if self._previous is None:
            return True
        previous_xy, previous_scores = self._previous
        similarity = pose_similarity(
            previous_xy[None], (previous_scores > MIN_CROP_KEYPOINT_SCORE)[None],
            np.asarray(keypoints_xy, dtype=np.float64)[None],
            (keypoint_scores > MIN_CROP_KEYPOINT_SCORE)[None])
        return bool(similarity[0, 0] >= MIN_CONTINUITY)

    def region_for(self, image_width: int, image_height: int) -> tuple[CropRegion, bool]:
        """Return the region to run this frame on, and whether it was carried over.

        A region of another image size is dropped (the stream changed).

        Returns:
            ``(region, carried)``: ``carried`` is False for the whole-image start.
        """
        if self._image_size != (image_width, image_height):
            self.reset()
            self._image_size = (image_width, image_height)
        if self._region is None:
            return initial_crop_region(image_width, image_height), False
        return self._region, True

    def update(self, keypoints_xy: np.ndarray, keypoint_scores: np.ndarray,
               pose_score: float) -> None:
        """Derive the next frame's region from this frame's pose (source-image pixels).

        Args:
            keypoints_xy: [17, 2] keypoint (x, y) in source-image pixels.
            keypoint_scores: [17] keypoint scores.
            pose_score: The pose score; 0 (no keypoint found) resets, as TF.js does.
        """
        if self._image_size is None:
            return  # region_for was not called: nothing to derive a region for
        if pose_score <= 0.0:
            size = self._image_size
            self.reset()
            self._image_size = size
            return
        width, height = self._image_size
        self._previous = (np.array(keypoints_xy, dtype=np.float64),
                          np.array(keypoint_scores, dtype=np.float64))
        self._region = self._filter.apply(
            next_crop_region(keypoints_xy, keypoint_scores, width, height))
