"""PoseEngine: image in, poses in source-image pixels out (preprocess, invoke, decode, map back).

The engine owns one loaded model (:func:`~ros2_posenet.posenet.model.load_model`) and a
reusable :class:`~ros2_posenet.posenet.image.InputWriter`; per frame it

1. checks the image, colour order and filter once (everything below trusts them),
2. resizes the image straight into the input tensor (stretched or letterboxed, RGB),
3. invokes the model,
4. decodes the dequantized outputs with the TensorFlow.js decoders into arrays in model-input
   pixels, drops poses below ``min_pose_score``, and maps all keypoints to source-image pixels
   in one vectorised step with the frame's :class:`~ros2_posenet.posenet.image.InputTransform`
   (mirrored, when asked, as TensorFlow.js ``flipHorizontal`` does).

``Pose`` objects are built once, from the mapped arrays, the first time they are read.
"""

from dataclasses import dataclass
from functools import cached_property
import threading
import time

import numpy as np

from .decode import decode_multiple_poses_unchecked, decode_single_pose_unchecked
from .decode_options import DecodeOptions
from .errors import InputError, ModelError
from .image import (as_input_image, check_color_order, ColorOrder, DEFAULT_INTERPOLATION,
                    InputTransform, InputWriter, interpolation_flag)
from .model import EngineConfig, load_model, ModelInfo, ModelOutputs, ModelRunner
from .pose import Pose, PoseArrays


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
        arrays: The poses as arrays in source-image pixels (x right, y down, pixel centres at
            integers), mirrored when ``flip_horizontal`` was set. Order: ``'single'`` mode one
            pose; ``'multi'`` mode the decoder's order, decreasing *root part* score (not pose
            score), with TensorFlow.js's low-scoring duplicates of one person kept (those with
            a pose score below ``min_pose_score`` are dropped).
        timings: Per-stage timings of the call.
        transform: The map between model-input and source-image pixels used for this image.
    """

    arrays: PoseArrays
    timings: StageTimings
    transform: InputTransform

    @cached_property
    def poses(self) -> tuple[Pose, ...]:
        """Return ``arrays`` as ``Pose`` objects, same order (built once, on first read)."""
        return self.arrays.to_poses()


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
        self._model_info = self._runner.info
        layout = self._runner.layout
        self._writer = InputWriter(layout.input_height, layout.input_width, layout.input_dtype)
        self._lock = threading.Lock()

    @property
    def model_info(self) -> ModelInfo:
        """Return what is running (model, input size, stride, delegate)."""
        return self._model_info

    def estimate(self, image: np.ndarray, color_order: ColorOrder = 'rgb',
                 options: DecodeOptions = DecodeOptions(), *,
                 interpolation: str = DEFAULT_INTERPOLATION) -> EstimateResult:
        """Find the poses in one image.

        Args:
            image: ``[H, W, 3]`` uint8 image, any strides (copied once if not C-contiguous).
            color_order: ``'rgb'`` or ``'bgr'`` (OpenCV); models always receive RGB.
            options: Decoding mode, thresholds, letterboxing and mirroring.
            interpolation: Resize filter, a name in ``image.INTERPOLATIONS``
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
        image = as_input_image(image)
        check_color_order(color_order)
        flag = interpolation_flag(interpolation)
        with self._lock:
            runner = self._require_open()
            transform = runner.write_input(lambda view: self._writer.write(
                image, view, color_order, options.keep_aspect_ratio, flag))
            preprocessed = time.perf_counter()
            runner.invoke()
            invoked = time.perf_counter()
            # single-pose decoding never reads the displacements: skip dequantizing them
            outputs = runner.outputs(include_displacements=options.detection_mode != 'single')
            arrays = self._decode(outputs, options)
        arrays = transform.poses_to_image(
            arrays.select(arrays.pose_scores >= options.min_pose_score), options.flip_horizontal)
        done = time.perf_counter()
        timings = StageTimings(
            preprocess_ms=(preprocessed - start) * 1e3, invoke_ms=(invoked - preprocessed) * 1e3,
            decode_ms=(done - invoked) * 1e3, total_ms=(done - start) * 1e3)
        return EstimateResult(arrays=arrays, timings=timings, transform=transform)

    def _decode(self, outputs: ModelOutputs, options: DecodeOptions) -> PoseArrays:
        """Decode in model-input pixels; ``outputs`` and ``options`` are valid by construction."""
        stride = self._model_info.output_stride
        if options.detection_mode == 'single':
            return decode_single_pose_unchecked(outputs.heatmap_logits, outputs.offsets, stride)
        assert outputs.displacement_fwd is not None and outputs.displacement_bwd is not None
        return decode_multiple_poses_unchecked(
            outputs.heatmap_logits, outputs.offsets, outputs.displacement_fwd,
            outputs.displacement_bwd, stride, options.max_detections, options.score_threshold,
            options.nms_radius)

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
