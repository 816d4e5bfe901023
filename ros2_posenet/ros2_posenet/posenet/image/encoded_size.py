"""Pixel size of an encoded image, read from its header bytes without decoding it.

A decoder allocates the whole picture as soon as it has read the header, so a few hundred bytes
whose header claims 30000x30000 pixels cost gigabytes before any check on the decoded array
could run. ``read_image_header`` reads the size the way OpenCV's decoder will, from the same
bytes and with the signatures tried in ``cv2.imdecode``'s order, and ``check_pixel_budget``
refuses it above a budget; only then is the data safe to hand to ``cv2.imdecode``.

Parsed (every format this OpenCV build decodes, bar the refused ones below):

* JPEG: the markers are walked from SOI to the first SOFn frame header the way libjpeg does
  (garbage before a marker and ``0xFF`` fill bytes skipped, standalone markers RSTn/TEM without
  a length); a segment running past the data, SOS or EOI before any SOFn, or a height of 0
  (defined later by a DNL marker, which libjpeg-turbo does not decode) is refused.
* PNG (and APNG): the IHDR chunk, which must come first, with its CRC checked. Every chunk up to
  IEND is walked as well: OpenCV allocates a chunk's declared length before reading it, so a
  44-byte PNG declaring a 2 GB chunk would cost 2 GB. A chunk running past the data or a missing
  IEND (truncated data) is refused. APNG frames lie inside the IHDR canvas (OpenCV checks).
* BMP: the info header (12-byte OS/2 core header or 40+ byte Windows header; rows stored
  bottom-up have a negative height).
* GIF: the logical screen (OpenCV decodes every frame on this canvas and refuses frames
  outside it).
* WebP in a RIFF container: ``VP8 `` (lossy), ``VP8L`` (lossless) or ``VP8X`` (extended,
  animated: the canvas). Raw VP8/VP8L bitstreams without the RIFF container are refused.
* TIFF and BigTIFF, either byte order: ImageWidth and ImageLength of the first IFD (the page
  ``cv2.imdecode`` reads).
* PBM/PGM/PPM (P1 to P6): the width and height numbers, comments allowed.
* Sun raster: the fixed header.
* Radiance HDR: the ``-Y <height> +X <width>`` resolution line after the header, read with the
  line semantics of OpenCV's reader (lines of at most 127 bytes).
* JPEG 2000, JP2 file or J2K codestream: the SIZ marker (image area minus offset; for JP2 the
  larger of it and the ``ihdr`` box). Refused as well: more than ``MAX_JPEG2000_TILES`` tiles
  (OpenJPEG allocates bookkeeping for every tile before decoding: 1000x1000 pixels in 4x4 tiles
  cost 750 MB) and other than 1 to 4 components (OpenCV refuses them after the same cost).

Refused because OpenCV decodes them but their size cannot be read cheaply and reliably: AVIF
and other ISO-BMFF images (HEIF), PAM (P7), PFM. Anything else is refused too: ``cv2.imdecode``
either cannot decode it, or it is a format of another OpenCV build (OpenEXR, JPEG XL, ...) whose
size this module does not know. Refusing is always safe; decoding something whose size is not
known is not.

Sizes are as stored, before any EXIF rotation (which only swaps width and height). Decoders need
a few bytes per pixel (3 for the result, up to about 30 for 16-bit or float intermediates), so
the pixel budget bounds their memory. ``check_jpeg_complete`` detects a truncated JPEG stream,
which libjpeg would otherwise pad with grey and only warn about.
"""

from dataclasses import dataclass
import re
from typing import Final, Literal
import zlib

from ..errors import InputError

DEFAULT_MAX_INPUT_PIXELS: Final = 7680 * 4320
"""Default pixel budget: 8K UHD, the largest common camera (33,177,600 pixels)."""

MAX_ENCODED_BYTES_PER_PIXEL: Final = 8
"""Encoded bytes allowed per budgeted pixel: uncompressed 16-bit RGBA, the largest common case."""

ENCODED_METADATA_ALLOWANCE: Final = 4 * 1024 * 1024
"""Encoded bytes allowed on top of the pixels: EXIF, ICC profiles, XMP, thumbnails."""

MAX_JPEG2000_TILES: Final = 4096
"""Most JPEG 2000 tiles accepted (an 8K image in 256x256 tiles has 510)."""

MAX_PNG_CHUNKS: Final = 1 << 18
"""Most PNG chunks walked (a 2 GB PNG in libpng's 8 KB IDAT chunks has 262,144)."""

PARSED_FORMATS: Final[tuple[str, ...]] = (
    'jpeg', 'png', 'bmp', 'gif', 'webp', 'tiff', 'pnm', 'sun-raster', 'hdr', 'jpeg2000')
"""Values of ``ImageHeader.format``."""

_INT32_MAX: Final = (1 << 31) - 1
_ByteOrder = Literal['little', 'big']
_WHITESPACE: Final = frozenset(b' \t\n\v\f\r')
_DIGITS: Final = frozenset(b'0123456789')


class ImageTooLargeError(InputError):
    """An image (or its encoded data) is larger than the budget set by ``max_input_pixels``."""


@dataclass(frozen=True)
class ImageHeader:
    """What the header of an encoded image says.

    Attributes:
        format: One of ``PARSED_FORMATS``.
        width: Pixels per row as stored (before any EXIF rotation), > 0.
        height: Rows as stored, > 0.
    """

    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        """Return ``width * height``."""
        return self.width * self.height


def _bad(format_name: str, problem: str) -> InputError:
    return InputError(f'{format_name} header: {problem}')


def _truncated(format_name: str, needed: int, size: int) -> InputError:
    return _bad(format_name, f'data is truncated: {size} bytes, the header needs at least '
                f'{needed}')


def _uint(data: bytes, offset: int, size: int, byteorder: _ByteOrder, format_name: str) -> int:
    end = offset + size
    if end > len(data):
        raise _truncated(format_name, end, len(data))
    return int.from_bytes(data[offset:end], byteorder)


def _int32le(data: bytes, offset: int, format_name: str) -> int:
    value = _uint(data, offset, 4, 'little', format_name)
    return value - (1 << 32) if value >= 1 << 31 else value


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return memoryview(data).tobytes()  # type: ignore[arg-type]
    except TypeError:
        pass
    try:  # a sequence of ints, as a hand-built message may hold
        return bytes(data)  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        raise InputError(f'encoded image data must be bytes or a buffer of bytes, got '
                         f'{type(data).__name__}: {error}') from None


def _checked(format_name: str, width: int, height: int) -> ImageHeader:
    if width <= 0 or height <= 0:
        raise _bad(format_name, f'size is {width}x{height}; expected width > 0 and height > 0')
    return ImageHeader(format_name, width, height)


# --- JPEG ----------------------------------------------------------------------------------

_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # not DHT, JPG, DAC
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0..7
_JPEG_SOI, _JPEG_EOI, _JPEG_SOS = 0xD8, 0xD9, 0xDA
# In entropy-coded data 0xFF is followed by a stuffed 0x00, a restart marker or more 0xFF fill.
_JPEG_MARKER_IN_SCAN: Final = re.compile(rb'\xff[^\x00\xd0-\xd7\xff]')


def _next_jpeg_marker(data: bytes, pos: int) -> tuple[int, int] | None:
    """Return ``(marker, position after it)`` as libjpeg's ``next_marker`` finds it, or None.

    Bytes before a 0xFF are skipped (libjpeg warns about them), so are 0xFF fill bytes and
    stuffed ``FF 00`` pairs; None when the data ends first.
    """
    size = len(data)
    while True:
        pos = data.find(b'\xff', pos)
        if pos < 0:
            return None
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            return None
        marker = data[pos]
        pos += 1
        if marker:
            return marker, pos


def _skip_jpeg_segment(data: bytes, pos: int, marker: int) -> int:
    """Return the position after the segment whose length field is at ``pos``."""
    length = _uint(data, pos, 2, 'big', 'jpeg')
    if length < 2:
        raise _bad('jpeg', f'marker 0x{marker:02X} at byte {pos - 2} has length {length}; '
                   'expected >= 2')
    end = pos + length
    if end > len(data):
        raise _bad('jpeg', f'data is truncated: marker 0x{marker:02X} at byte {pos - 2} needs '
                   f'{length} bytes, {len(data) - pos} left')
    return end


def _jpeg_header(data: bytes) -> ImageHeader:
    pos = 2  # after SOI, which the signature check saw
    while True:
        found = _next_jpeg_marker(data, pos)
        if found is None:
            raise _bad('jpeg', f'data ends after {len(data)} bytes without a frame header '
                       '(SOFn marker)')
        marker, pos = found
        if marker in _JPEG_SOF:
            length = _uint(data, pos, 2, 'big', 'jpeg')
            if length < 8:
                raise _bad('jpeg', f'frame header at byte {pos - 2} has length {length}; '
                           'expected >= 8')
            height = _uint(data, pos + 3, 2, 'big', 'jpeg')
            width = _uint(data, pos + 5, 2, 'big', 'jpeg')
            if height == 0:
                raise _bad('jpeg', 'height is 0 (to be defined by a DNL marker, which '
                           'libjpeg does not decode)')
            return _checked('jpeg', width, height)
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (_JPEG_SOI, _JPEG_EOI, _JPEG_SOS):
            name = {_JPEG_SOI: 'a second SOI', _JPEG_EOI: 'EOI', _JPEG_SOS: 'SOS'}[marker]
            raise _bad('jpeg', f'{name} marker at byte {pos - 2} comes before any frame '
                       'header (SOFn marker)')
        pos = _skip_jpeg_segment(data, pos, marker)


def check_jpeg_complete(data: object) -> None:
    """Raise ``InputError`` unless a JPEG stream runs complete to its EOI marker.

    libjpeg decodes a truncated JPEG file as if its missing rows were grey and only prints a
    warning that Python cannot catch; this walk finds the truncation first. Every segment is
    skipped by its length and entropy-coded scan data is searched for the next marker, so an
    EOI inside an embedded thumbnail (an APP segment) does not count. Bytes after EOI are
    allowed.

    Args:
        data: The encoded file (``bytes``, ``bytearray``, a uint8 array or any buffer), starting
            with the JPEG SOI marker.

    Raises:
        InputError: Not a JPEG stream, or the data ends before EOI (truncated).
    """
    data = _as_bytes(data)
    if not data.startswith(b'\xff\xd8'):
        raise _bad('jpeg', 'data does not start with the SOI marker (FF D8)')
    pos = 2
    while True:
        found = _next_jpeg_marker(data, pos)
        if found is None:
            raise InputError(f'JPEG data is truncated: {len(data)} bytes end before the EOI '
                             'marker (the file was cut short)')
        marker, pos = found
        if marker == _JPEG_EOI:
            return
        if marker in _JPEG_STANDALONE:
            continue
        pos = _skip_jpeg_segment(data, pos, marker)
        if marker == _JPEG_SOS:
            match = _JPEG_MARKER_IN_SCAN.search(data, pos)
            if match is None:
                raise InputError(f'JPEG data is truncated: {len(data)} bytes end inside the '
                                 'scan data, before the EOI marker (the file was cut short)')
            pos = match.start()


# --- PNG -----------------------------------------------------------------------------------

_PNG_SIGNATURE: Final = b'\x89PNG\r\n\x1a\n'


def _png_header(data: bytes) -> ImageHeader:
    length = _uint(data, 8, 4, 'big', 'png')
    if data[12:16] != b'IHDR' or length != 13:
        raise _bad('png', f'first chunk is {data[12:16]!r} of {length} bytes; expected the '
                   '13-byte IHDR chunk')
    width = _uint(data, 16, 4, 'big', 'png')
    height = _uint(data, 20, 4, 'big', 'png')
    crc = _uint(data, 29, 4, 'big', 'png')
    if zlib.crc32(data[12:29]) != crc:
        raise _bad('png', 'IHDR chunk fails its CRC check (corrupt header)')
    if width > _INT32_MAX or height > _INT32_MAX:
        raise _bad('png', f'size {width}x{height} is out of range (at most 2^31 - 1)')
    pos, chunks = 33, 1
    while True:
        if pos + 8 > len(data):
            raise _bad('png', f'data is truncated: {len(data)} bytes end before the IEND chunk')
        length = _uint(data, pos, 4, 'big', 'png')
        chunk_type = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise _bad('png', f'data is truncated: chunk {chunk_type!r} at byte {pos} declares '
                       f'{length} bytes, {max(0, len(data) - pos - 12)} left')
        if chunk_type == b'IEND':
            return _checked('png', width, height)
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise _bad('png', f'more than {MAX_PNG_CHUNKS} chunks')
        pos = end


# --- BMP, GIF, Sun raster ------------------------------------------------------------------

def _bmp_header(data: bytes) -> ImageHeader:
    info_size = _int32le(data, 14, 'bmp')
    if info_size >= 36:  # BITMAPINFOHEADER and later, OS/2 2.x
        width = _int32le(data, 18, 'bmp')
        height = _int32le(data, 22, 'bmp')
    elif info_size == 12:  # BITMAPCOREHEADER
        width = _uint(data, 18, 2, 'little', 'bmp')
        height = _uint(data, 20, 2, 'little', 'bmp')
    else:
        raise _bad('bmp', f'info header of {info_size} bytes; expected 12 or >= 36')
    if height == 0:
        raise _bad('bmp', 'height is 0')
    return _checked('bmp', width, abs(height))  # negative height: rows stored top-down


def _gif_header(data: bytes) -> ImageHeader:
    if data[3:6] not in (b'87a', b'89a'):
        raise _bad('gif', f'version {data[3:6]!r}; expected 87a or 89a')
    return _checked('gif', _uint(data, 6, 2, 'little', 'gif'), _uint(data, 8, 2, 'little', 'gif'))


def _sun_raster_header(data: bytes) -> ImageHeader:
    return _checked('sun-raster', _uint(data, 4, 4, 'big', 'sun-raster'),
                    _uint(data, 8, 4, 'big', 'sun-raster'))


# --- WebP ----------------------------------------------------------------------------------

def _webp_header(data: bytes) -> ImageHeader:
    chunk = data[12:16]
    if chunk == b'VP8 ':
        if data[23:26] != b'\x9d\x01\x2a':
            raise _bad('webp', 'VP8 frame has no key-frame start code')
        width = _uint(data, 26, 2, 'little', 'webp') & 0x3FFF
        height = _uint(data, 28, 2, 'little', 'webp') & 0x3FFF
    elif chunk == b'VP8L':
        if _uint(data, 20, 1, 'little', 'webp') != 0x2F:
            raise _bad('webp', 'VP8L bitstream has no 0x2F signature')
        bits = _uint(data, 21, 4, 'little', 'webp')
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b'VP8X':
        width = _uint(data, 24, 3, 'little', 'webp') + 1
        height = _uint(data, 27, 3, 'little', 'webp') + 1
    else:
        raise _bad('webp', f'first chunk is {chunk!r}; expected VP8, VP8L or VP8X')
    return _checked('webp', width, height)


# --- TIFF ----------------------------------------------------------------------------------

_TIFF_SIGNATURES: Final = (b'II*\x00', b'MM\x00*', b'II+\x00', b'MM\x00+')
_TIFF_IMAGE_WIDTH, _TIFF_IMAGE_LENGTH = 256, 257
_TIFF_SHORT, _TIFF_LONG, _TIFF_LONG8 = 3, 4, 16
_TIFF_MAX_ENTRIES: Final = 0xFFFF  # libtiff's limit for BigTIFF; classic TIFF counts in 16 bits


def _tiff_header(data: bytes) -> ImageHeader:
    order: _ByteOrder = 'little' if data[:2] == b'II' else 'big'
    big = data[2:4] in (b'+\x00', b'\x00+')
    if big:
        if _uint(data, 4, 2, order, 'tiff') != 8:
            raise _bad('tiff', 'BigTIFF offsets are not 8 bytes wide')
        ifd, count_size, entry_size, value_size = _uint(data, 8, 8, order, 'tiff'), 8, 20, 8
    else:
        ifd, count_size, entry_size, value_size = _uint(data, 4, 4, order, 'tiff'), 2, 12, 4
    if ifd < 8:
        raise _bad('tiff', f'first IFD offset {ifd} points into the header')
    count = _uint(data, ifd, count_size, order, 'tiff')
    first = ifd + count_size
    if count > _TIFF_MAX_ENTRIES:
        raise _bad('tiff', f'first IFD has {count} entries; at most {_TIFF_MAX_ENTRIES}')
    if first + count * entry_size > len(data):
        raise _truncated('tiff', first + count * entry_size, len(data))
    widths = {_TIFF_SHORT: 2, _TIFF_LONG: 4, _TIFF_LONG8: 8 if big else 0}
    sizes: dict[int, int] = {}
    for index in range(count):
        entry = first + index * entry_size
        tag = _uint(data, entry, 2, order, 'tiff')
        if tag not in (_TIFF_IMAGE_WIDTH, _TIFF_IMAGE_LENGTH):
            continue
        field_type = _uint(data, entry + 2, 2, order, 'tiff')
        values = _uint(data, entry + 4, value_size, order, 'tiff')
        if values != 1 or not widths.get(field_type):
            raise _bad('tiff', f'tag {tag} has type {field_type} and {values} values; expected '
                       'one SHORT or LONG')
        value = _uint(data, entry + 4 + value_size, widths[field_type], order, 'tiff')
        # libtiff keeps the first of duplicated tags; the larger one is the safe reading
        sizes[tag] = max(sizes.get(tag, 0), value)
    if _TIFF_IMAGE_WIDTH not in sizes or _TIFF_IMAGE_LENGTH not in sizes:
        raise _bad('tiff', 'first IFD has no ImageWidth or no ImageLength tag')
    return _checked('tiff', sizes[_TIFF_IMAGE_WIDTH], sizes[_TIFF_IMAGE_LENGTH])


# --- PBM/PGM/PPM, Radiance HDR -------------------------------------------------------------

def _pnm_number(data: bytes, pos: int) -> tuple[int, int]:
    """Read a header number as OpenCV's ``ReadNumber`` does; return it and the next position.

    Stricter than OpenCV where that is safe: the number must end in whitespace (OpenCV drops
    whatever byte ends it, so ``53x37`` would read as 53 and 37).
    """
    size = len(data)
    while True:
        if pos >= size:
            raise _truncated('pnm', pos + 1, size)
        code = data[pos]
        if code in _DIGITS:
            break
        if code == ord('#'):  # a comment runs to the end of its line
            ends = [end for end in (data.find(b'\n', pos), data.find(b'\r', pos)) if end >= 0]
            if not ends:
                raise _truncated('pnm', size + 1, size)
            pos = min(ends) + 1
        elif code in _WHITESPACE:
            pos += 1
        else:
            raise _bad('pnm', f'unexpected byte 0x{code:02X} at {pos}; expected a number')
    start = pos
    while pos < size and data[pos] in _DIGITS and pos - start <= 10:
        pos += 1
    value = int(data[start:pos])
    if pos >= size:
        raise _truncated('pnm', pos + 1, size)
    if value > _INT32_MAX or data[pos] not in _WHITESPACE:
        raise _bad('pnm', f'bad number at byte {start}; expected at most 2^31 - 1 followed by '
                   'whitespace')
    return value, pos + 1


def _pnm_header(data: bytes) -> ImageHeader:
    width, pos = _pnm_number(data, 2)
    height, _ = _pnm_number(data, pos)
    return _checked('pnm', width, height)


_HDR_LINE: Final = 127  # OpenCV reads the header with fgets into a 128-byte buffer
_HDR_FORMAT_LINE: Final = b'FORMAT=32-bit_rle_rgbe\n'
_HDR_RESOLUTION: Final = re.compile(rb'-Y\s*([+-]?\d+)\s*\+X\s*([+-]?\d+)')


def _hdr_header(data: bytes) -> ImageHeader:
    pos = 0

    def next_line() -> bytes:
        nonlocal pos
        if pos >= len(data):
            raise _bad('hdr', 'data ends inside the header')
        newline = data.find(b'\n', pos, pos + _HDR_LINE)
        end = newline + 1 if newline >= 0 else min(len(data), pos + _HDR_LINE)
        line, pos = data[pos:end], end
        return line.split(b'\x00', 1)[0]  # C string functions stop at NUL

    next_line()  # '#?RADIANCE' or '#?RGBE'
    has_format = False
    while True:
        line = next_line()
        if line[:1] == b'\n':
            break
        if line == _HDR_FORMAT_LINE:
            has_format = True
    if not has_format:
        raise _bad('hdr', 'no "FORMAT=32-bit_rle_rgbe" line')
    match = _HDR_RESOLUTION.match(next_line())
    if match is None:
        raise _bad('hdr', 'no "-Y <height> +X <width>" resolution line (the only orientation '
                   'OpenCV decodes)')
    height, width = int(match[1]), int(match[2])
    if height > _INT32_MAX or width > _INT32_MAX:
        raise _bad('hdr', f'size {width}x{height} is out of range (at most 2^31 - 1)')
    return _checked('hdr', width, height)


# --- JPEG 2000 -----------------------------------------------------------------------------

_JP2_SIGNATURE: Final = b'\x00\x00\x00\x0cjP  \r\n\x87\n'
_J2K_SIGNATURE: Final = b'\xff\x4f\xff\x51'  # SOC, SIZ


def _j2k_size(data: bytes, start: int) -> tuple[int, int]:
    """Return the image size in the SIZ marker of the codestream at ``start``."""
    if data[start:start + 4] != _J2K_SIGNATURE:
        raise _bad('jpeg2000', 'codestream does not start with SOC and SIZ markers')
    fields = [_uint(data, start + offset, 4, 'big', 'jpeg2000') for offset in range(8, 40, 4)]
    x1, y1, x0, y0, tile_width, tile_height, tile_x0, tile_y0 = fields
    components = _uint(data, start + 40, 2, 'big', 'jpeg2000')
    if not (x0 < x1 and y0 < y1 and tile_width and tile_height and tile_x0 <= x0
            and tile_y0 <= y0):
        raise _bad('jpeg2000', f'inconsistent SIZ marker (image {x0}..{x1} x {y0}..{y1}, '
                   f'tiles {tile_width}x{tile_height} from {tile_x0},{tile_y0})')
    tiles = -(-(x1 - tile_x0) // tile_width) * -(-(y1 - tile_y0) // tile_height)
    if tiles > MAX_JPEG2000_TILES:
        raise _bad('jpeg2000', f'{tiles} tiles of {tile_width}x{tile_height} pixels; at most '
                   f'{MAX_JPEG2000_TILES} are accepted (OpenJPEG allocates every tile first)')
    if not 1 <= components <= 4:
        raise _bad('jpeg2000', f'{components} components; OpenCV decodes 1 to 4')
    return x1 - x0, y1 - y0


def _jp2_header(data: bytes) -> ImageHeader:
    pos, ihdr = 0, (0, 0)
    while pos + 8 <= len(data):
        box_length = _uint(data, pos, 4, 'big', 'jpeg2000')
        box_type, header = data[pos + 4:pos + 8], 8
        if box_length == 1:
            box_length, header = _uint(data, pos + 8, 8, 'big', 'jpeg2000'), 16
        elif box_length == 0:  # the last box runs to the end
            box_length = len(data) - pos
        if box_length < header or pos + box_length > len(data):
            raise _bad('jpeg2000', f'box {box_type!r} at byte {pos} declares {box_length} '
                       f'bytes, {len(data) - pos} left')
        if box_type == b'jp2h':
            inner = data[pos + header:pos + box_length]
            if inner[4:8] == b'ihdr':  # the first box of jp2h: HEIGHT, WIDTH
                height = _uint(inner, 8, 4, 'big', 'jpeg2000')
                ihdr = (_uint(inner, 12, 4, 'big', 'jpeg2000'), height)
        if box_type == b'jp2c':
            width, height = _j2k_size(data, pos + header)
            # OpenJPEG sizes the image from the codestream; take ihdr too in case it differs
            return _checked('jpeg2000', max(width, ihdr[0]), max(height, ihdr[1]))
        pos += box_length
    raise _bad('jpeg2000', 'no contiguous codestream (jp2c) box')


def _j2k_header(data: bytes) -> ImageHeader:
    return _checked('jpeg2000', *_j2k_size(data, 0))


# --- dispatch ------------------------------------------------------------------------------

def _is_pnm(data: bytes) -> bool:
    return data[:1] == b'P' and data[1:2] in (b'1', b'2', b'3', b'4', b'5', b'6') \
        and data[2:3] != b'' and data[2] in _WHITESPACE


def _refused(name: str) -> InputError:
    return InputError(f'{name} images are not accepted: OpenCV decodes them, but their size '
                      'cannot be checked before decoding; send JPEG or PNG')


def read_image_header(data: object) -> ImageHeader:
    """Read format and pixel size of an encoded image from its header, decoding nothing.

    The signatures are tried in the order ``cv2.imdecode`` tries its decoders, so the header
    read is the one the decoder would use. See the module docstring for the formats.

    Args:
        data: The encoded file: ``bytes``, ``bytearray``, a uint8 array, ``array.array`` or any
            buffer (copied once to ``bytes`` unless it is ``bytes``).

    Returns:
        The header; ``width`` and ``height`` are > 0.

    Raises:
        InputError: An unrecognised or refused format, a malformed or truncated header.
    """
    data = _as_bytes(data)
    if data[:2] == b'BM':
        return _bmp_header(data)
    if data[:3] == b'GIF':
        return _gif_header(data)
    if data[4:8] == b'ftyp':
        raise _refused('AVIF/HEIF (ISO base media file)')
    if data.startswith((b'#?RGBE', b'#?RADIANCE')):
        return _hdr_header(data)
    if data[:3] == b'\xff\xd8\xff':
        return _jpeg_header(data)
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return _webp_header(data)
    if data[:4] == b'\x59\xa6\x6a\x95':
        return _sun_raster_header(data)
    if _is_pnm(data):
        return _pnm_header(data)
    if data[:2] == b'P7':
        raise _refused('PAM (P7)')
    if data[:2] in (b'PF', b'Pf'):
        raise _refused('PFM (floating-point)')
    if data[:4] in _TIFF_SIGNATURES:
        return _tiff_header(data)
    if data[:8] == _PNG_SIGNATURE:
        return _png_header(data)
    if data[:12] == _JP2_SIGNATURE:
        return _jp2_header(data)
    if data[:4] == _J2K_SIGNATURE:
        return _j2k_header(data)
    raise InputError(f'not a recognised image format (first bytes {data[:8].hex(" ")!r}); '
                     'expected JPEG, PNG, BMP, GIF, WebP, TIFF, PNM, Sun raster, Radiance HDR '
                     'or JPEG 2000')


def encoded_image_size(data: object) -> tuple[int, int]:
    """Return ``(width, height)`` of an encoded image from its header; see ``read_image_header``.

    Raises:
        InputError: An unrecognised or refused format, a malformed or truncated header.
    """
    header = read_image_header(data)
    return header.width, header.height


def check_max_pixels(max_pixels: int, parameter: str = 'max_input_pixels') -> int:
    """Return ``max_pixels`` if it is a valid pixel budget (an ``int`` >= 1).

    Raises:
        InputError: It is not (the message names ``parameter``).
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise InputError(f'{parameter} must be an integer >= 1, got {max_pixels!r}')
    return max_pixels


def check_pixel_budget(width: int, height: int, max_pixels: int, what: str,
                       parameter: str = 'max_input_pixels') -> None:
    """Raise ``ImageTooLargeError`` when ``width * height`` is above ``max_pixels``.

    Args:
        width: Pixels per row.
        height: Rows.
        max_pixels: The budget, >= 1.
        what: Names the image in the message (``'compressed image'``, a file name).
        parameter: The setting that holds the budget, named in the message.

    Raises:
        ImageTooLargeError: Above the budget; the message names the size, the limit and the
            parameter.
        InputError: ``max_pixels`` is not an integer >= 1.
    """
    check_max_pixels(max_pixels, parameter)
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLargeError(
            f'{what} is {width}x{height} = {pixels:,} pixels, more than the limit of '
            f'{max_pixels:,} pixels ({parameter}); it is refused before decoding. Raise '
            f'{parameter} to accept it')


def encoded_byte_budget(max_pixels: int) -> int:
    """Return the most encoded bytes accepted with a pixel budget of ``max_pixels``.

    ``max_pixels * MAX_ENCODED_BYTES_PER_PIXEL + ENCODED_METADATA_ALLOWANCE``: no common
    encoding of an image within the budget needs more (uncompressed 16-bit RGBA plus metadata).
    """
    return max_pixels * MAX_ENCODED_BYTES_PER_PIXEL + ENCODED_METADATA_ALLOWANCE


def check_encoded_byte_budget(size: int, max_pixels: int, what: str,
                              parameter: str = 'max_input_pixels') -> None:
    """Raise ``ImageTooLargeError`` when ``size`` bytes exceed ``encoded_byte_budget``.

    Args:
        size: Length of the encoded data in bytes.
        max_pixels: The pixel budget, >= 1.
        what: Names the data in the message.
        parameter: The setting that holds the budget, named in the message.

    Raises:
        ImageTooLargeError: Above the byte budget.
        InputError: ``max_pixels`` is not an integer >= 1.
    """
    check_max_pixels(max_pixels, parameter)
    limit = encoded_byte_budget(max_pixels)
    if size > limit:
        raise ImageTooLargeError(
            f'{what} is {size:,} bytes, more than the {limit:,} bytes an encoded image within '
            f'{max_pixels:,} pixels ({parameter}) may take; it is refused before decoding. '
            f'Raise {parameter} to accept it')
