"""The one place that imports a TFLite interpreter: LiteRT, else tflite-runtime, else TensorFlow.

Every other module gets the interpreter class and ``load_delegate`` from :func:`load_runtime`, so
the choice (and the reasons the preferred runtimes were skipped) is made and reported once.
"""

from dataclasses import dataclass
import functools
import importlib
from types import ModuleType
from typing import Any, Callable, Sequence

from ..errors import ModelError, RuntimeNotFoundError

RUNTIME_NAMES = ('ai_edge_litert', 'tflite_runtime', 'tensorflow')
"""Runtimes in order of preference (import names)."""

INSTALL_HINTS = {
    'ai_edge_litert': 'pip install ai-edge-litert',
    'tflite_runtime': 'pip install tflite-runtime',
    'tensorflow': 'pip install tensorflow',
}
"""The pip command that installs each runtime."""

_INTERPRETER_MODULES = {
    'ai_edge_litert': 'ai_edge_litert.interpreter',
    'tflite_runtime': 'tflite_runtime.interpreter',
    'tensorflow': 'tensorflow',
}


@dataclass(frozen=True)
class TfliteRuntime:
    """An imported TFLite runtime.

    Attributes:
        name: Which runtime: one of :data:`RUNTIME_NAMES`.
        version: Its package version, ``''`` when unknown.
        interpreter_class: The ``Interpreter`` class.
        load_delegate: The runtime's ``load_delegate(library, options)`` function.
        skipped: ``(runtime name, reason)`` for each preferred runtime that could not be imported.
    """

    name: str
    version: str
    interpreter_class: type
    load_delegate: Callable[..., Any]
    skipped: tuple[tuple[str, str], ...] = ()

    def create_interpreter(self, model_content: bytes, num_threads: int,
                           delegates: Sequence[Any] = ()) -> Any:
        """Build an interpreter from an in-memory model (not yet allocated).

        Args:
            model_content: The ``.tflite`` flatbuffer bytes (possibly rewritten in memory).
            num_threads: CPU threads, at least 1.
            delegates: Loaded delegates to apply, in order; empty runs on the CPU (XNNPACK).

        Returns:
            The runtime's ``Interpreter``.

        Raises:
            ModelError: The bytes are not a valid TFLite model.
            ValueError, RuntimeError: A delegate rejected the model (handled by the caller).
        """
        kwargs: dict[str, Any] = {'model_content': model_content, 'num_threads': num_threads}
        if delegates:
            kwargs['experimental_delegates'] = list(delegates)
        try:
            return self.interpreter_class(**kwargs)
        except ValueError as error:
            if 'not a valid Flatbuffer' in str(error) or 'must be specified' in str(error):
                raise ModelError(f'not a valid TFLite model ({error})') from error
            raise


def _import_module(name: str) -> ModuleType:
    """Import one module; a separate function so tests can simulate missing runtimes."""
    return importlib.import_module(name)


def _runtime_from_module(name: str, module: ModuleType,
                         skipped: tuple[tuple[str, str], ...]) -> TfliteRuntime:
    """Collect the interpreter class and ``load_delegate`` from an imported runtime module."""
    if name == 'tensorflow':
        lite = module.lite
        interpreter_class, load_delegate = lite.Interpreter, lite.experimental.load_delegate
        version = str(getattr(module, '__version__', ''))
    else:
        interpreter_class, load_delegate = module.Interpreter, module.load_delegate
        package = _import_module(name)
        version = str(getattr(package, '__version__', ''))
    return TfliteRuntime(name=name, version=version, interpreter_class=interpreter_class,
                         load_delegate=load_delegate, skipped=skipped)


@functools.lru_cache(maxsize=1)
def load_runtime() -> TfliteRuntime:
    """Import the first usable TFLite runtime (cached).

    A runtime whose import raises anything (not only ``ImportError``: tflite-runtime 2.14
    built against numpy 1 fails under numpy 2) counts as unavailable; the reason is kept.

    Returns:
        The chosen runtime.

    Raises:
        RuntimeNotFoundError: None of :data:`RUNTIME_NAMES` can be imported; the message lists
            each reason and the pip commands that install one.
    """
    skipped: list[tuple[str, str]] = []
    for name in RUNTIME_NAMES:
        try:
            module = _import_module(_INTERPRETER_MODULES[name])
            return _runtime_from_module(name, module, tuple(skipped))
        except Exception as error:  # any import failure makes it unavailable
            skipped.append((name, f'{type(error).__name__}: {error}'))
    reasons = '; '.join(f'{name}: {reason}' for name, reason in skipped)
    hints = ' or '.join(f'`{INSTALL_HINTS[name]}`' for name in RUNTIME_NAMES)
    raise RuntimeNotFoundError(
        f'No TFLite runtime can be imported ({reasons}). Install one: {hints} '
        f'(ai-edge-litert is recommended; tflite-runtime 2.14 needs numpy < 2).')
