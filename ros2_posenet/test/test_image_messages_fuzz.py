"""Fuzzing the image message conversions with hypothesis.

Raw frames: random encodings (known and garbage strings), sizes, steps, byte orders, and data
cut short or extended. Compressed frames: random bytes, real files of every parsed format cut
or mutated, and headers claiming random (often huge) sizes. Whatever comes in, the only errors
are ``ImageConversionError`` (``InputError`` would be a bad budget, never drawn), and nothing
above the budget is decoded: ``cv2.imdecode`` is wrapped to fail the test if it returns more
pixels than the budget (the header said less than the decoder used) and to record its calls (a
header claiming more than the budget must never reach it). Peak memory is checked as well.
"""

import resource
from unittest import mock

import cv2
from hypothesis import given, HealthCheck, settings, strategies as st
import numpy as np
import pytest

pytest.importorskip('sensor_msgs')
from sensor_msgs.msg import CompressedImage, Image  # noqa: E402

from ros2_posenet import image_messages  # noqa: E402
from ros2_posenet.image_messages import (  # noqa: E402
    compressed_msg_to_array, image_msg_to_array, ImageConversionError,
    ImageMessageTooLargeError, SUPPORTED_ENCODINGS)
from ros2_posenet.posenet import InputError  # noqa: E402
from ros2_posenet.posenet.image import DEFAULT_MAX_INPUT_PIXELS  # noqa: E402
from test_image_encoded_size import SAMPLES, with_size  # noqa: E402

FUZZ = settings(max_examples=400, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
MAX_DATA = 1 << 17  # bytes of raw frame data drawn at most
MAX_MESSAGE = 1000  # characters an error message may have
MEMORY_GROWTH = 1 << 30  # bytes the peak resident size may grow by during one fuzz test
SMALL_BUDGETS = st.one_of(st.sampled_from([1, 1000, 53 * 37, 1 << 16, 1 << 20]),
                          st.integers(1, 1 << 20))

# Largest width/height each sample's header can claim (VP8/VP8L hold 14 bits, GIF and JPEG 16).
CLAIM_LIMITS = {name: {'jpeg': 0xFFFF, 'gif': 0xFFFF, 'webp': 0x3FFF, 'bmp': (1 << 31) - 1,
                       'png': (1 << 31) - 1, 'pnm': (1 << 31) - 1, 'hdr': (1 << 31) - 1,
                       'tiff': (1 << 32) - 1, 'sun-raster': (1 << 31) - 1,
                       'jpeg2000': (1 << 32) - 1}[image_format]
                for name, (image_format, _) in SAMPLES.items()
                if name not in ('bmp_core_header', 'bigtiff', 'bigtiff_big_endian')}
CLAIM_LIMITS['webp_animated'] = 1 << 24  # VP8X canvas
SIGNATURES = [b'', b'\xff\xd8\xff', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', b'BM', b'GIF89a',
              b'RIFF\x00\x00\x00\x00WEBPVP8X', b'II*\x00', b'MM\x00+', b'P6 ', b'P1\n',
              b'\x59\xa6\x6a\x95', b'#?RADIANCE\n', b'\x00\x00\x00\x0cjP  \r\n\x87\n',
              b'\xff\x4f\xff\x51', b'\x00\x00\x00\x1cftypavif']


def random_bytes(seed: int, size: int) -> bytes:
    """Return ``size`` pseudo-random bytes (cheaper to draw than st.binary for large sizes)."""
    return np.random.default_rng(seed).bytes(size)


class DecodeWatch:
    """Wraps cv2.imdecode: records calls, fails when a result is above the budget."""

    def __init__(self, max_pixels: int) -> None:
        self.max_pixels = max_pixels
        self.calls = 0
        self._real = cv2.imdecode

    def __call__(self, buffer, flags):
        self.calls += 1
        image = self._real(buffer, flags)
        if image is not None:
            pixels = image.shape[0] * image.shape[1]
            assert pixels <= self.max_pixels, (
                f'decoded {image.shape} above the budget {self.max_pixels}: the header '
                'reader under-reported the size')
        return image


class PeakMemory:
    """Asserts that the peak resident size grows by less than MEMORY_GROWTH in a block."""

    def __enter__(self):
        self.before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self

    def __exit__(self, *exc_info):
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        assert after - self.before < MEMORY_GROWTH, f'peak memory grew by {after - self.before}'


# --- raw frames ------------------------------------------------------------------------------

KNOWN_ENCODINGS = [*SUPPORTED_ENCODINGS, *(e.upper() for e in SUPPORTED_ENCODINGS),
                   ' rgb8 ', 'Mono16', '8uc3']
UINT32 = st.integers(0, (1 << 32) - 1)


@st.composite
def raw_frames(draw):
    """Draw ``(Image, max_pixels)`` with any fields and data near or far from its claims."""
    encoding = draw(st.one_of(st.sampled_from(KNOWN_ENCODINGS), st.text(max_size=300)))
    width = draw(st.one_of(st.integers(0, 80), UINT32))
    height = draw(st.one_of(st.integers(0, 80), UINT32))
    bytes_per_pixel = draw(st.sampled_from([1, 2, 3, 4]))
    step = draw(st.one_of(st.just(min(width * bytes_per_pixel, (1 << 32) - 1)),
                          st.integers(0, 400), UINT32))
    expected = step * height
    size = draw(st.one_of(st.just(expected), st.integers(-8, 8).map(lambda d: expected + d),
                          st.integers(0, 4096)))
    size = max(0, min(size, MAX_DATA))
    msg = Image(width=width, height=height, step=step, encoding=encoding,
                is_bigendian=draw(st.integers(0, 255)))
    msg.data.frombytes(random_bytes(draw(st.integers(0, (1 << 32) - 1)), size))
    max_pixels = draw(st.one_of(st.just(DEFAULT_MAX_INPUT_PIXELS), st.integers(1, 1 << 16)))
    return msg, max_pixels


@FUZZ
@given(raw_frames())
def test_raw_frames_give_an_image_or_a_conversion_error(frame):
    """Any raw frame converts to [height, width, 3] uint8 or raises ImageConversionError."""
    msg, max_pixels = frame
    pixels = msg.width * msg.height
    known = msg.encoding.strip().lower() in {e.lower() for e in SUPPORTED_ENCODINGS}
    with PeakMemory():
        try:
            image, color_order = image_msg_to_array(msg, max_pixels=max_pixels)
        except ImageMessageTooLargeError as error:
            assert pixels > max_pixels
            assert 'max_input_pixels' in str(error) and len(str(error)) < MAX_MESSAGE
            return
        except ImageConversionError as error:
            assert not known or pixels == 0 or pixels <= max_pixels
            assert len(str(error)) < MAX_MESSAGE
            return
    assert pixels <= max_pixels
    assert image.shape == (msg.height, msg.width, 3) and image.dtype == np.uint8
    assert image.flags.c_contiguous and color_order in ('rgb', 'bgr')


# --- compressed frames -----------------------------------------------------------------------

@st.composite
def compressed_frames(draw):
    """Draw ``(CompressedImage, max_pixels, claimed pixels or None)``."""
    kind = draw(st.sampled_from(['random', 'cut', 'mutated', 'claim']))
    claimed = None
    max_pixels = draw(SMALL_BUDGETS)
    if kind == 'random':
        data = draw(st.sampled_from(SIGNATURES)) + draw(st.binary(max_size=600))
    else:
        name = draw(st.sampled_from(sorted(CLAIM_LIMITS if kind == 'claim' else SAMPLES)))
        image_format, data = SAMPLES[name]
        if kind == 'claim':
            limit = CLAIM_LIMITS[name]
            if draw(st.booleans()):  # far above any budget drawn, the default included
                width = draw(st.integers(min(8192, limit), limit))
                height = draw(st.integers(min(8192, limit), limit))
                max_pixels = draw(st.one_of(st.just(DEFAULT_MAX_INPUT_PIXELS), SMALL_BUDGETS))
            else:
                width, height = draw(st.integers(1, 1024)), draw(st.integers(1, 1024))
            data = with_size(image_format, data, width, height)
            claimed = width * height
        if kind in ('cut', 'claim') and draw(st.booleans()):
            data = data[:draw(st.integers(0, len(data)))]
            claimed = None if kind == 'claim' else claimed
        if kind == 'mutated':
            mutated = bytearray(data)
            for position, value in draw(st.lists(st.tuples(st.integers(0, len(data) - 1),
                                                           st.integers(0, 255)),
                                                 min_size=1, max_size=8)):
                mutated[position if draw(st.booleans()) else position % 64] = value
            data = bytes(mutated) + draw(st.binary(max_size=64))
    image_format = draw(st.one_of(st.sampled_from(['jpeg', 'png', 'bgr8; jpeg compressed bgr8',
                                                   '']), st.text(max_size=300)))
    msg = CompressedImage(format=image_format)
    msg.data.frombytes(data)
    return msg, max_pixels, claimed


@FUZZ
@given(compressed_frames())
def test_compressed_frames_never_decode_above_the_budget(frame):
    """Any compressed frame decodes within the budget or raises ImageConversionError."""
    msg, max_pixels, claimed = frame
    watch = DecodeWatch(max_pixels)
    with PeakMemory(), mock.patch.object(image_messages.cv2, 'imdecode', watch):
        try:
            image, color_order = compressed_msg_to_array(msg, max_pixels=max_pixels)
        except (ImageConversionError, InputError) as error:
            assert isinstance(error, ImageConversionError), error
            assert len(str(error)) < MAX_MESSAGE
            if claimed is not None and claimed > max_pixels \
                    and 'compresseddepth' not in msg.format.lower():
                assert isinstance(error, ImageMessageTooLargeError), error
            return
        finally:
            if claimed is not None and claimed > max_pixels:
                assert watch.calls == 0, 'a header claiming more than the budget was decoded'
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert image.shape[0] * image.shape[1] <= max_pixels and color_order == 'bgr'
