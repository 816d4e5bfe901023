"""Image -> model input tensor: resize (stretched or letterboxed), RGB order, value scaling.

Every frame is written straight into the input tensor's buffer (``cv2.resize(..., dst=view)``,
in-place colour conversion); float models go through one preallocated uint8 scratch image and
``x / 127.5 - 1`` computed in float32 with ``out=``, so a frame allocates no image-sized array
(a non-contiguous source is the one exception: it is copied once).

Coordinate frames (both pixel-index frames: pixel ``(r, c)`` is centred on ``(x=c, y=r)``, x to
the right, y down, the top-left pixel's outer corner at (-0.5, -0.5), as ``pose.py`` and
``Keypoint.msg`` state it; PoseNet's grid cell ``(i, j)`` sits at model-input pixel
``(x=stride*j, y=stride*i)``):

* **model input**: the ``input_width`` x ``input_height`` tensor the network sees;
* **source image**: the array passed to :meth:`InputWriter.write`.

The image is resized into the *content* rectangle of the input, ``content_width`` x
``content_height`` pixels at offset ``(pad_x, pad_y)``. Stretched (Coral's way): the content is
the whole input. Letterboxed (``keep_aspect_ratio``): the image keeps its aspect ratio, is
centred, and the bands around it are :data:`PAD_VALUE` (0, black, in pixel values; a float model
therefore sees -1 there), as TensorFlow.js ``padAndResizeTo`` pads with zeros.

OpenCV's resizes (linear, area and ``INTER_NEAREST_EXACT``) use half-pixel centres: model
pixel ``x`` samples the source at ``(x - pad_x + 0.5) * scale_x - 0.5``. :class:`InputTransform`
uses exactly that mapping, so a keypoint lands on the source pixel the network looked at.
Coral and TensorFlow.js map with ``x_img = x_model * scale`` (corner-aligned, matching their
resizes); the two maps differ by ``0.5 * (scale - 1)`` source pixels (nothing for 640 -> 641,
0.5 px when halving), well below PoseNet's accuracy, and this one is exact for OpenCV.

``keep_aspect_ratio='auto'`` is resolved per image size (``decode_options.letterbox_for``).

MoveNet's input is a *crop*: a square region of the source image, possibly reaching beyond its
borders (zeros there, as TensorFlow.js ``cropAndResize`` extrapolates), resized to the model input
(:class:`CropWriter`, :func:`crop_transform`). Its transform has no padding and an *origin*: the
crop's top-left corner in source-image pixels measured from the image's top-left corner (the
outer corner of its top-left pixel), fractional and possibly negative.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, get_args, Literal

import cv2
import numpy as np

from ..decode_options import letterbox_for
from ..errors import InputError
from ..pose import PoseArrays

ColorOrder = Literal['rgb', 'bgr']
"""Channel order of a source image; models always receive RGB."""

COLOR_ORDERS: Final[tuple[str, ...]] = get_args(ColorOrder)
"""The accepted ``ColorOrder`` names."""

INTERPOLATIONS: Final[Mapping[str, int]] = MappingProxyType({
    'linear': cv2.INTER_LINEAR,
    'nearest': cv2.INTER_NEAREST_EXACT,
    'area': cv2.INTER_AREA,
})
"""Resize filters by name. ``'linear'`` (default) is bilinear; ``'nearest'`` is PIL's
``Image.NEAREST`` (pixel-centre nearest neighbour), the resize Coral's reference outputs were
made with; ``'area'`` averages pixels (best when shrinking by 2x or more)."""

DEFAULT_INTERPOLATION: Final[str] = 'linear'

PAD_VALUE: Final[int] = 0
"""Pixel value (all channels) of letterbox padding, before float normalisation."""

FLOAT_INPUT_SCALE: Final[np.float32] = np.float32(127.5)
"""Float models take ``pixel / 127.5 - 1`` (MobileNet PoseNet, TensorFlow.js), in float32."""


@dataclass(frozen=True)
class InputTransform:
    """Where a source image went in the model input, and the map back.

    Attributes:
        scale_x: Source-image pixels per model-input pixel along x (``image_width /
            content_width``).
        scale_y: Source-image pixels per model-input pixel along y.
        pad_x: Model-input columns left of the image content (0 when stretched).
        pad_y: Model-input rows above the image content (0 when stretched).
        image_width: Source image width in pixels.
        image_height: Source image height in pixels.
        content_width: Model-input columns covered by the image.
        content_height: Model-input rows covered by the image.
        origin_x: Source-image x of the content's left edge, measured from the image's left
            edge (its leftmost pixel's outer edge, x = -0.5), in source pixels: 0 when the
            whole image is the content (stretched or letterboxed), the crop's left edge for a
            crop (:func:`crop_transform`; negative when the crop starts left of the image).
        origin_y: Source-image y of the content's top edge, likewise.
    """

    scale_x: float
    scale_y: float
    pad_x: int
    pad_y: int
    image_width: int
    image_height: int
    content_width: int
    content_height: int
    origin_x: float = 0.0
    origin_y: float = 0.0

    def to_image(self, x: float | np.ndarray, y: float | np.ndarray
                 ) -> tuple[float | np.ndarray, float | np.ndarray]:
        """Map model-input pixel coordinates to source-image pixel coordinates.

        Args:
            x: Column(s) in model-input pixels (scalar or float array).
            y: Row(s) in model-input pixels, same shape as ``x``.

        Returns:
            ``(x, y)`` in source-image pixels; points in the padding map outside the image.
        """
        image_x = (x - self.pad_x + 0.5) * self.scale_x - 0.5
        image_y = (y - self.pad_y + 0.5) * self.scale_y - 0.5
        if self.origin_x or self.origin_y:  # crops only: whole-image maps stay as they were
            image_x = image_x + self.origin_x
            image_y = image_y + self.origin_y
        return image_x, image_y

    def poses_to_image(self, poses: PoseArrays, flip_horizontal: bool = False) -> PoseArrays:
        """Map poses from model-input to source-image pixels in one vectorised step.

        Args:
            poses: Poses in model-input pixels (as the decoders return them).
            flip_horizontal: Mirror as TensorFlow.js ``flipPoseHorizontal`` does after the
                mapping: ``x -> image_width - 1 - x``; y, scores and part labels unchanged (a
                left wrist stays ``leftWrist``).

        Returns:
            The poses in source-image pixels, scores unchanged.
        """
        x, y = self.to_image(poses.keypoints_xy[..., 0], poses.keypoints_xy[..., 1])
        if flip_horizontal:
            x = float(self.image_width - 1) - x
        return PoseArrays(np.stack((x, y), axis=-1), poses.keypoint_scores, poses.pose_scores)

    def mirror(self, poses: PoseArrays) -> PoseArrays:
        """Return poses in source-image pixels mirrored as ``flip_horizontal`` mirrors them.

        Args:
            poses: Poses already in source-image pixels (``poses_to_image`` without flipping).

        Returns:
            The same poses with ``x -> image_width - 1 - x``; y, scores and labels unchanged.
        """
        xy = poses.keypoints_xy.copy()
        xy[..., 0] = float(self.image_width - 1) - xy[..., 0]
        return PoseArrays(xy, poses.keypoint_scores, poses.pose_scores)

    def to_model(self, x: float | np.ndarray, y: float | np.ndarray
                 ) -> tuple[float | np.ndarray, float | np.ndarray]:
        """Map source-image pixel coordinates to model-input pixel coordinates (inverse).

        Args:
            x: Column(s) in source-image pixels.
            y: Row(s) in source-image pixels, same shape as ``x``.

        Returns:
            ``(x, y)`` in model-input pixels.
        """
        return ((x - self.origin_x + 0.5) / self.scale_x - 0.5 + self.pad_x,
                (y - self.origin_y + 0.5) / self.scale_y - 0.5 + self.pad_y)


def compute_input_transform(image_width: int, image_height: int, input_width: int,
                            input_height: int, keep_aspect_ratio: bool | str) -> InputTransform:
    """Place a source image in the model input.

    Args:
        image_width: Source width in pixels, >= 1.
        image_height: Source height in pixels, >= 1.
        input_width: Model input width in pixels.
        input_height: Model input height in pixels.
        keep_aspect_ratio: Letterbox (centred, padded) instead of stretching; ``'auto'``:
            letterbox only when the aspect ratios differ (``decode_options.letterbox_for``).

    Returns:
        The transform; when letterboxing, the content size is the scaled image rounded to whole
        pixels (at least 1) and the padding is split evenly, the extra pixel going right/bottom.
    """
    if letterbox_for(keep_aspect_ratio, image_width, image_height, input_width, input_height):
        source_per_input = max(image_width / input_width, image_height / input_height)
        content_width = min(input_width, max(1, round(image_width / source_per_input)))
        content_height = min(input_height, max(1, round(image_height / source_per_input)))
    else:
        content_width, content_height = input_width, input_height
    return InputTransform(
        scale_x=image_width / content_width,
        scale_y=image_height / content_height,
        pad_x=(input_width - content_width) // 2,
        pad_y=(input_height - content_height) // 2,
        image_width=image_width,
        image_height=image_height,
        content_width=content_width,
        content_height=content_height)


def as_input_image(image: object) -> np.ndarray:
    """Validate a source image and return it C-contiguous (copied only if it was not).

    Args:
        image: ``[H, W, 3]`` uint8 array, H and W >= 1; any strides.

    Returns:
        The same pixels as a C-contiguous array (``image`` itself when it already was).

    Raises:
        InputError: Not an ndarray, not 3-D with 3 channels, not uint8, or empty.
    """
    if not isinstance(image, np.ndarray):
        raise InputError(f'image must be a numpy array, got {type(image).__name__}')
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(
            f'image must have shape [height, width, 3] (colour), got {list(image.shape)}')
    if image.dtype != np.uint8:
        raise InputError(
            f'image must be uint8 (0..255 per channel), got {image.dtype}; '
            'convert it first, e.g. with cv2.convertScaleAbs')
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise InputError(f'image is empty: shape {list(image.shape)}')
    if not image.flags.c_contiguous:
        image = np.ascontiguousarray(image)
    return image


def check_color_order(color_order: str) -> None:
    """Raise :class:`InputError` unless ``color_order`` is one of :data:`COLOR_ORDERS`."""
    if color_order not in COLOR_ORDERS:
        raise InputError(f'color_order must be one of {COLOR_ORDERS}, got {color_order!r}')


def interpolation_flag(interpolation: str) -> int:
    """Return the OpenCV flag of a name in :data:`INTERPOLATIONS`, else raise InputError."""
    try:
        return INTERPOLATIONS[interpolation]
    except (KeyError, TypeError):
        raise InputError(
            f'interpolation must be one of {tuple(INTERPOLATIONS)}, got {interpolation!r}'
        ) from None


class InputWriter:
    """Writes source images into a model's input tensor; holds the per-model scratch buffers.

    One instance per model input; not thread-safe (one frame at a time).
    """

    def __init__(self, input_height: int, input_width: int, input_dtype: np.dtype) -> None:
        """Prepare buffers for a model input.

        Args:
            input_height: Model input height in pixels.
            input_width: Model input width in pixels.
            input_dtype: ``np.uint8`` (raw pixel bytes) or ``np.float32`` (``x / 127.5 - 1``).

        Raises:
            InputError: Another dtype, or a size below 1 pixel.
        """
        self.input_height, self.input_width, self.input_dtype, self._scratch = _input_buffers(
            input_height, input_width, input_dtype)
        self._last_transform: InputTransform | None = None
        self._last_key: tuple[int, int, bool | str] | None = None

    def transform_for(self, image_width: int, image_height: int,
                      keep_aspect_ratio: bool | str) -> InputTransform:
        """Return (cached for the last image size) the transform of an image size."""
        key = (image_width, image_height, keep_aspect_ratio)
        transform = self._last_transform
        if transform is None or key != self._last_key:
            transform = self._last_transform = compute_input_transform(
                image_width, image_height, self.input_width, self.input_height,
                keep_aspect_ratio)
            self._last_key = key
        return transform

    def write(self, image: np.ndarray, view: np.ndarray, color_order: ColorOrder,
              keep_aspect_ratio: bool | str, interpolation: int) -> InputTransform:
        """Resize ``image`` into ``view`` (the model input) and return where it went.

        The caller has validated the image (:func:`as_input_image`), the colour order
        (:func:`check_color_order`) and the filter (:func:`interpolation_flag`), as
        ``PoseEngine.estimate`` does once per frame.

        Args:
            image: Source ``[H, W, 3]`` uint8 C-contiguous image.
            view: Writable ``[input_height, input_width, 3]`` array of the model dtype, usually
                the input tensor's buffer; fully overwritten.
            color_order: Channel order of ``image``.
            keep_aspect_ratio: Letterbox instead of stretching (``'auto'``: when the aspect
                ratios differ, ``decode_options.letterbox_for``).
            interpolation: An OpenCV flag from :data:`INTERPOLATIONS`.

        Returns:
            The :class:`InputTransform` from model-input to source-image pixels.

        Raises:
            InputError: A ``view`` of another shape or dtype than the model input.
        """
        flag = interpolation
        expected = (self.input_height, self.input_width, 3)
        if view.shape != expected or view.dtype != self.input_dtype:
            raise InputError(
                f'input view must be {list(expected)} {self.input_dtype}, '
                f'got {list(view.shape)} {view.dtype}')
        transform = self.transform_for(image.shape[1], image.shape[0], keep_aspect_ratio)
        target = view if self._scratch is None else self._scratch
        _fill_padding(target, transform)
        content = target[transform.pad_y:transform.pad_y + transform.content_height,
                         transform.pad_x:transform.pad_x + transform.content_width]
        if content.shape[:2] == image.shape[:2]:
            if color_order == 'bgr':
                cv2.cvtColor(image, cv2.COLOR_BGR2RGB, dst=content)
            else:
                np.copyto(content, image)
        else:
            _resize_into(image, content, flag)
            if color_order == 'bgr':
                cv2.cvtColor(content, cv2.COLOR_BGR2RGB, dst=content)
        if self._scratch is not None:
            np.divide(self._scratch, FLOAT_INPUT_SCALE, out=view)
            np.subtract(view, np.float32(1.0), out=view)
        return transform


def _input_buffers(input_height: int, input_width: int, input_dtype: np.dtype
                   ) -> tuple[int, int, np.dtype, np.ndarray | None]:
    """Check a model input's size and dtype; return them with the uint8 scratch a float needs.

    Raises:
        InputError: Another dtype than uint8 or float32, or a size below 1 pixel.
    """
    height, width, dtype = int(input_height), int(input_width), np.dtype(input_dtype)
    if height < 1 or width < 1:
        raise InputError(f'model input size must be positive, got {width}x{height}')
    if dtype not in (np.uint8, np.float32):
        raise InputError(f'model input dtype must be uint8 or float32, got {dtype}')
    scratch = np.zeros((height, width, 3), np.uint8) if dtype == np.float32 else None
    return height, width, dtype, scratch


def _fill_padding(target: np.ndarray, transform: InputTransform) -> None:
    top, left = transform.pad_y, transform.pad_x
    bottom = top + transform.content_height
    right = left + transform.content_width
    if top:
        target[:top] = PAD_VALUE
    if bottom < target.shape[0]:
        target[bottom:] = PAD_VALUE
    if left:
        target[top:bottom, :left] = PAD_VALUE
    if right < target.shape[1]:
        target[top:bottom, right:] = PAD_VALUE


def _resize_into(image: np.ndarray, content: np.ndarray, flag: int) -> None:
    result = cv2.resize(image, (content.shape[1], content.shape[0]), dst=content,
                        interpolation=flag)
    if result is not content:  # OpenCV reallocated instead of writing in place
        np.copyto(content, result)


_WARP_FLAGS: Final[Mapping[int, int]] = MappingProxyType({
    cv2.INTER_LINEAR: cv2.INTER_LINEAR,
    cv2.INTER_NEAREST_EXACT: cv2.INTER_NEAREST,
    cv2.INTER_AREA: cv2.INTER_LINEAR,  # warpAffine has no area filter; bilinear as in TF.js
})
"""Affine-warp filter for each :data:`INTERPOLATIONS` flag (crops are warped, not resized)."""


def crop_transform(image_width: int, image_height: int, input_width: int, input_height: int,
                   left: float, top: float, width: float, height: float) -> InputTransform:
    """Return the transform of a crop of the source image resized to the whole model input.

    Args:
        image_width: Source width in pixels, >= 1.
        image_height: Source height in pixels, >= 1.
        input_width: Model input width in pixels.
        input_height: Model input height in pixels.
        left: The crop's left edge in source pixels from the image's left edge (0 = the image's
            left border); may be negative or fractional.
        top: The crop's top edge, likewise.
        width: Crop width in source pixels, > 0.
        height: Crop height in source pixels, > 0.

    Returns:
        A transform with no padding, the whole input as content and ``origin = (left, top)``.
    """
    return InputTransform(
        scale_x=float(width) / input_width, scale_y=float(height) / input_height, pad_x=0,
        pad_y=0, image_width=image_width, image_height=image_height, content_width=input_width,
        content_height=input_height, origin_x=float(left), origin_y=float(top))


class CropWriter:
    """Writes a crop of a source image into a model input (MoveNet): raw RGB pixel values.

    The crop may reach beyond the image; the model sees :data:`PAD_VALUE` there, as
    TensorFlow.js ``cropAndResize`` with ``extrapolationValue`` 0. Float inputs receive the
    pixel values unscaled (0..255), as MoveNet takes them. One instance per model input; not
    thread-safe.
    """

    def __init__(self, input_height: int, input_width: int, input_dtype: np.dtype) -> None:
        """Prepare buffers for a model input.

        Args:
            input_height: Model input height in pixels.
            input_width: Model input width in pixels.
            input_dtype: ``np.uint8`` or ``np.float32`` (pixel values 0..255 either way).

        Raises:
            InputError: Another dtype, or a size below 1 pixel.
        """
        self.input_height, self.input_width, self.input_dtype, self._scratch = _input_buffers(
            input_height, input_width, input_dtype)

    def write(self, image: np.ndarray, view: np.ndarray, color_order: ColorOrder,
              transform: InputTransform, interpolation: int) -> InputTransform:
        """Warp the crop ``transform`` describes into ``view`` and return ``transform``.

        Model pixel ``(u, v)`` samples the source at ``transform.to_image(u, v)`` (pixel
        centres), so the map back is exact for the warp.

        Args:
            image: Source ``[H, W, 3]`` uint8 C-contiguous image (validated by the caller).
            view: Writable ``[input_height, input_width, 3]`` array of the model dtype.
            color_order: Channel order of ``image``.
            transform: From :func:`crop_transform` for this image and input size.
            interpolation: An OpenCV flag from :data:`INTERPOLATIONS` (``'area'`` warps
                bilinearly).

        Returns:
            ``transform``.

        Raises:
            InputError: A ``view`` of another shape or dtype than the model input.
        """
        expected = (self.input_height, self.input_width, 3)
        if view.shape != expected or view.dtype != self.input_dtype:
            raise InputError(
                f'input view must be {list(expected)} {self.input_dtype}, '
                f'got {list(view.shape)} {view.dtype}')
        # model pixel u -> source pixel (u + 0.5) * scale - 0.5 + origin (see to_image)
        matrix = np.array(
            [[transform.scale_x, 0.0, 0.5 * transform.scale_x - 0.5 + transform.origin_x],
             [0.0, transform.scale_y, 0.5 * transform.scale_y - 0.5 + transform.origin_y]])
        target = view if self._scratch is None else self._scratch
        result = cv2.warpAffine(
            image, matrix, (self.input_width, self.input_height), dst=target,
            flags=_WARP_FLAGS.get(interpolation, cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(PAD_VALUE,) * 3)
        if result is not target:  # OpenCV reallocated instead of writing in place
            np.copyto(target, result)
        if color_order == 'bgr':
            cv2.cvtColor(target, cv2.COLOR_BGR2RGB, dst=target)
        if self._scratch is not None:
            np.copyto(view, self._scratch)
        return transform
