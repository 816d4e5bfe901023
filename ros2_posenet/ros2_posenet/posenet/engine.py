"""PoseEngine: image in, poses in source-image pixels out (preprocess, invoke, decode, map back).

The engine owns one loaded model (:func:`~ros2_posenet.posenet.model.load_model`) and a
reusable :class:`~ros2_posenet.posenet.image.InputWriter`; per frame it

1. checks the image, colour order, filter and options once (everything below trusts them),
2. resizes the image straight into the input tensor (stretched or letterboxed, RGB;
   ``keep_aspect_ratio='auto'`` picks one per image size),
3. invokes the model,
4. decodes the dequantized outputs into arrays in model-input pixels (the TensorFlow.js
   decoders, or the ``'accurate'`` refinement), drops poses below ``min_pose_score``, and maps
   all keypoints to source-image pixels in one vectorised step with the frame's
   :class:`~ros2_posenet.posenet.image.InputTransform` (mirrored, when asked, as TensorFlow.js
   ``flipHorizontal`` does).

MoveNet SinglePose models (``'single'`` mode only) go through the same steps with a square crop
of the image as input, the "smart crop" TensorFlow.js pose-detection uses: the whole image
padded to a square at first, then the region around the person of the previous frame, kept per
engine (:class:`~ros2_posenet.posenet.decode.movenet.SmartCrop`; :meth:`PoseEngine.reset`
forgets it, and it is dropped when the image size changes or the person is lost).

``Pose`` objects are built once, from the mapped arrays, the first time they are read.
"""

from dataclasses import dataclass
from functools import cached_property
import threading
import time

import numpy as np

from .decode import decode_multiple_poses_unchecked, decode_single_pose_unchecked
from .decode.movenet import decode_movenet_keypoints, SmartCrop
from .decode.refinement import (decode_multiple_poses_accurate_unchecked,
                                decode_single_pose_accurate_unchecked)
from .decode_options import DecodeOptions
from .errors import InputError, ModelError
from .image import (as_input_image, check_color_order, ColorOrder, DEFAULT_INTERPOLATION,
                    InputTransform, InputWriter, interpolation_flag)
from .image.preprocess import crop_transform, CropWriter
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
            pose; ``'multi'`` mode the decoder's order: with ``decoder_refinement='tfjs'``
            decreasing *root part* score (not pose score), with TensorFlow.js's low-scoring
            duplicates of one person kept; with ``'accurate'`` decreasing pose score (those
            with a pose score below ``min_pose_score`` are dropped either way).
        timings: Per-stage timings of the call.
        transform: The map between model-input and source-image pixels used for this image
            (for MoveNet, the crop the model saw).
    """

    arrays: PoseArrays
    timings: StageTimings
    transform: InputTransform

    @cached_property
    def poses(self) -> tuple[Pose, ...]:
        """Return ``arrays`` as ``Pose`` objects, same order (built once, on first read)."""
        return self.arrays.to_poses()


class PoseEngine:
    """Estimates human poses with one PoseNet or MoveNet model; safe to call from several threads.

    Calls are serialised with a lock (the interpreter runs one frame at a time). A MoveNet
    engine keeps the crop region of its last frame (one stream per engine; see :meth:`reset`).
    """

    def __init__(self, config: EngineConfig) -> None:
        """Load the model on the configured delegate.

        Args:
            config: Model, delegate and thread settings.

        Raises:
            RuntimeNotFoundError: No TFLite runtime is installed.
            ModelError: The model is missing, corrupt, or not a PoseNet or MoveNet model.
            DelegateError: The delegate cannot run the model and fallback is off.
        """
        self.config = config
        self._runner: ModelRunner | None = load_model(config)
        self._model_info = self._runner.info
        layout = self._runner.layout
        self._movenet = layout.is_movenet
        self._writer = (None if self._movenet else
                        InputWriter(layout.input_height, layout.input_width, layout.input_dtype))
        self._crop_writer = (CropWriter(layout.input_height, layout.input_width,
                                        layout.input_dtype) if self._movenet else None)
        self._smart_crop = SmartCrop()
        self._lock = threading.Lock()

    @property
    def model_info(self) -> ModelInfo:
        """Return what is running (model, family, input size, stride, delegate)."""
        return self._model_info

    def check_options(self, options: DecodeOptions) -> None:
        """Raise :class:`InputError` if ``options`` cannot run with this model.

        For callers that want to refuse a configuration before the first frame (a node at
        configure); :meth:`estimate` makes the same check.

        Raises:
            InputError: ``options`` is not a ``DecodeOptions``, or asks for ``'multi'`` mode
                of a MoveNet SinglePose model (which finds one person per image).
        """
        if not isinstance(options, DecodeOptions):
            raise InputError(f'options must be a DecodeOptions, got {type(options).__name__}')
        if self._movenet and options.detection_mode != 'single':
            raise InputError(
                f'{self._model_info.path} is a MoveNet SinglePose model, which finds one '
                f"person per image: set detection_mode to 'single' (node parameter "
                f'detection_mode, posenet_estimate --mode single), or load a PoseNet model '
                f"for detection_mode '{options.detection_mode}'")

    def reset(self) -> None:
        """Forget what the engine carries between frames (MoveNet's crop region).

        Call it between unrelated images or streams; the next frame is estimated on the whole
        image. PoseNet engines carry nothing, so it changes nothing for them.
        """
        with self._lock:
            self._smart_crop.reset()

    def estimate(self, image: np.ndarray, color_order: ColorOrder = 'rgb',
                 options: DecodeOptions = DecodeOptions(), *,
                 interpolation: str = DEFAULT_INTERPOLATION) -> EstimateResult:
        """Find the poses in one image.

        Args:
            image: ``[H, W, 3]`` uint8 image, any strides (copied once if not C-contiguous).
            color_order: ``'rgb'`` or ``'bgr'`` (OpenCV); models always receive RGB.
            options: Decoding mode, thresholds, letterboxing, refinement and mirroring (a
                MoveNet model needs ``'single'`` mode and always sees a square crop, so
                ``keep_aspect_ratio`` and ``decoder_refinement`` do not apply to it).
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
        self.check_options(options)
        image = as_input_image(image)
        check_color_order(color_order)
        flag = interpolation_flag(interpolation)
        if self._movenet:
            return self._estimate_movenet(image, color_order, options, flag, start)
        writer = self._writer
        assert writer is not None
        with self._lock:
            runner = self._require_open()
            transform = runner.write_input(lambda view: writer.write(
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
        accurate = options.decoder_refinement == 'accurate'
        if options.detection_mode == 'single':
            single = (decode_single_pose_accurate_unchecked if accurate
                      else decode_single_pose_unchecked)
            return single(outputs.heatmap_logits, outputs.offsets, stride)
        assert outputs.displacement_fwd is not None and outputs.displacement_bwd is not None
        multi = (decode_multiple_poses_accurate_unchecked if accurate
                 else decode_multiple_poses_unchecked)
        return multi(
            outputs.heatmap_logits, outputs.offsets, outputs.displacement_fwd,
            outputs.displacement_bwd, stride, options.max_detections, options.score_threshold,
            options.nms_radius)

    def _estimate_movenet(self, image: np.ndarray, color_order: ColorOrder,
                          options: DecodeOptions, flag: int, start: float) -> EstimateResult:
        """Run MoveNet SinglePose on the smart crop of ``image`` (checked by ``estimate``)."""
        height, width = image.shape[:2]
        writer = self._crop_writer
        assert writer is not None
        preprocess_s = invoke_s = 0.0
        stage_start = start
        with self._lock:
            runner = self._require_open()
            input_width, input_height = runner.layout.input_width, runner.layout.input_height
            crop = self._smart_crop
            region, carried = crop.region_for(width, height)
            while True:
                transform = crop_transform(width, height, input_width, input_height,
                                           region.left, region.top, region.width,
                                           region.height)
                runner.write_input(lambda view: writer.write(
                    image, view, color_order, transform, flag))
                invoke_start = time.perf_counter()
                preprocess_s += invoke_start - stage_start
                runner.invoke()
                stage_start = time.perf_counter()
                invoke_s += stage_start - invoke_start
                arrays = transform.poses_to_image(decode_movenet_keypoints(
                    runner.keypoints(), input_width, input_height))
                if not carried or crop.continues(arrays.keypoints_xy[0],
                                                 arrays.keypoint_scores[0]):
                    break
                # the person is lost in the region carried over from the previous frame, or
                # this is an unrelated image: estimate this frame on the whole image at once
                crop.reset()
                region, carried = crop.region_for(width, height)
            crop.update(arrays.keypoints_xy[0], arrays.keypoint_scores[0],
                        float(arrays.pose_scores[0]))
        arrays = arrays.select(arrays.pose_scores >= options.min_pose_score)
        if options.flip_horizontal:
            arrays = transform.mirror(arrays)
        done = time.perf_counter()
        total_s = done - start
        timings = StageTimings(
            preprocess_ms=preprocess_s * 1e3, invoke_ms=invoke_s * 1e3,
            decode_ms=(total_s - preprocess_s - invoke_s) * 1e3, total_ms=total_s * 1e3)
        return EstimateResult(arrays=arrays, timings=timings, transform=transform)

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
