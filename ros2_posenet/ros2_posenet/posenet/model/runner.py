"""Load a PoseNet model on its delegate and run it: input tensor in, TF.js-layout arrays out.

:func:`load_model` reads the file, removes Coral's ``PosenetDecoderOp`` if present, builds the
interpreter on the requested delegate (with CPU fallback when allowed) and recognises the model
family. :class:`ModelRunner` then lets its caller fill the input tensor in place
(:meth:`ModelRunner.write_input`, which owns TFLite's rule that no view of the interpreter's
buffers may live during ``invoke``), invokes, and dequantizes the outputs into preallocated
float32 buffers in the TensorFlow.js layout the decoders expect (:meth:`ModelRunner.outputs`),
or, for a MoveNet model, into one [17, 3] (y, x, score) array (:meth:`ModelRunner.keypoints`).
"""

from dataclasses import dataclass
import logging
from pathlib import Path
import stat
from typing import Any, Callable, TypeVar

import numpy as np

from ..errors import DelegateError, ModelError
from .config import EngineConfig
from .data_path import resolve_model_path
from .decoder_op_removal import (
    EDGETPU_CUSTOM_OP, POSENET_DECODER_OP, load_schema, remove_decoder_op, used_custom_ops)
from .delegates import create_delegated_interpreter
from .layout import (Bindings, identify_layout, KeypointBinding, ModelLayout, MOVENET_OUTPUT_SHAPE,
                     OutputBindings, OutputSlice)
from .runtime import load_runtime

_LOGGER = logging.getLogger(__name__)

_Written = TypeVar('_Written')


@dataclass(frozen=True)
class ModelInfo:
    """What is running: the model's facts and the delegate in use (built once per load).

    Attributes:
        path: Resolved model file path.
        family: ``'tflite_official'``, ``'coral_raw'``, ``'coral_decoder'`` or
            ``'movenet_singlepose'`` (see ``layout.FAMILIES``).
        input_height: Model input height in pixels.
        input_width: Model input width in pixels.
        input_dtype: ``'uint8'`` or ``'float32'``.
        output_stride: Model-input pixels per output grid cell (0 for MoveNet: no grid).
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
class ModelOutputs:
    """Dequantized model outputs in the TensorFlow.js layout, batch axis removed.

    All arrays are float32, C-contiguous, on the output grid [h, w, C] whose cell (i, j) sits at
    input pixel (stride * i, stride * j). They are the runner's reusable buffers: the next
    :meth:`ModelRunner.outputs` call overwrites them, so copy what must outlive a frame.

    Attributes:
        heatmap_logits: [h, w, 17] keypoint logits (score = sigmoid).
        offsets: [h, w, 34] short offsets, [dy parts 0..16 | dx parts 0..16], input pixels.
        displacement_fwd: [h, w, 32] parent->child edge vectors [dy 0..15 | dx 0..15], pixels;
            ``None`` when the outputs were read with ``include_displacements=False``
            (single-pose decoding never reads them).
        displacement_bwd: [h, w, 32] child->parent edge vectors [dy 0..15 | dx 0..15], pixels;
            ``None`` exactly when ``displacement_fwd`` is.
    """

    heatmap_logits: np.ndarray
    offsets: np.ndarray
    displacement_fwd: np.ndarray | None
    displacement_bwd: np.ndarray | None


@dataclass(frozen=True)
class _Dequantization:
    """Copy channels [start, stop) of one output tensor into a float32 buffer."""

    start: int
    stop: int
    scale: np.ndarray | None  # float32 scalar or per-channel [C]; None: float tensor, copy only
    zero_point: np.ndarray | None
    out: np.ndarray

    def run(self, tensor: np.ndarray) -> None:
        source = tensor[..., self.start:self.stop]
        if self.scale is None or self.zero_point is None:
            np.copyto(self.out, source)
            return
        np.subtract(source, self.zero_point, out=self.out, dtype=np.float32)
        np.multiply(self.out, self.scale, out=self.out)


def _dequantization(output: OutputSlice, grid: tuple[int, ...]) -> _Dequantization:
    spec = output.tensor
    channels = output.channel_stop - output.channel_start
    out = np.zeros((*grid, channels), dtype=np.float32)
    if not spec.quantized:
        return _Dequantization(output.channel_start, output.channel_stop, None, None, out)
    scales = np.asarray(spec.scales, dtype=np.float32)
    zero_points = np.asarray(spec.zero_points, dtype=np.float32)
    if scales.size > 1:  # per-channel parameters along the channel axis
        if spec.quantized_dimension != len(spec.shape) - 1 or scales.size != spec.shape[-1]:
            raise ModelError(f'output {spec.describe()} is quantized per channel along axis '
                             f'{spec.quantized_dimension}; only the channel axis is supported')
        channel = slice(output.channel_start, output.channel_stop)
        scale, zero_point = scales[channel], zero_points[channel]
    else:
        scale, zero_point = scales.reshape(()), zero_points.reshape(())
    return _Dequantization(output.channel_start, output.channel_stop, scale, zero_point, out)


class ModelRunner:
    """A loaded model: :meth:`write_input`, :meth:`invoke`, read :meth:`outputs`.

    PoseNet models are read with :meth:`outputs`, MoveNet models with :meth:`keypoints`
    (``layout.is_movenet`` tells which). Create it with :func:`load_model`. Not thread-safe:
    one frame at a time.

    Attributes:
        layout: Family, input size and dtype, output stride and grid of the model.
        info: The model's facts and the delegate actually running it.
    """

    def __init__(self, interpreter: Any, layout: ModelLayout, bindings: Bindings,
                 delegate: str, fallback_reason: str | None) -> None:
        """Wrap an allocated interpreter (use :func:`load_model` instead of calling this)."""
        self.layout = layout
        self.info = ModelInfo(
            path=str(layout.path), family=layout.family, input_height=layout.input_height,
            input_width=layout.input_width, input_dtype=np.dtype(layout.input_dtype).name,
            output_stride=layout.output_stride, delegate=delegate,
            fallback_reason=fallback_reason)
        self._interpreter: Any = interpreter
        self._input_tensor: Callable[[], np.ndarray] = interpreter.tensor(
            interpreter.get_input_details()[0]['index'])
        self._keypoint_step: _Dequantization | None = None
        self._output_tensors: dict[int, Callable[[], np.ndarray]] = {}
        self._all_steps: list[tuple[int, list[_Dequantization]]] = []
        self._steps_without_displacements: list[tuple[int, list[_Dequantization]]] = []
        if isinstance(bindings, KeypointBinding):
            self._init_keypoints(bindings)
        else:
            self._init_grids(bindings)

    def _init_keypoints(self, binding: KeypointBinding) -> None:
        """Prepare reading a MoveNet model's [1, 1, 17, 3] output into a [17, 3] buffer."""
        spec = binding.tensor
        # the tensor viewed as [17, 3]: channel slices of _Dequantization run on the last axis
        self._keypoint_step = _dequantization(OutputSlice(spec, 0, 3), MOVENET_OUTPUT_SHAPE[2:3])
        self._output_tensors = {spec.index: self._interpreter.tensor(spec.index)}

    def _init_grids(self, bindings: OutputBindings) -> None:
        """Prepare dequantizing a PoseNet model's grids into TF.js-layout buffers."""
        interpreter = self._interpreter
        layout = self.layout
        grid = (layout.output_height, layout.output_width)
        roles = ('heatmap_logits', 'offsets', 'displacement_fwd', 'displacement_bwd')
        steps = {role: _dequantization(getattr(bindings, role), grid) for role in roles}
        self._outputs = ModelOutputs(**{role: step.out for role, step in steps.items()})
        self._outputs_without_displacements = ModelOutputs(
            steps['heatmap_logits'].out, steps['offsets'].out, None, None)

        def steps_by_tensor(roles: tuple[str, ...]) -> list[tuple[int, list[_Dequantization]]]:
            # grouped by tensor so a Coral mid-offsets tensor is viewed once for fwd and bwd
            grouped: dict[int, list[_Dequantization]] = {}
            for role in roles:
                grouped.setdefault(getattr(bindings, role).tensor.index, []).append(steps[role])
            return list(grouped.items())

        self._all_steps = steps_by_tensor(roles)
        self._steps_without_displacements = steps_by_tensor(roles[:2])
        self._output_tensors = {index: interpreter.tensor(index) for index, _ in self._all_steps}

    def _require_open(self) -> Any:
        if self._interpreter is None:
            raise ModelError(f'the model runner for {self.layout.path} is closed')
        return self._interpreter

    def write_input(self, fill: Callable[[np.ndarray], _Written]) -> _Written:
        """Let ``fill`` write the input tensor in place; return what it returns.

        ``fill`` receives a writable ``[H, W, 3]`` view of the input tensor in the model's input
        dtype (raw RGB bytes for uint8 models, ``x / 127.5 - 1`` for float32 ones) and must not
        keep it: TFLite refuses to invoke while a view of its buffers is alive, so the runner
        drops its own reference before returning.

        Raises:
            ModelError: The runner is closed.
        """
        self._require_open()
        view = self._input_tensor()[0]
        try:
            return fill(view)
        finally:
            del view

    def invoke(self) -> None:
        """Run the model on the current input tensor.

        Raises:
            DelegateError: The delegate failed while running.
            ModelError: The runtime failed while running on the CPU, or the runner is closed.
        """
        interpreter = self._require_open()
        delegate = self.info.delegate
        try:
            interpreter.invoke()
        except RuntimeError as error:
            if delegate != 'cpu':
                raise DelegateError(
                    f'The {delegate} delegate failed running {self.layout.path}: '
                    f'{error}') from error
            raise ModelError(f'Running {self.layout.path} failed: {error}') from error

    def outputs(self, include_displacements: bool = True) -> ModelOutputs:
        """Dequantize the last :meth:`invoke` results into the reusable float32 buffers.

        Args:
            include_displacements: Also dequantize the displacement outputs (multi-pose
                decoding needs them); when False their fields are ``None`` and their buffers
                are left as they were, which saves about half of the work.

        Returns:
            The outputs in TF.js layout; overwritten by the next call (copy to keep them).

        Raises:
            ModelError: The runner is closed, or the model is a MoveNet model (read
                :meth:`keypoints` instead).
        """
        self._require_open()
        if self._keypoint_step is not None:
            raise ModelError(f'{self.layout.path} is a MoveNet model: read its keypoints()')
        steps_by_tensor = (self._all_steps if include_displacements
                           else self._steps_without_displacements)
        for index, steps in steps_by_tensor:
            tensor = self._output_tensors[index]()[0]
            for step in steps:
                step.run(tensor)
            del tensor  # never keep a view of interpreter memory across invoke()
        return self._outputs if include_displacements else self._outputs_without_displacements

    def keypoints(self) -> np.ndarray:
        """Return a MoveNet model's last output as float32 [17, 3] (y, x, score), dequantized.

        y and x are normalised to [0, 1] over the model input (0 = its top/left border, 1 =
        its bottom/right border). The array is the runner's reusable buffer: the next call
        overwrites it.

        Raises:
            ModelError: The runner is closed, or the model is not a MoveNet model.
        """
        self._require_open()
        step = self._keypoint_step
        if step is None:
            raise ModelError(f'{self.layout.path} is a PoseNet model: read its outputs()')
        index = next(iter(self._output_tensors))
        tensor = self._output_tensors[index]()[0, 0]
        step.run(tensor)
        del tensor  # never keep a view of interpreter memory across invoke()
        return step.out

    def close(self) -> None:
        """Release the interpreter and its delegate; the runner cannot be used afterwards."""
        self._input_tensor = self._no_tensor
        self._output_tensors = {}
        self._interpreter = None

    @staticmethod
    def _no_tensor() -> np.ndarray:
        raise ModelError('the model runner is closed')

    def __enter__(self) -> 'ModelRunner':
        """Return the runner itself, closed on leaving the ``with`` block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the runner."""
        self.close()


def read_model_file(path: Path) -> bytes:
    """Read a model file, with errors that name the path.

    Raises:
        ModelError: The path is missing, a directory, not a regular file (a FIFO would block,
            a device never end), unreadable or empty.
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ModelError(
            f'Model file {path} does not exist. Give an absolute path, or a file name under '
            '<data dir>/models (set POSENET_DATA_DIR, or download models with '
            'posenet_download_models).') from None
    except OSError as error:  # e.g. a name too long, no permission on a parent folder
        raise ModelError(f'Model path {path} cannot be looked up: '
                         f'{error.strerror or error}') from None
    if stat.S_ISDIR(mode):
        raise ModelError(f'Model path {path} is a directory; expected a .tflite file.')
    if not stat.S_ISREG(mode):
        raise ModelError(f'Model path {path} is not a regular file (a device, FIFO or '
                         'socket); expected a .tflite file.')
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ModelError(f'Model file {path} cannot be read: {error}') from error
    if not content:
        raise ModelError(f'Model file {path} is empty; download it again.')
    return content


def _custom_ops(content: bytes, path: Path) -> frozenset[str]:
    """Return the custom ops the model uses, degrading gracefully without a schema module."""
    try:
        load_schema()
    except ModelError as error:
        # Without a schema, only a model needing the rewrite is blocked; the interpreter still
        # reports anything else it cannot run.
        if POSENET_DECODER_OP.encode() in content:
            raise ModelError(f'{path} ends in {POSENET_DECODER_OP}, which must be removed '
                             f'before it can run. {error}') from error
        _LOGGER.debug('No TFLite schema module; custom ops of %s not inspected', path)
        return frozenset({EDGETPU_CUSTOM_OP}) if EDGETPU_CUSTOM_OP.encode() in content \
            else frozenset()
    try:
        return used_custom_ops(content)
    except ModelError as error:
        raise ModelError(f'{path} is not a valid TFLite model: {error}. '
                         'Download it again (the file may be truncated).') from error


def load_model(config: EngineConfig) -> ModelRunner:
    """Load a PoseNet model on the configured delegate.

    Args:
        config: Model path, delegate and threads.

    Returns:
        A runner with allocated tensors.

    Raises:
        RuntimeNotFoundError: No TFLite runtime is installed.
        ModelError: The file is missing, empty, corrupt, or not a supported PoseNet model.
        DelegateError: The delegate cannot run the model and falling back is off or impossible.
    """
    runtime = load_runtime()
    path = resolve_model_path(config.model_path)
    content = read_model_file(path)
    custom_ops = _custom_ops(content, path)
    decoder_removed = POSENET_DECODER_OP in custom_ops
    if decoder_removed:
        try:
            content = remove_decoder_op(content)
        except ModelError as error:
            raise ModelError(f'{path}: cannot remove {POSENET_DECODER_OP}: {error}') from error
    edgetpu_compiled = EDGETPU_CUSTOM_OP in custom_ops
    # every error of the delegate step names the model path itself
    delegated = create_delegated_interpreter(runtime, content, config, str(path),
                                             edgetpu_compiled)
    interpreter = delegated.interpreter
    layout, bindings = identify_layout(str(path), interpreter.get_input_details(),
                                       interpreter.get_output_details(), decoder_removed,
                                       edgetpu_compiled)
    _LOGGER.info('Loaded %s (%s, %dx%d %s, stride %d) on %s with %s', path, layout.family,
                 layout.input_height, layout.input_width, layout.input_dtype.name,
                 layout.output_stride, delegated.delegate, runtime.name)
    return ModelRunner(interpreter, layout, bindings, delegated.delegate,
                       delegated.fallback_reason)
