"""Recognise which PoseNet family a loaded model belongs to, from its tensors alone.

Families (tensor semantics in ``MODEL_NOTES.md``):

* ``'tflite_official'``: four outputs, heatmaps [1,h,w,17], short offsets [1,h,w,34],
  displacement_fwd [1,h,w,32], displacement_bwd [1,h,w,32] (names like
  ``MobilenetV1/heatmap_2/BiasAdd``), float or quantized.
* ``'coral_raw'``: three outputs ``float_heatmaps`` [1,h,w,17], ``float_short_offsets``
  [1,h,w,34], ``float_mid_offsets`` [1,h,w,64] = ``[fwd dy | fwd dx | bwd dy | bwd dx]``.
* ``'coral_decoder'``: a Coral model whose ``PosenetDecoderOp`` was removed in memory
  (:mod:`ros2_posenet.posenet.decoder_op_removal`); its outputs are those of ``'coral_raw'``.
* ``'movenet_singlepose'``: MoveNet SinglePose (Lightning 192x192, Thunder 256x256): one square
  image input of raw RGB values and one output [1, 1, 17, 3] of (y, x, score) per keypoint, y and
  x normalised to [0, 1] over the input, keypoints in COCO order (the PoseNet order).

Tensors are matched to roles by name first and by channel count as the fallback; the file name is
never used. The output stride is derived from the input and output grid sizes.
"""

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ModelError

FAMILIES = ('tflite_official', 'coral_raw', 'coral_decoder', 'movenet_singlepose')
"""Model families :func:`identify_layout` recognises."""

POSENET_FAMILIES = FAMILIES[:3]
"""The PoseNet families (heatmaps, offsets and displacements on an output grid)."""

MOVENET_FAMILY = 'movenet_singlepose'
"""MoveNet SinglePose: keypoints straight out of the network, one person per inference."""

MOVENET_OUTPUT_SHAPE = (1, 1, 17, 3)
"""MoveNet SinglePose output: [batch, person, keypoint, (y, x, score)]."""

OUTPUT_STRIDES = (8, 16, 32)
"""Output strides PoseNet models are built with."""

INPUT_DTYPES = (np.dtype(np.uint8), np.dtype(np.float32))
"""Input tensor types the engine can fill."""

ROLE_CHANNELS = {
    'heatmap': 17,
    'offsets': 34,
    'displacement_fwd': 32,
    'displacement_bwd': 32,
    'mid_offsets': 64,
}
"""Channel count of each output role (17 keypoints, 16 skeleton edges, dy and dx)."""

EXPECTED_OUTPUTS = (
    'heatmaps [1,h,w,17] and short offsets [1,h,w,34], plus either mid-range offsets '
    '[1,h,w,64] (Coral PoseNet) or displacement_fwd and displacement_bwd [1,h,w,32] each '
    '(official TFLite PoseNet); or one keypoint output [1,1,17,3] (MoveNet SinglePose)')

_OFFICIAL_ROLES = ('heatmap', 'offsets', 'displacement_fwd', 'displacement_bwd')
_CORAL_ROLES = ('heatmap', 'offsets', 'mid_offsets')


@dataclass(frozen=True)
class TensorSpec:
    """One interpreter tensor and its quantization, read once after ``allocate_tensors``.

    Attributes:
        index: Interpreter tensor index.
        name: Tensor name in the model.
        shape: Tensor shape.
        dtype: Element type.
        scales: Dequantization scales (one per tensor or one per channel); empty when the
            tensor is not quantized (float).
        zero_points: Zero points matching ``scales``.
        quantized_dimension: Axis the per-channel parameters run along.
    """

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    scales: tuple[float, ...] = ()
    zero_points: tuple[int, ...] = ()
    quantized_dimension: int = 0

    @property
    def quantized(self) -> bool:
        """Return whether the tensor holds integers that must be dequantized."""
        return bool(self.scales) and self.dtype != np.float32

    @classmethod
    def from_details(cls, details: Mapping[str, Any]) -> 'TensorSpec':
        """Build from one entry of ``Interpreter.get_input_details()``/``get_output_details()``."""
        params = details.get('quantization_parameters') or {}
        scales = tuple(float(s) for s in params.get('scales', ()))
        zero_points = tuple(int(z) for z in params.get('zero_points', ()))
        if not scales:
            scale, zero_point = details.get('quantization', (0.0, 0))
            if scale:
                scales, zero_points = (float(scale),), (int(zero_point),)
        return cls(index=int(details['index']), name=str(details['name']),
                   shape=tuple(int(d) for d in details['shape']),
                   dtype=np.dtype(details['dtype']), scales=scales, zero_points=zero_points,
                   quantized_dimension=int(params.get('quantized_dimension', 0)))

    def describe(self) -> str:
        """Return ``name [shape] dtype`` for error messages."""
        return f'{self.name!r} {list(self.shape)} {self.dtype.name}'


@dataclass(frozen=True)
class OutputSlice:
    """A TF.js-layout output taken from channels ``[channel_start, channel_stop)`` of a tensor."""

    tensor: TensorSpec
    channel_start: int
    channel_stop: int


@dataclass(frozen=True)
class OutputBindings:
    """Where each TF.js-layout output comes from in the model."""

    heatmap_logits: OutputSlice
    offsets: OutputSlice
    displacement_fwd: OutputSlice
    displacement_bwd: OutputSlice


@dataclass(frozen=True)
class KeypointBinding:
    """Where a MoveNet model's keypoints come from: one [1, 1, 17, 3] (y, x, score) tensor."""

    tensor: TensorSpec


Bindings = OutputBindings | KeypointBinding
"""Output bindings of a PoseNet model (grids) or of a MoveNet model (keypoints)."""


@dataclass(frozen=True)
class ModelLayout:
    """What the engine needs to know about a loaded PoseNet model.

    Attributes:
        path: The model file.
        family: One of :data:`FAMILIES`.
        input_height: Input tensor height H in pixels.
        input_width: Input tensor width W in pixels.
        input_dtype: ``uint8`` (raw RGB bytes) or ``float32`` (PoseNet: RGB scaled to
            ``x / 127.5 - 1``; MoveNet: raw values 0..255).
        output_stride: Input pixels per output grid step (8, 16 or 32); 0 for MoveNet, which
            has no output grid.
        output_height: Output grid height ``h = (H - 1) / stride + 1`` (MoveNet: 0).
        output_width: Output grid width ``w = (W - 1) / stride + 1`` (MoveNet: 0).
        edgetpu_compiled: Whether the network runs in ``edgetpu-custom-op`` (Edge TPU only).
    """

    path: str
    family: str
    input_height: int
    input_width: int
    input_dtype: np.dtype
    output_stride: int
    output_height: int
    output_width: int
    edgetpu_compiled: bool = False

    @property
    def is_movenet(self) -> bool:
        """Return whether this is a MoveNet SinglePose model (keypoints out, no grid)."""
        return self.family == MOVENET_FAMILY


def output_stride(input_size: int, output_size: int) -> int | None:
    """Return the stride ``(input_size - 1) / (output_size - 1)`` if it is a PoseNet stride.

    Args:
        input_size: Input height or width in pixels.
        output_size: Output grid height or width in cells.

    Returns:
        The stride, one of :data:`OUTPUT_STRIDES`, or ``None`` when the sizes do not fit one.
    """
    if output_size < 2 or input_size < 2:
        return None
    stride, remainder = divmod(input_size - 1, output_size - 1)
    if remainder or stride not in OUTPUT_STRIDES:
        return None
    return stride


def _role_from_name(name: str) -> str | None:
    """Guess an output's role from its tensor name (``None`` when the name says nothing)."""
    lowered = name.lower()
    if 'heatmap' in lowered:
        return 'heatmap'
    if 'fwd' in lowered:
        return 'displacement_fwd'
    if 'bwd' in lowered:
        return 'displacement_bwd'
    if 'mid_offset' in lowered:
        return 'mid_offsets'
    if 'offset' in lowered:
        return 'offsets'
    return None


def _not_posenet(path: str, outputs: Sequence[TensorSpec], why: str) -> ModelError:
    got = ', '.join(spec.describe() for spec in outputs) or 'none'
    return ModelError(
        f'{path} is not a supported PoseNet model: {why}. Expected outputs: {EXPECTED_OUTPUTS}; '
        f'got outputs: {got}.')


def _assign_roles(path: str, outputs: Sequence[TensorSpec]) -> dict[str, TensorSpec]:
    """Match outputs to roles: by name where the name says it, by channel count otherwise."""
    channels = sorted(spec.shape[-1] for spec in outputs)
    roles: tuple[str, ...]
    if channels == [17, 32, 32, 34]:
        roles = _OFFICIAL_ROLES
    elif channels == [17, 34, 64]:
        roles = _CORAL_ROLES
    else:
        raise _not_posenet(path, outputs, f'output channel counts are {channels}')
    assigned: dict[str, TensorSpec] = {}
    unnamed: list[TensorSpec] = []
    for spec in outputs:
        role = _role_from_name(spec.name)
        if (role is not None and role in roles and role not in assigned
                and ROLE_CHANNELS[role] == spec.shape[-1]):
            assigned[role] = spec
        else:
            unnamed.append(spec)
    for spec in unnamed:
        # Outputs in model order take the first free role of their channel count, so two
        # unnamed 32-channel outputs are read as (fwd, bwd) like the official model's order.
        role = next(r for r in roles
                    if r not in assigned and ROLE_CHANNELS[r] == spec.shape[-1])
        assigned[role] = spec
    return assigned


def _is_movenet_output(outputs: Sequence[TensorSpec]) -> bool:
    """Return whether the outputs are MoveNet SinglePose's one [1, 1, 17, 3] keypoint tensor."""
    return len(outputs) == 1 and outputs[0].shape == MOVENET_OUTPUT_SHAPE


def _movenet_layout(path: str, image: TensorSpec, keypoints: TensorSpec,
                    edgetpu_compiled: bool) -> tuple[ModelLayout, KeypointBinding]:
    """Return the layout of a MoveNet SinglePose model (input checked to be [1, H, W, 3])."""
    _, height, width, _ = image.shape
    if height != width:
        raise ModelError(f'{path}: MoveNet input {image.describe()} is not square; MoveNet '
                         'SinglePose models take a square image (192x192 or 256x256).')
    if keypoints.dtype not in INPUT_DTYPES:
        raise ModelError(f'{path}: MoveNet output {keypoints.describe()} has type '
                         f'{keypoints.dtype.name}; supported are float32 and uint8.')
    layout = ModelLayout(path=path, family=MOVENET_FAMILY, input_height=height,
                         input_width=width, input_dtype=image.dtype, output_stride=0,
                         output_height=0, output_width=0, edgetpu_compiled=edgetpu_compiled)
    return layout, KeypointBinding(keypoints)


def identify_layout(path: str, input_details: Sequence[Mapping[str, Any]],
                    output_details: Sequence[Mapping[str, Any]], decoder_removed: bool = False,
                    edgetpu_compiled: bool = False) -> tuple[ModelLayout, Bindings]:
    """Recognise the family, input geometry and output stride of an allocated model.

    Args:
        path: Model file (for messages and :attr:`ModelLayout.path`).
        input_details: ``Interpreter.get_input_details()``.
        output_details: ``Interpreter.get_output_details()``.
        decoder_removed: Whether ``PosenetDecoderOp`` was removed from the model in memory.
        edgetpu_compiled: Whether the model contains ``edgetpu-custom-op``.

    Returns:
        The layout and where each output comes from: :class:`OutputBindings` (each TF.js-layout
        output) for PoseNet, :class:`KeypointBinding` for MoveNet.

    Raises:
        ModelError: The model is not a PoseNet or MoveNet model of a known family; the message
            says what was expected and what was found.
    """
    outputs = [TensorSpec.from_details(d) for d in output_details]
    if len(input_details) != 1:
        raise _not_posenet(path, outputs,
                           f'it has {len(input_details)} inputs, expected one image input')
    image = TensorSpec.from_details(input_details[0])
    if len(image.shape) != 4 or image.shape[0] != 1 or image.shape[3] != 3:
        raise ModelError(f'{path}: input {image.describe()} is not an image tensor '
                         '[1,H,W,3]; this is not a supported PoseNet model.')
    if image.dtype not in INPUT_DTYPES:
        raise ModelError(f'{path}: input {image.describe()} has type {image.dtype.name}; '
                         'supported input types are uint8 and float32.')
    if _is_movenet_output(outputs):
        return _movenet_layout(path, image, outputs[0], edgetpu_compiled)
    if any(len(spec.shape) != 4 or spec.shape[0] != 1 for spec in outputs):
        raise _not_posenet(path, outputs, 'outputs are not all [1,h,w,C] grids')
    grids = {spec.shape[1:3] for spec in outputs}
    if len(grids) != 1:
        raise _not_posenet(path, outputs, f'outputs have different grid sizes {sorted(grids)}')
    roles = _assign_roles(path, outputs)

    _, height, width, _ = image.shape
    grid_height, grid_width = grids.pop()
    stride_y = output_stride(height, grid_height)
    stride_x = output_stride(width, grid_width)
    if stride_y is None or stride_y != stride_x:
        raise ModelError(
            f'{path}: input {height}x{width} and output grid {grid_height}x{grid_width} do not '
            f'share an output stride: expected (H - 1) / (h - 1) = (W - 1) / (w - 1) to be one '
            f'of {OUTPUT_STRIDES}.')

    if 'mid_offsets' in roles:
        family = 'coral_decoder' if decoder_removed else 'coral_raw'
        mid = roles['mid_offsets']
        fwd, bwd = OutputSlice(mid, 0, 32), OutputSlice(mid, 32, 64)
    else:
        family = 'tflite_official'
        fwd = OutputSlice(roles['displacement_fwd'], 0, 32)
        bwd = OutputSlice(roles['displacement_bwd'], 0, 32)
    bindings = OutputBindings(heatmap_logits=OutputSlice(roles['heatmap'], 0, 17),
                              offsets=OutputSlice(roles['offsets'], 0, 34),
                              displacement_fwd=fwd, displacement_bwd=bwd)
    layout = ModelLayout(path=path, family=family, input_height=height, input_width=width,
                         input_dtype=image.dtype, output_stride=stride_y,
                         output_height=grid_height, output_width=grid_width,
                         edgetpu_compiled=edgetpu_compiled)
    return layout, bindings
