"""Unit tests of preprocess.py: resize into the input tensor and the map back to image pixels."""

import numpy as np
import pytest

from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.image import (as_input_image, check_color_order,
                                        compute_input_transform, DEFAULT_INTERPOLATION,
                                        interpolation_flag, InputWriter, PAD_VALUE)

INPUT_HEIGHT, INPUT_WIDTH = 481, 641


def prepare_input(image, input_height, input_width, input_dtype=np.uint8, color_order='rgb',
                  keep_aspect_ratio=False, interpolation=DEFAULT_INTERPOLATION):
    """Check like ``PoseEngine.estimate``, then write a new model input array."""
    image = as_input_image(image)
    check_color_order(color_order)
    flag = interpolation_flag(interpolation)
    writer = InputWriter(input_height, input_width, input_dtype)
    array = np.empty((writer.input_height, writer.input_width, 3), writer.input_dtype)
    transform = writer.write(image, array, color_order, keep_aspect_ratio, flag)
    return array, transform


def _blob_image(height: int, width: int, centre_x: int, centre_y: int,
                half: int = 6) -> np.ndarray:
    image = np.zeros((height, width, 3), np.uint8)
    image[centre_y - half:centre_y + half + 1, centre_x - half:centre_x + half + 1] = 250
    return image


def _centroid(channel: np.ndarray) -> tuple[float, float]:
    weights = channel.astype(np.float64)
    rows, cols = np.indices(weights.shape)
    total = weights.sum()
    return float((cols * weights).sum() / total), float((rows * weights).sum() / total)


@pytest.mark.parametrize('keep_aspect_ratio', [False, True])
@pytest.mark.parametrize('interpolation', ['linear', 'area', 'nearest'])
@pytest.mark.parametrize('height,width,centre_x,centre_y', [
    (480, 640, 301, 203),     # about the model size
    (960, 1280, 900, 250),    # 2x larger
    (500, 300, 150, 420),     # portrait: letterbox pads left and right
    (120, 700, 40, 60),       # wide: letterbox pads top and bottom
    (240, 320, 250, 30),      # upscaled
])
def test_bright_blob_maps_back_to_its_source_pixel(height, width, centre_x, centre_y,
                                                   keep_aspect_ratio, interpolation):
    """Bright blob maps back to its source pixel."""
    image = _blob_image(height, width, centre_x, centre_y)
    array, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH,
                                     keep_aspect_ratio=keep_aspect_ratio,
                                     interpolation=interpolation)
    model_x, model_y = _centroid(array[..., 0])
    image_x, image_y = transform.to_image(model_x, model_y)
    # Nearest sampling of a 13-pixel blob moves its centroid by up to half a source step.
    tolerance = 0.15 + (0.5 * max(transform.scale_x, transform.scale_y)
                        if interpolation == 'nearest' else 0.1)
    assert abs(image_x - centre_x) <= tolerance
    assert abs(image_y - centre_y) <= tolerance
    back_x, back_y = transform.to_model(image_x, image_y)
    assert back_x == pytest.approx(model_x)
    assert back_y == pytest.approx(model_y)


def test_stretched_transform_covers_the_whole_input():
    """Stretched transform covers the whole input."""
    transform = compute_input_transform(640, 480, INPUT_WIDTH, INPUT_HEIGHT, False)
    assert (transform.pad_x, transform.pad_y) == (0, 0)
    assert (transform.content_width, transform.content_height) == (INPUT_WIDTH, INPUT_HEIGHT)
    assert transform.scale_x == pytest.approx(640 / 641)
    assert transform.scale_y == pytest.approx(480 / 481)
    # Corners of the model input map to the outer corners of the image.
    assert transform.to_image(-0.5, -0.5) == pytest.approx((-0.5, -0.5))
    assert transform.to_image(INPUT_WIDTH - 0.5, INPUT_HEIGHT - 0.5) == pytest.approx(
        (639.5, 479.5))


def test_same_size_stretch_is_the_identity():
    """Same size stretch is the identity."""
    image = np.random.default_rng(1).integers(0, 256, (INPUT_HEIGHT, INPUT_WIDTH, 3), np.uint8)
    array, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH)
    np.testing.assert_array_equal(array, image)
    assert transform.to_image(12.0, 34.0) == pytest.approx((12.0, 34.0))
    bgr_array, _ = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH, color_order='bgr')
    np.testing.assert_array_equal(bgr_array, image[..., ::-1])


def test_letterbox_pads_centred_with_zeros():
    """Letterbox pads centred with zeros."""
    image = np.full((100, 200, 3), 255, np.uint8)  # 2:1, the input is 641:481
    array, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH, keep_aspect_ratio=True)
    assert transform.pad_x == 0 and transform.content_width == INPUT_WIDTH
    assert transform.content_height == round(100 * INPUT_WIDTH / 200)
    assert transform.pad_y == (INPUT_HEIGHT - transform.content_height) // 2
    top, bottom = transform.pad_y, transform.pad_y + transform.content_height
    assert (array[:top] == PAD_VALUE).all()
    assert (array[bottom:] == PAD_VALUE).all()
    assert (array[top:bottom] == 255).all()
    assert transform.scale_x == pytest.approx(transform.scale_y, rel=5e-3)


def test_letterbox_of_a_portrait_image_pads_left_and_right():
    """Letterbox of a portrait image pads left and right."""
    image = np.full((400, 100, 3), 7, np.uint8)
    array, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH, keep_aspect_ratio=True)
    assert transform.pad_y == 0 and transform.content_height == INPUT_HEIGHT
    left, right = transform.pad_x, transform.pad_x + transform.content_width
    assert left > 200
    assert (array[:, :left] == 0).all() and (array[:, right:] == 0).all()
    assert (array[:, left:right] == 7).all()


def test_writer_reuse_clears_padding_of_a_previous_frame():
    """Writer reuse clears padding of a previous frame."""
    writer = InputWriter(INPUT_HEIGHT, INPUT_WIDTH, np.uint8)
    view = np.empty((INPUT_HEIGHT, INPUT_WIDTH, 3), np.uint8)
    linear = interpolation_flag('linear')
    writer.write(np.full((480, 640, 3), 200, np.uint8), view, 'rgb', False, linear)
    transform = writer.write(np.full((100, 400, 3), 9, np.uint8), view, 'rgb', True, linear)
    assert (view[:transform.pad_y] == 0).all()
    assert (view[transform.pad_y + transform.content_height:] == 0).all()


def test_float_input_is_scaled_to_minus_one_one():
    """Float input is scaled to minus one one."""
    image = np.arange(256, dtype=np.uint8).repeat(3).reshape(16, 16, 3)
    array, _ = prepare_input(image, 16, 16, np.float32)
    assert array.dtype == np.float32
    expected = image.astype(np.float32) / np.float32(127.5) - np.float32(1)
    np.testing.assert_array_equal(array, expected)
    assert array.min() == -1.0 and array.max() == 1.0
    padded, transform = prepare_input(np.full((4, 16, 3), 255, np.uint8), 16, 16, np.float32,
                                      keep_aspect_ratio=True)
    assert (padded[:transform.pad_y] == -1.0).all()
    assert (padded[transform.pad_y:transform.pad_y + transform.content_height] == 1.0).all()


def test_nearest_samples_pixel_centres_like_pil():
    # PIL's Image.NEAREST (Coral's resize) halving a row takes source column 2x + 1.
    """Nearest samples pixel centres like pil."""
    row = np.arange(200, dtype=np.uint8)
    image = np.repeat(row[None, :, None], 3, axis=2).repeat(4, axis=0)
    array, _ = prepare_input(image, 2, 100, interpolation='nearest')
    np.testing.assert_array_equal(array[0, :, 0], np.arange(100) * 2 + 1)


def test_bgr_is_converted_to_rgb_after_resize():
    """Bgr is converted to rgb after resize."""
    image = np.zeros((480, 640, 3), np.uint8)
    image[..., 0] = 200  # blue in BGR
    array, _ = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH, color_order='bgr')
    assert (array[..., 2] == 200).all() and (array[..., :2] == 0).all()


@pytest.mark.parametrize('make_view', [
    lambda image: image[:, ::-1],
    lambda image: image[::2, ::3],
    lambda image: image[..., ::-1],
    lambda image: np.asfortranarray(image),
    lambda image: image[10:200, 30:500],
])
def test_non_contiguous_images_give_the_same_input_as_a_copy(make_view):
    """Non contiguous images give the same input as a copy."""
    image = np.random.default_rng(2).integers(0, 256, (480, 640, 3), np.uint8)
    view = make_view(image)
    expected, _ = prepare_input(np.ascontiguousarray(view), INPUT_HEIGHT, INPUT_WIDTH,
                                color_order='bgr')
    actual, _ = prepare_input(view, INPUT_HEIGHT, INPUT_WIDTH, color_order='bgr')
    np.testing.assert_array_equal(actual, expected)


def test_one_pixel_image_is_resized_up():
    """One pixel image is resized up."""
    image = np.array([[[10, 20, 30]]], np.uint8)
    array, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH)
    assert (array == [10, 20, 30]).all()
    assert transform.to_image(320.0, 240.0) == pytest.approx((0.0, 0.0), abs=1e-9)
    boxed, transform = prepare_input(image, INPUT_HEIGHT, INPUT_WIDTH, keep_aspect_ratio=True)
    assert transform.content_width == transform.content_height == INPUT_HEIGHT
    assert (boxed[:, transform.pad_x:transform.pad_x + INPUT_HEIGHT] == [10, 20, 30]).all()


@pytest.mark.parametrize('image,message', [
    (np.zeros((10, 10), np.uint8), 'shape'),
    (np.zeros((10, 10, 4), np.uint8), 'shape'),
    (np.zeros((10, 10, 3, 1), np.uint8), 'shape'),
    (np.zeros((10, 10, 3), np.float32), 'uint8'),
    (np.zeros((10, 10, 3), np.uint16), 'uint8'),
    (np.zeros((0, 10, 3), np.uint8), 'empty'),
    (np.zeros((10, 0, 3), np.uint8), 'empty'),
    ([[[0, 0, 0]]], 'numpy'),
])
def test_bad_images_raise_input_error(image, message):
    """Bad images raise input error."""
    with pytest.raises(InputError, match=message):
        as_input_image(image)
    with pytest.raises(ValueError):  # InputError is a ValueError for callers that use that
        prepare_input(image, 33, 33)


def test_bad_arguments_raise_input_error():
    """Bad arguments raise input error."""
    image = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(InputError, match='color_order'):
        prepare_input(image, 33, 33, color_order='rgba')
    with pytest.raises(InputError, match='interpolation'):
        prepare_input(image, 33, 33, interpolation='cubic')
    with pytest.raises(InputError, match='dtype'):
        InputWriter(33, 33, np.int8)
    writer = InputWriter(33, 33, np.uint8)
    linear = interpolation_flag('linear')
    with pytest.raises(InputError, match='view'):
        writer.write(image, np.zeros((33, 34, 3), np.uint8), 'rgb', False, linear)
    with pytest.raises(InputError, match='view'):
        writer.write(image, np.zeros((33, 33, 3), np.float32), 'rgb', False, linear)
