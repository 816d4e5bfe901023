"""Configuration of the inference engine: which model, which delegate, how many CPU threads."""

from dataclasses import dataclass
import re
from typing import Final

from ..errors import InputError

DEFAULT_MODEL: Final[str] = 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'
"""Default model of the node and the tools: the 481x641 input matches VGA cameras 1:1 (no
down-scaling of small people) at about 12-25 ms per invoke on two CPU cores."""

DELEGATES = ('cpu', 'edgetpu', 'gpu')
"""Delegate names accepted by :class:`EngineConfig` (``'cpu'`` is XNNPACK)."""

EDGETPU_DEVICE_FORMS = ('', 'usb', 'usb:<N>', 'pci', 'pci:<N>', ':<N>')
"""Edge TPU device strings understood by libedgetpu (``''`` = first device found)."""

_EDGETPU_DEVICE_PATTERN = re.compile(r'(usb|pci)?(:\d+)?')


@dataclass(frozen=True)
class EngineConfig:
    """What to load and how to run it; validated on construction.

    Attributes:
        model_path: A ``.tflite`` file: absolute path, or a file name or relative path looked
            up under ``$POSENET_DATA_DIR/models`` then ``~/.cache/ros2_posenet/models``
            (see :func:`ros2_posenet.posenet.model.resolve_model_path`).
        delegate: One of :data:`DELEGATES`: ``'cpu'`` (XNNPACK), ``'edgetpu'`` (Coral Edge TPU
            through libedgetpu) or ``'gpu'`` (TFLite GPU delegate library).
        delegate_device: Edge TPU device, one of :data:`EDGETPU_DEVICE_FORMS` (e.g. ``'usb:0'``,
            ``'pci:0'``); empty selects the first device. Ignored by the other delegates.
        delegate_library: Path or file name of the delegate shared library; empty uses the
            platform default (``libedgetpu.so.1``, ``libtensorflowlite_gpu_delegate.so`` ...).
        delegate_fallback: When the requested delegate cannot run the model, run on the CPU and
            report why (``True``) or raise :class:`~ros2_posenet.posenet.errors.DelegateError`
            (``False``).
        num_threads: CPU threads of the interpreter (XNNPACK), at least 1.

    Raises:
        InputError: (a ``ValueError``) when a field has a value outside its allowed set.
    """

    model_path: str = DEFAULT_MODEL
    delegate: str = 'cpu'
    delegate_device: str = ''
    delegate_library: str = ''
    delegate_fallback: bool = True
    num_threads: int = 2

    def __post_init__(self) -> None:
        """Check every field; raise :class:`InputError` naming the bad value and the allowed."""
        if not isinstance(self.model_path, str) or not self.model_path.strip():
            raise InputError(
                f'model_path must be a non-empty path or file name of a .tflite model, '
                f'got {self.model_path!r}')
        if self.delegate not in DELEGATES:
            raise InputError(
                f'delegate must be one of {DELEGATES}, got {self.delegate!r}')
        if not isinstance(self.delegate_device, str) or not _EDGETPU_DEVICE_PATTERN.fullmatch(
                self.delegate_device):
            raise InputError(
                f'delegate_device must be one of the forms {EDGETPU_DEVICE_FORMS} '
                f'(N a device index), got {self.delegate_device!r}')
        if not isinstance(self.delegate_library, str):
            raise InputError(
                f'delegate_library must be a string (path or file name of the delegate '
                f'library, empty for the default), got {self.delegate_library!r}')
        if not isinstance(self.delegate_fallback, bool):
            raise InputError(
                f'delegate_fallback must be True or False, got {self.delegate_fallback!r}')
        if (isinstance(self.num_threads, bool) or not isinstance(self.num_threads, int)
                or self.num_threads < 1):
            raise InputError(
                f'num_threads must be an integer >= 1, got {self.num_threads!r}')
