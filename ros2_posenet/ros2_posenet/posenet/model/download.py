"""Public PoseNet models and how to download them into the user cache.

Models come from Coral's ``project-posenet`` repository (Apache-2.0) and from the TensorFlow Lite
model storage. Downloads go to ``<user cache dir>/models`` by default (where
:func:`ros2_posenet.posenet.data_path.data_dir` finds them when no data directory is configured),
are written to a temporary file and renamed into place, so an interrupted download never leaves a
truncated model behind.
"""

from dataclasses import dataclass
import os
from pathlib import Path
import shutil
import tempfile
from typing import Any, Callable
import urllib.error
import urllib.request

from .data_path import user_cache_dir
from ..errors import InputError, ModelDownloadError

CORAL_BASE_URL = 'https://github.com/google-coral/project-posenet/raw/master/models/mobilenet/'
TFLITE_BASE_URL = 'https://storage.googleapis.com/download.tensorflow.org/models/tflite/'
DEFAULT_TIMEOUT_S = 30.0
_CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class ModelSource:
    """A downloadable model.

    Attributes:
        name: File name, also the name used on the command line and in ``model_path``.
        url: Where it is downloaded from.
        description: One line for ``--list``.
    """

    name: str
    url: str
    description: str


def _coral_sources() -> tuple[ModelSource, ...]:
    sources = []
    for size, height, width in (('353_481', 353, 481), ('481_641', 481, 641),
                                ('721_1281', 721, 1281)):
        stem = f'posenet_mobilenet_v1_075_{size}_quant'
        sources += [
            ModelSource(f'{stem}.tflite', f'{CORAL_BASE_URL}components/{stem}.tflite',
                        f'Coral raw PoseNet {height}x{width}, uint8 (CPU)'),
            ModelSource(f'{stem}_decoder.tflite', f'{CORAL_BASE_URL}{stem}_decoder.tflite',
                        f'Coral PoseNet {height}x{width} with decoder op, better quantized '
                        '(CPU; decoder op removed on load)'),
            ModelSource(f'{stem}_decoder_edgetpu.tflite',
                        f'{CORAL_BASE_URL}{stem}_decoder_edgetpu.tflite',
                        f'Coral PoseNet {height}x{width} compiled for the Edge TPU '
                        '(needs delegate edgetpu)'),
        ]
    return tuple(sources)


MODEL_SOURCES: tuple[ModelSource, ...] = _coral_sources() + (
    ModelSource('posenet_mobilenet_v1_100_257x257_multi_kpt_stripped.tflite',
                f'{TFLITE_BASE_URL}posenet_mobilenet_v1_100_257x257_multi_kpt_stripped.tflite',
                'Official TFLite PoseNet MobileNetV1 1.0, 257x257 float32, stride 32 (CPU, GPU)'),
)
"""Every model :func:`download_model` knows, by file name."""


def model_names() -> tuple[str, ...]:
    """Return the names of all downloadable models."""
    return tuple(source.name for source in MODEL_SOURCES)


def find_source(name: str) -> ModelSource:
    """Return the registry entry of a model name.

    Raises:
        InputError: The name is not in :data:`MODEL_SOURCES`; the message lists the names.
    """
    for source in MODEL_SOURCES:
        if source.name == name:
            return source
    raise InputError(f'Unknown model {name!r}; known models: {", ".join(model_names())}')


def default_download_dir() -> Path:
    """Return ``<user cache dir>/models``, where models are downloaded by default."""
    return user_cache_dir() / 'models'


_urlopen: Callable[..., Any] = urllib.request.urlopen


def download_url(url: str, destination: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Path:
    """Download ``url`` to ``destination`` atomically (temporary file, then rename).

    Args:
        url: Source URL (``https://``, ``http://`` or ``file://``).
        destination: Target file; its directory is created if needed.
        timeout_s: Socket timeout in seconds for connecting and for each read.

    Returns:
        ``destination``.

    Raises:
        ModelDownloadError: Network failure, HTTP error, empty or non-TFLite response, or the
            file cannot be written; the message names the URL and what to do.
    """
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ModelDownloadError(f'Cannot create {destination.parent}: {error}') from error
    descriptor, temporary = tempfile.mkstemp(prefix=f'.{destination.name}.',
                                             suffix='.part', dir=destination.parent)
    try:
        with os.fdopen(descriptor, 'wb') as file:
            with _urlopen(url, timeout=timeout_s) as response:
                shutil.copyfileobj(response, file, _CHUNK_BYTES)
            file.flush()
            os.fsync(file.fileno())
        with open(temporary, 'rb') as file:
            header = file.read(8)
        if len(header) < 8 or header[4:8] != b'TFL3':
            raise ModelDownloadError(
                f'Downloaded {url} but it is not a TFLite model ({len(header)} bytes at the '
                'start, no "TFL3" identifier); the URL may have moved.')
        os.replace(temporary, destination)
    except ModelDownloadError:
        _remove(temporary)
        raise
    except (urllib.error.URLError, OSError, ValueError) as error:
        _remove(temporary)
        raise ModelDownloadError(
            f'Cannot download {url}: {error}. Check the network connection (or proxy), or '
            f'download the file by hand and save it as {destination}.') from error
    return destination


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def download_model(name: str, dest_dir: Path | None = None, overwrite: bool = False,
                   timeout_s: float = DEFAULT_TIMEOUT_S) -> Path:
    """Download a registered model unless it is already there.

    Args:
        name: A name from :func:`model_names`.
        dest_dir: Target directory; default :func:`default_download_dir`.
        overwrite: Download again even if the file exists.
        timeout_s: Socket timeout in seconds.

    Returns:
        Path of the model file.

    Raises:
        InputError: Unknown model name.
        ModelDownloadError: The download failed (see :func:`download_url`).
    """
    source = find_source(name)
    destination = (dest_dir if dest_dir is not None else default_download_dir()) / source.name
    if destination.is_file() and destination.stat().st_size > 0 and not overwrite:
        return destination
    return download_url(source.url, destination, timeout_s)
