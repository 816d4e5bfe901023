"""Choosing the TFLite runtime: LiteRT, else tflite-runtime, else TensorFlow."""

from types import ModuleType
from typing import Iterator

import pytest

from ros2_posenet.posenet.model import runtime
from ros2_posenet.posenet.errors import ModelError, RuntimeNotFoundError


@pytest.fixture
def fresh_runtime_cache() -> Iterator[None]:
    """Forget the cached runtime choice before and after the test."""
    runtime.load_runtime.cache_clear()
    yield
    runtime.load_runtime.cache_clear()


def test_litert_is_preferred(fresh_runtime_cache: None) -> None:
    """The LiteRT runtime is preferred and reports its version."""
    chosen = runtime.load_runtime()
    assert chosen.name == 'ai_edge_litert'
    assert chosen.skipped == ()
    assert chosen.version
    assert chosen.interpreter_class.__name__ == 'Interpreter'


def test_no_runtime_lists_install_commands(fresh_runtime_cache: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """No runtime lists install commands."""
    def no_module(name: str) -> ModuleType:
        raise ImportError(f'No module named {name!r}')

    monkeypatch.setattr(runtime, '_import_module', no_module)
    with pytest.raises(RuntimeNotFoundError) as raised:
        runtime.load_runtime()
    message = str(raised.value)
    for hint in ('pip install ai-edge-litert', 'pip install tflite-runtime',
                 'pip install tensorflow'):
        assert hint in message
    assert "No module named 'ai_edge_litert.interpreter'" in message


def test_broken_runtime_is_skipped_with_its_reason(fresh_runtime_cache: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A runtime whose import fails in any way (tflite-runtime 2.14 under numpy 2) is skipped."""
    real_import = runtime._import_module
    fake_tflite = ModuleType('tflite_runtime.interpreter')
    fake_tflite.Interpreter = object  # type: ignore[attr-defined]
    fake_tflite.load_delegate = print  # type: ignore[attr-defined]

    def fake_import(name: str) -> ModuleType:
        if name.startswith('ai_edge_litert'):
            raise ImportError('No module named ai_edge_litert')
        if name == 'tflite_runtime.interpreter':
            return fake_tflite
        if name == 'tflite_runtime':
            return ModuleType('tflite_runtime')
        return real_import(name)

    monkeypatch.setattr(runtime, '_import_module', fake_import)
    chosen = runtime.load_runtime()
    assert chosen.name == 'tflite_runtime'
    assert chosen.skipped == (('ai_edge_litert', 'ImportError: No module named ai_edge_litert'),)

    def numpy2_failure(name: str) -> ModuleType:
        if name.startswith('tflite_runtime'):
            raise AttributeError('_ARRAY_API not found')
        if name.startswith(('ai_edge_litert', 'tensorflow')):
            raise ImportError(f'No module named {name}')
        return real_import(name)

    runtime.load_runtime.cache_clear()
    monkeypatch.setattr(runtime, '_import_module', numpy2_failure)
    with pytest.raises(RuntimeNotFoundError, match='AttributeError: _ARRAY_API not found'):
        runtime.load_runtime()


def test_invalid_model_bytes_raise_model_error() -> None:
    """Invalid model bytes raise model error."""
    with pytest.raises(ModelError, match='not a valid TFLite model'):
        runtime.load_runtime().create_interpreter(b'TFL3' * 10, num_threads=1)
