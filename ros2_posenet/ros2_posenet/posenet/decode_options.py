"""Per-call options of ``PoseEngine.estimate``: decoding mode, thresholds and frame handling.

One frozen object carries everything the node passes per frame, validated once at construction.
The limits below are the one source of the allowed values: ``DecodeOptions``, the decoders'
public checks (``decode.decoder_inputs``) and the node's parameter ranges all read them. Within
them every value TensorFlow.js ``validateMultiPersonInputConfig`` accepts behaves as in TF.js.
"""

from dataclasses import dataclass
import numbers
from typing import Final

from .errors import InputError

DETECTION_MODES: Final[tuple[str, ...]] = ('single', 'multi')
"""``'single'``: one pose from the per-part heatmap maxima (tfjs ``decodeSinglePose``);
``'multi'``: up to ``max_detections`` people (tfjs ``decodeMultiplePoses``)."""

MAX_DETECTIONS_RANGE: Final[tuple[int, int]] = (1, 100)
"""Inclusive range of ``max_detections``."""

SCORE_RANGE: Final[tuple[float, float]] = (0.0, 1.0)
"""Inclusive range of every score threshold."""

NMS_RADIUS_RANGE: Final[tuple[float, float]] = (0.5, 1000.0)
"""Inclusive range of ``nms_radius`` in model-input pixels (below half a pixel nothing is
suppressed; above 1000 px one person suppresses every other at any model size)."""

KEEP_ASPECT_RATIO_CHOICES: Final[tuple[str, ...]] = ('auto', 'true', 'false')
"""Names of the ``keep_aspect_ratio`` settings: ``'auto'`` letterboxes only when the image's
aspect ratio differs from the model input's by more than ``AUTO_LETTERBOX_MARGIN``; ``'true'``
always letterboxes, ``'false'`` always stretches (``True``/``False`` are accepted too)."""

AUTO_LETTERBOX_MARGIN: Final[float] = 0.05
"""``keep_aspect_ratio='auto'`` letterboxes when ``max(a, b) / min(a, b) - 1`` exceeds this,
``a`` and ``b`` being the width/height ratios of the image and of the model input: a VGA frame
(640x480) into a 481x641 model or a 1280x720 one into 721x1281 is stretched (0.1 % off), a 3:2
photo (12.5 % off a 4:3 model), 16:9, square or portrait frame is letterboxed. On the annotated
set (8 CPU PoseNet models, ``posenet_accuracy``) margins of 0 to 0.05 scored best in mean AP
(tfjs 31.1, against 30.0 at 0.15 and 29.5 stretching everything); the 481x641 model gained
8.8 AP on the four 3:2 COCO photos by letterboxing them."""

DECODER_REFINEMENTS: Final[tuple[str, ...]] = ('tfjs', 'accurate')
"""PoseNet keypoint refinement: ``'tfjs'`` is bit-exact TensorFlow.js (nearest-cell sampling, two
refinement steps, root-score order); ``'accurate'`` samples offsets and displacements bilinearly,
refines more and rescores poses by their unsuppressed keypoints (as Coral's C++ decoder), poses
in decreasing pose score."""


@dataclass(frozen=True)
class DecodeOptions:
    """How model outputs become poses.

    Attributes:
        detection_mode: One of ``DETECTION_MODES``.
        max_detections: Most poses returned in ``'multi'`` mode, in ``MAX_DETECTIONS_RANGE``.
        score_threshold: ``'multi'`` mode: lowest heatmap score (sigmoid of the logit) of a
            part that may seed a new pose (tfjs ``scoreThreshold``), in [0, 1].
        nms_radius: ``'multi'`` mode: a keypoint closer than this to the same keypoint of an
            earlier pose does not seed a pose and does not count towards the pose score (tfjs
            ``nmsRadius``). In **model-input pixels**, as in TensorFlow.js, so its effect in
            the source image scales with the resize factor. In ``NMS_RADIUS_RANGE``.
        min_pose_score: Poses scoring below this are dropped after decoding, in both modes,
            in [0, 1].
        flip_horizontal: Return poses mirrored left-right (for mirrored webcam views), as
            TensorFlow.js ``flipHorizontal``: the image is *not* flipped before inference,
            each keypoint's ``x`` becomes ``image_width - 1 - x`` and part labels are
            unchanged (a person's left wrist stays ``leftWrist``).
        keep_aspect_ratio: ``True`` letterboxes the image into the model input (centred, zero
            padding), ``False`` stretches it (Coral's way); ``'auto'`` (default) letterboxes
            only when the aspect ratios differ by more than ``AUTO_LETTERBOX_MARGIN``
            (:func:`letterbox_for`). The strings ``'true'`` and ``'false'`` (the node
            parameter's values) are stored as ``True`` and ``False``. MoveNet models ignore
            it: their input is always a square crop of the image (letterboxed).
        decoder_refinement: One of ``DECODER_REFINEMENTS``; ``'tfjs'`` (default) is
            bit-exact TensorFlow.js. MoveNet models ignore it.
    """

    detection_mode: str = 'multi'
    max_detections: int = 10
    score_threshold: float = 0.5
    nms_radius: float = 20.0
    min_pose_score: float = 0.25
    flip_horizontal: bool = False
    keep_aspect_ratio: bool | str = 'auto'
    decoder_refinement: str = 'tfjs'

    def __post_init__(self) -> None:
        """Reject values outside the documented sets and ranges.

        Raises:
            InputError: (a ``ValueError``) naming the field, the bad value and what is allowed.
        """
        if self.detection_mode not in DETECTION_MODES:
            raise InputError(
                f'detection_mode must be one of {DETECTION_MODES}, got {self.detection_mode!r}')
        check_multi_pose_parameters(self.max_detections, self.score_threshold, self.nms_radius)
        check_score('min_pose_score', self.min_pose_score)
        if not isinstance(self.flip_horizontal, bool):
            raise InputError(
                f'flip_horizontal must be True or False, got {self.flip_horizontal!r}')
        keep = self.keep_aspect_ratio
        if not isinstance(keep, bool):
            if not isinstance(keep, str) or keep not in KEEP_ASPECT_RATIO_CHOICES:
                raise InputError(f'keep_aspect_ratio must be True, False or one of '
                                 f'{KEEP_ASPECT_RATIO_CHOICES}, got {keep!r}')
            if keep != 'auto':  # the node's strings, stored as the bools they name
                object.__setattr__(self, 'keep_aspect_ratio', keep == 'true')
        if (not isinstance(self.decoder_refinement, str)
                or self.decoder_refinement not in DECODER_REFINEMENTS):
            raise InputError(f'decoder_refinement must be one of {DECODER_REFINEMENTS}, '
                             f'got {self.decoder_refinement!r}')


def letterbox_for(keep_aspect_ratio: bool | str, image_width: int, image_height: int,
                  input_width: int, input_height: int) -> bool:
    """Resolve a ``DecodeOptions.keep_aspect_ratio`` value for one image size.

    Args:
        keep_aspect_ratio: ``True``, ``False`` or ``'auto'`` (as ``DecodeOptions`` stores it).
        image_width: Source image width in pixels, >= 1.
        image_height: Source image height in pixels, >= 1.
        input_width: Model input width in pixels, >= 1.
        input_height: Model input height in pixels, >= 1.

    Returns:
        Whether to letterbox: the bool itself, or for ``'auto'`` whether the width/height ratios
        of image and input differ by more than ``AUTO_LETTERBOX_MARGIN`` (relative).
    """
    if isinstance(keep_aspect_ratio, bool):
        return keep_aspect_ratio
    image_ratio = image_width / image_height
    input_ratio = input_width / input_height
    return max(image_ratio, input_ratio) / min(image_ratio, input_ratio) - 1.0 \
        > AUTO_LETTERBOX_MARGIN


def check_multi_pose_parameters(max_detections: object, score_threshold: object,
                                nms_radius: object) -> tuple[int, float, float]:
    """Check the multi-pose parameters against the limits above; return them typed.

    Args:
        max_detections: Most poses, an integer in ``MAX_DETECTIONS_RANGE``.
        score_threshold: Lowest root part score, a real number in ``SCORE_RANGE``.
        nms_radius: Suppression radius in model-input pixels, in ``NMS_RADIUS_RANGE``.

    Returns:
        ``(max_detections, score_threshold, nms_radius)`` as ``(int, float, float)``.

    Raises:
        InputError: (a ``ValueError``) naming the parameter, the bad value and the range.
    """
    low, high = MAX_DETECTIONS_RANGE
    if (not isinstance(max_detections, numbers.Integral) or isinstance(max_detections, bool)
            or not low <= int(max_detections) <= high):
        raise InputError(
            f'max_detections must be an integer in [{low}, {high}], got {max_detections!r}')
    low_radius, high_radius = NMS_RADIUS_RANGE
    radius = _as_real(nms_radius)
    if radius is None or not low_radius <= radius <= high_radius:  # NaN fails the comparison
        raise InputError(
            f'nms_radius must be a number in [{low_radius}, {high_radius}] (model-input '
            f'pixels), got {nms_radius!r}')
    return int(max_detections), check_score('score_threshold', score_threshold), radius


def check_score(name: str, value: object) -> float:
    """Return ``value`` as a float after checking it is a real number in ``SCORE_RANGE``.

    Raises:
        InputError: (a ``ValueError``) naming ``name``, the bad value and the range.
    """
    low, high = SCORE_RANGE
    number = _as_real(value)
    if number is None or not low <= number <= high:  # NaN fails the comparison
        raise InputError(f'{name} must be a number in [{low}, {high}], got {value!r}')
    return number


def _as_real(value: object) -> float | None:
    """Return a real number (not a bool) as a float, anything else as ``None``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return None
