"""Result types of pose estimation: small frozen dataclasses, free of ROS and of numpy."""

from dataclasses import dataclass

from .keypoints import NUM_KEYPOINTS, PART_NAMES


@dataclass(frozen=True, slots=True)
class Keypoint:
    """One body part of one person.

    Attributes:
        id: Part id, 0..16 in PoseNet/COCO order (see ``keypoints.PART_NAMES``).
        name: PoseNet part name, e.g. ``'leftShoulder'``.
        x: Column in pixels of the image the pose refers to (model input for the decoders,
            source image for ``PoseEngine``); origin at the top-left pixel's corner-aligned
            centre as in TensorFlow.js, x to the right.
        y: Row in pixels, y down.
        score: Confidence in [0, 1] (sigmoid of the heatmap logit).
    """

    id: int
    name: str
    x: float
    y: float
    score: float


@dataclass(frozen=True, slots=True)
class Pose:
    """One person: an overall score and always all 17 keypoints, index == part id.

    Attributes:
        score: Pose confidence in [0, 1] (tfjs: mean keypoint score, for multi-pose decoding
            with keypoints near earlier poses left out).
        keypoints: 17 ``Keypoint``s in part-id order.
    """

    score: float
    keypoints: tuple[Keypoint, ...]

    def __post_init__(self) -> None:
        """Check the keypoint count and order (cheap; guards every producer)."""
        if len(self.keypoints) != NUM_KEYPOINTS:
            raise ValueError(
                f'a Pose needs {NUM_KEYPOINTS} keypoints, got {len(self.keypoints)}')
        for i, keypoint in enumerate(self.keypoints):
            if keypoint.id != i or keypoint.name != PART_NAMES[i]:
                raise ValueError(
                    f'keypoint {i} must be {PART_NAMES[i]!r} (id {i}), '
                    f'got {keypoint.name!r} (id {keypoint.id})')
