"""Build the interpreter on the requested delegate, falling back to the CPU when allowed.

* ``'cpu'``: XNNPACK, the runtime's default CPU path, with ``num_threads`` threads.
* ``'edgetpu'``: Coral's ``libedgetpu`` loaded with ``load_delegate``; ``delegate_device`` selects
  the device (``'usb'``, ``'usb:0'``, ``'pci:0'`` ...). Only models compiled by the Edge TPU
  compiler (custom op ``edgetpu-custom-op``) run on it, and those run nowhere else.
* ``'gpu'``: a TFLite GPU delegate library (``libtensorflowlite_gpu_delegate.so``) loaded with
  ``load_delegate``. ai-edge-litert 2.3.0 offers GPU acceleration only through its
  ``CompiledModel`` API (``HardwareAccelerator.GPU``), not through the ``Interpreter`` whose
  tensors this engine reads, so it is not used here.

When the delegate cannot be used and ``delegate_fallback`` is set, the model runs on the CPU,
the reason is logged with :mod:`logging` and returned; otherwise :class:`DelegateError` says why.
"""

from dataclasses import dataclass
import ctypes
import logging
import platform
from typing import Any

from .config import EngineConfig
from ..errors import DelegateError, ModelError
from .runtime import TfliteRuntime

_LOGGER = logging.getLogger(__name__)

EDGETPU_LIBRARIES = {
    'Linux': ('libedgetpu.so.1',),
    'Darwin': ('libedgetpu.1.dylib',),
    'Windows': ('edgetpu.dll',),
}
"""Default Edge TPU delegate library per ``platform.system()``."""

GPU_LIBRARIES = {
    'Linux': ('libtensorflowlite_gpu_delegate.so',),
    'Darwin': ('libtensorflowlite_gpu_delegate.dylib', 'libtensorflowlite_metal_delegate.dylib'),
    'Windows': ('tensorflowlite_gpu_delegate.dll',),
}
"""Default TFLite GPU delegate libraries per ``platform.system()``, tried in order."""

PLUGIN_ENTRY_POINT = 'tflite_plugin_create_delegate'
"""Symbol every delegate library loadable by ``load_delegate`` exports."""

INSTALL_HINTS = {
    'edgetpu': ('install the Edge TPU runtime (package libedgetpu1-std from '
                'https://coral.ai/software/) and plug in the Coral device'),
    'gpu': ('build the TFLite GPU delegate as a delegate plugin exporting '
            f'{PLUGIN_ENTRY_POINT} (libtensorflowlite_gpu_delegate.so) and pass its path as '
            'delegate_library'),
}


@dataclass(frozen=True)
class DelegatedInterpreter:
    """An allocated interpreter and the delegate it actually runs on.

    Attributes:
        interpreter: The runtime's ``Interpreter``, tensors allocated.
        delegate: ``'cpu'``, ``'edgetpu'`` or ``'gpu'``: what actually runs the model.
        fallback_reason: Why the requested delegate is not running (``None`` when it is).
    """

    interpreter: Any
    delegate: str
    fallback_reason: str | None = None


def default_libraries(delegate: str, system: str | None = None) -> tuple[str, ...]:
    """Return the default library names of a delegate on a platform (current one by default)."""
    table = EDGETPU_LIBRARIES if delegate == 'edgetpu' else GPU_LIBRARIES
    return table.get(system or platform.system(), table['Linux'])


def edgetpu_options(device: str) -> dict[str, str]:
    """Return ``load_delegate`` options for libedgetpu (``{}`` selects the first device)."""
    return {'device': device} if device else {}


def load_delegate(runtime: TfliteRuntime, delegate: str, library: str = '',
                  options: dict[str, str] | None = None) -> Any:
    """Load a delegate library, trying the platform defaults when ``library`` is empty.

    The library is opened with :mod:`ctypes` and checked for :data:`PLUGIN_ENTRY_POINT` first,
    so a missing or wrong file is reported plainly (the runtimes' ``Delegate`` objects print a
    spurious traceback from their destructor in those cases).

    Args:
        runtime: The imported TFLite runtime.
        delegate: ``'edgetpu'`` or ``'gpu'``.
        library: Path or file name of the delegate library; empty for the defaults.
        options: Options passed to the delegate (e.g. ``{'device': 'usb:0'}``).

    Returns:
        The loaded delegate object.

    Raises:
        DelegateError: No candidate library could be loaded; lists each failure and what to
            install.
    """
    candidates = (library,) if library else default_libraries(delegate)
    failures = []
    for candidate in candidates:
        try:
            library_handle = ctypes.CDLL(candidate)
            if not hasattr(library_handle, PLUGIN_ENTRY_POINT):
                failures.append(f'{candidate} is not a TFLite delegate plugin (it does not '
                                f'export {PLUGIN_ENTRY_POINT})')
                continue
            return runtime.load_delegate(candidate, options or {})
        except (OSError, ValueError, RuntimeError, AttributeError) as error:
            failures.append(f'{candidate}: {error}'.replace('\n', ' '))
    raise DelegateError(f'The {delegate} delegate could not be loaded '
                        f'({"; ".join(failures)}); {INSTALL_HINTS[delegate]}.')


def _allocated(runtime: TfliteRuntime, model_content: bytes, num_threads: int,
               delegates: tuple[Any, ...]) -> Any:
    interpreter = runtime.create_interpreter(model_content, num_threads, delegates)
    interpreter.allocate_tensors()
    return interpreter


def _run_on_cpu(runtime: TfliteRuntime, model_content: bytes, config: EngineConfig,
                path: str, edgetpu_compiled: bool) -> Any:
    if edgetpu_compiled:
        raise DelegateError(
            f'{path} is compiled for the Edge TPU (custom op edgetpu-custom-op) and cannot run '
            f"on the CPU or GPU: set delegate to 'edgetpu' with a Coral device and libedgetpu "
            'installed, or use the same model without Edge TPU compilation '
            '(e.g. *_quant_decoder.tflite instead of *_quant_decoder_edgetpu.tflite).')
    try:
        return _allocated(runtime, model_content, config.num_threads, ())
    except (ValueError, RuntimeError) as error:
        raise ModelError(f'{path} cannot be prepared by {runtime.name}: {error}') from error


def _fall_back(runtime: TfliteRuntime, model_content: bytes, config: EngineConfig, path: str,
               edgetpu_compiled: bool, reason: str) -> DelegatedInterpreter:
    """Run on the CPU if allowed and possible, else raise :class:`DelegateError`."""
    reason = reason.rstrip('. ')
    if edgetpu_compiled:
        raise DelegateError(f'{reason}. {path} is compiled for the Edge TPU, so it cannot fall '
                            'back to the CPU.')
    if not config.delegate_fallback:
        raise DelegateError(f'{reason}. (delegate_fallback is off; set it to true to run on the '
                            'CPU instead.)')
    interpreter = _run_on_cpu(runtime, model_content, config, path, edgetpu_compiled)
    _LOGGER.warning('Running %s on the CPU instead of the %s delegate: %s', path,
                    config.delegate, reason)
    return DelegatedInterpreter(interpreter, 'cpu', reason)


def create_delegated_interpreter(runtime: TfliteRuntime, model_content: bytes,
                                 config: EngineConfig, path: str,
                                 edgetpu_compiled: bool) -> DelegatedInterpreter:
    """Create and allocate an interpreter on ``config.delegate``, with CPU fallback when allowed.

    Args:
        runtime: The imported TFLite runtime.
        model_content: The (possibly rewritten) ``.tflite`` bytes.
        config: Engine configuration (delegate, device, library, fallback, threads).
        path: Model file, for messages.
        edgetpu_compiled: Whether the model contains ``edgetpu-custom-op``.

    Returns:
        The allocated interpreter, the delegate actually running and the fallback reason.

    Raises:
        DelegateError: The delegate cannot run the model and falling back is off or impossible
            (Edge TPU compiled models run only on the Edge TPU).
        ModelError: The model cannot be prepared even on the CPU.
    """
    if config.delegate == 'cpu':
        return DelegatedInterpreter(
            _run_on_cpu(runtime, model_content, config, path, edgetpu_compiled), 'cpu')
    if config.delegate == 'edgetpu' and not edgetpu_compiled:
        return _fall_back(
            runtime, model_content, config, path, edgetpu_compiled,
            f'{path} is not compiled for the Edge TPU (no edgetpu-custom-op), so the Edge TPU '
            'delegate would run none of it; compile it with edgetpu_compiler to use the Edge TPU')
    if config.delegate == 'gpu' and edgetpu_compiled:
        raise DelegateError(
            f'{path} is compiled for the Edge TPU (custom op edgetpu-custom-op) and cannot run '
            "on the GPU: set delegate to 'edgetpu', or use a model without Edge TPU compilation.")
    options = edgetpu_options(config.delegate_device) if config.delegate == 'edgetpu' else {}
    try:
        loaded = load_delegate(runtime, config.delegate, config.delegate_library, options)
    except DelegateError as error:
        return _fall_back(runtime, model_content, config, path, edgetpu_compiled, str(error))
    try:
        interpreter = _allocated(runtime, model_content, config.num_threads, (loaded,))
    except (ValueError, RuntimeError) as error:
        reason = f'The {config.delegate} delegate cannot run {path}: {error}'
        return _fall_back(runtime, model_content, config, path, edgetpu_compiled, reason)
    return DelegatedInterpreter(interpreter, config.delegate)
