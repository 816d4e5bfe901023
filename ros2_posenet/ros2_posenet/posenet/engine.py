"""PoseEngine: image in, poses in source-image pixels out (preprocess, invoke, decode, map back).

The engine owns one loaded model (:func:`~ros2_posenet.posenet.model_runner.load_model`) and a
reusable :class:`~ros2_posenet.posenet.preprocess.InputWriter`; per frame it

1. resizes the image straight into the input tensor (stretched or letterboxed, RGB),
2. invokes the model,
3. decodes the dequantized outputs with the TensorFlow.js decoders (model-input pixels),
   drops poses below ``min_pose_score``, maps keypoints to source-image pixels with the
   frame's :class:`~ros2_posenet.posenet.preprocess.InputTransform` and, when asked, mirrors
   them as TensorFlow.js ``flipHorizontal`` does.
"""

from collections.abc import Sequence
from dataclasses import dataclass
import threading
import time

import numpy as np

from .decode.build_pose import new_keypoint, new_valid_pose
from .decode.multi_pose.decode_multiple_poses import decode_multiple_poses
from .decode_options import DecodeOptions
from .decode.single_pose.decode_single_pose import decode_single_pose
from .model.config import EngineConfig
from .errors import InputError, ModelError
from .model.runner import load_model, ModelOutputs, ModelRunner
from .pose import Keypoint, Pose
from .image.preprocess import (
    check_color_order, check_image, check_interpolation, DEFAULT_INTERPOLATION, InputTransform,
    InputWriter)


@dataclass(frozen=True)
class ModelInfo:
    """What is running.

    Attributes:
        path: Resolved model file path.
        family: ``'tflite_official'``, ``'coral_raw'`` or ``'coral_decoder'``
            (see ``model_layout.FAMILIES``).
        input_height: Model input height in pixels.
        input_width: Model input width in pixels.
        input_dtype: ``'uint8'`` or ``'float32'``.
        output_stride: Model-input pixels per output grid cell.
        delegate: The delegate actually running the model: ``'cpu'``, ``'edgetpu'`` or ``'gpu'``.
        fallback_reason: Why the configured delegate is not the one running, else ``None``.
    """

    path: str
    family: str
    input_height: int
    input_width: int
    input_dtype: str
    output_stride: int
    delegate: str
    fallback_reason: str | None


@dataclass(frozen=True)
class StageTimings:
    """Wall-clock time of one :meth:`PoseEngine.estimate` call per stage, in milliseconds.

    Attributes:
        preprocess_ms: Image checks, resize, colour conversion and scaling into the input tensor.
        invoke_ms: The interpreter's ``invoke()`` alone.
        decode_ms: Dequantizing outputs, decoding poses, filtering and mapping to the image.
        total_ms: The whole call (slightly more than the sum of the stages).
    """

    preprocess_ms: float
    invoke_ms: float
    decode_ms: float
    total_ms: float


@dataclass(frozen=True)
class EstimateResult:
    """Poses found in one image.

    Attributes:
        poses: Poses in source-image pixels (x right, y down, pixel centres at integers),
            mirrored when ``flip_horizontal`` was set; in decoder order (highest root score
            first for ``'multi'``), each with all 17 keypoints.
        timings: Per-stage timings of the call.
        transform: The map between model-input and source-image pixels used for this image.
    """

    poses: tuple[Pose, ...]
    timings: StageTimings
    transform: InputTransform


class PoseEngine:
    """Estimates human poses with one PoseNet model; safe to call from several threads.

    Calls are serialised with a lock (the interpreter runs one frame at a time).
    """

    def __init__(self, config: EngineConfig) -> None:
        """Load the model on the configured delegate.

        Args:
            config: Model, delegate and thread settings.

        Raises:
            RuntimeNotFoundError: No TFLite runtime is installed.
            ModelError: The model is missing, corrupt, or not a PoseNet model.
            DelegateError: The delegate cannot run the model and fallback is off.
        """
        self.config = config
        self._runner: ModelRunner | None = load_model(config)
        layout = self._runner.layout
        self._model_info = ModelInfo(
            path=str(layout.path), family=layout.family, input_height=layout.input_height,
            input_width=layout.input_width, input_dtype=np.dtype(layout.input_dtype).name,
            output_stride=layout.output_stride, delegate=self._runner.delegate,
            fallback_reason=self._runner.fallback_reason)
        self._writer = InputWriter(layout.input_height, layout.input_width, layout.input_dtype)
        self._lock = threading.Lock()

    @property
    def model_info(self) -> ModelInfo:
        """Return what is running (model, input size, stride, delegate)."""
        return self._model_info

    def estimate(self, image: np.ndarray, color_order: str = 'rgb',
                 options: DecodeOptions = DecodeOptions(), *,
                 interpolation: str = DEFAULT_INTERPOLATION) -> EstimateResult:
        """Find the poses in one image.

        Args:
            image: ``[H, W, 3]`` uint8 image, any strides (copied once if not C-contiguous).
            color_order: ``'rgb'`` or ``'bgr'`` (OpenCV); models always receive RGB.
            options: Decoding mode, thresholds, letterboxing and mirroring.
            interpolation: Resize filter, a name in ``preprocess.INTERPOLATIONS``
                (``'nearest'`` reproduces Coral's reference preprocessing).

        Returns:
            Poses in source-image pixels, per-stage timings and the transform used.

        Raises:
            InputError: Bad image, colour order, interpolation or options (nothing is run).
            ModelError: The engine is closed, or the runtime failed.
            DelegateError: The delegate failed while running.
        """
        start = time.perf_counter()
        if not isinstance(options, DecodeOptions):
            raise InputError(f'options must be a DecodeOptions, got {type(options).__name__}')
        image = check_image(image)
        check_color_order(color_order)
        check_interpolation(interpolation)
        with self._lock:
            runner = self._require_open()
            view = runner.input_view()
            try:
                transform = self._writer.write(image, view, color_order,
                                               options.keep_aspect_ratio, interpolation)
            finally:
                del view  # TFLite refuses to invoke while a view of its buffers is alive
            preprocessed = time.perf_counter()
            runner.invoke()
            invoked = time.perf_counter()
            # single-pose decoding never reads the displacements: skip dequantizing them
            outputs = runner.outputs(include_displacements=options.detection_mode != 'single')
            poses = self._decode(outputs, options, transform)
        done = time.perf_counter()
        timings = StageTimings(
            preprocess_ms=(preprocessed - start) * 1e3, invoke_ms=(invoked - preprocessed) * 1e3,
            decode_ms=(done - invoked) * 1e3, total_ms=(done - start) * 1e3)
        return EstimateResult(poses=poses, timings=timings, transform=transform)

    def _decode(self, outputs: ModelOutputs, options: DecodeOptions,
                transform: InputTransform) -> tuple[Pose, ...]:
        stride = self._model_info.output_stride
        if options.detection_mode == 'single':
            model_poses = [decode_single_pose(outputs.heatmap_logits, outputs.offsets, stride)]
        else:
            if outputs.displacement_fwd is None or outputs.displacement_bwd is None:
                raise ModelError('multi-pose decoding needs the displacement outputs; read '
                                 'them with ModelRunner.outputs(include_displacements=True)')
            model_poses = decode_multiple_poses(
                outputs.heatmap_logits, outputs.offsets, outputs.displacement_fwd,
                outputs.displacement_bwd, stride, max_detections=options.max_detections,
                score_threshold=options.score_threshold, nms_radius=options.nms_radius)
        return map_poses_to_image([pose for pose in model_poses
                                   if pose.score >= options.min_pose_score],
                                  transform, options.flip_horizontal)

    def _require_open(self) -> ModelRunner:
        if self._runner is None:
            raise ModelError(f'the PoseEngine for {self._model_info.path} is closed')
        return self._runner

    def close(self) -> None:
        """Release the model and its delegate; later :meth:`estimate` calls raise ModelError."""
        with self._lock:
            if self._runner is not None:
                self._runner.close()
                self._runner = None

    def __enter__(self) -> 'PoseEngine':
        """Return the engine, closed on leaving the ``with`` block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the engine."""
        self.close()


def map_pose_to_image(pose: Pose, transform: InputTransform,
                      flip_horizontal: bool = False) -> Pose:
    """Map a pose from model-input pixels to source-image pixels.

    Args:
        pose: Pose in model-input pixels (as the decoders return it).
        transform: The frame's model-input -> source-image map.
        flip_horizontal: Mirror as TensorFlow.js ``flipPoseHorizontal`` does after scaling:
            ``x -> image_width - 1 - x``; ``y``, scores and part labels unchanged.

    Returns:
        A new pose in source-image pixels (scores unchanged).
    """
    return map_poses_to_image((pose,), transform, flip_horizontal)[0]


def map_poses_to_image(poses: Sequence[Pose], transform: InputTransform,
                       flip_horizontal: bool = False) -> tuple[Pose, ...]:
    """Map the poses of one frame from model-input pixels to source-image pixels.

    Same result as :func:`map_pose_to_image` on each pose. Multi-pose decoding often returns
    one person several times, its poses holding the same ``Keypoint`` objects; each such
    object is mapped once and the mapped keypoint shared in turn (keypoints are immutable).
    The new keypoints and poses are built by ``build_pose`` without re-running their checks,
    which hold for the mapped poses as they did for the given ones.

    Args:
        poses: Poses in model-input pixels (held by the caller during the call: keypoints
            are recognised by ``id()``).
        transform: The frame's model-input -> source-image map.
        flip_horizontal: See :func:`map_pose_to_image`.

    Returns:
        The new poses in source-image pixels, in the given order.
    """
    # InputTransform.to_image written out with its constants read once; the same float
    # operations in the same order, so the same doubles
    scale_x = float(transform.scale_x)
    scale_y = float(transform.scale_y)
    pad_x = float(transform.pad_x)
    pad_y = float(transform.pad_y)
    last_column = float(transform.image_width - 1)
    mapped: dict[int, Keypoint] = {}  # id() of a model-input keypoint -> mapped keypoint
    result = []
    for pose in poses:
        keypoints = []
        for keypoint in pose.keypoints:
            image_keypoint = mapped.get(id(keypoint))
            if image_keypoint is None:
                x = (keypoint.x - pad_x + 0.5) * scale_x - 0.5
                y = (keypoint.y - pad_y + 0.5) * scale_y - 0.5
                if flip_horizontal:
                    x = last_column - x
                # the poses (and so the keypoints keyed by id()) stay alive until the end
                image_keypoint = mapped[id(keypoint)] = new_keypoint(
                    keypoint.id, keypoint.name, x, y, keypoint.score)
            keypoints.append(image_keypoint)
        result.append(new_valid_pose(pose.score, tuple(keypoints)))
    return tuple(result)
