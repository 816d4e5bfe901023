"""Delegate selection and CPU fallback; no Edge TPU or GPU delegate library is installed here."""

import logging
from pathlib import Path
from typing import Any

import pytest

from ros2_posenet.posenet.model import delegates
from ros2_posenet.posenet.model.delegates import (
    create_delegated_interpreter, default_libraries, edgetpu_options, load_delegate)
from ros2_posenet.posenet.model.config import EngineConfig
from ros2_posenet.posenet.errors import DelegateError
from ros2_posenet.posenet.model.runner import load_model
from ros2_posenet.posenet.model.runtime import load_runtime, TfliteRuntime

RAW_MODEL = 'posenet_mobilenet_v1_075_353_481_quant.tflite'
EDGETPU_MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder_edgetpu.tflite'
MISSING_LIBRARY = 'libposenet_test_no_such_delegate.so'


def _config(models_dir: Path, name: str, **kwargs: Any) -> EngineConfig:
    return EngineConfig(str(models_dir / name), **kwargs)


def test_gpu_falls_back_to_cpu_with_reason(models_dir: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    """GPU falls back to CPU with reason."""
    with caplog.at_level(logging.WARNING, logger=delegates.__name__):
        runner = load_model(_config(models_dir, RAW_MODEL, delegate='gpu'))
    with runner:
        assert runner.info.delegate == 'cpu'
        assert 'gpu delegate could not be loaded' in runner.info.fallback_reason
        assert 'libtensorflowlite_gpu_delegate' in runner.info.fallback_reason
        runner.invoke()
    assert any('instead of the gpu delegate' in record.getMessage()
               for record in caplog.records)


def test_gpu_without_fallback_raises_delegate_error(models_dir: Path) -> None:
    """GPU without fallback raises delegate error."""
    config = _config(models_dir, RAW_MODEL, delegate='gpu', delegate_library=MISSING_LIBRARY,
                     delegate_fallback=False)
    with pytest.raises(DelegateError, match=MISSING_LIBRARY) as raised:
        load_model(config)
    assert 'delegate_fallback is off' in str(raised.value)


def test_library_without_plugin_entry_point_is_reported(models_dir: Path) -> None:
    """Library without plugin entry point is reported."""
    config = _config(models_dir, RAW_MODEL, delegate='gpu', delegate_library='libc.so.6',
                     delegate_fallback=False)
    with pytest.raises(DelegateError, match='is not a TFLite delegate plugin'):
        load_model(config)


def test_edgetpu_on_non_compiled_model_falls_back_to_cpu(models_dir: Path) -> None:
    """Edge TPU on non compiled model falls back to CPU."""
    with load_model(_config(models_dir, RAW_MODEL, delegate='edgetpu',
                            delegate_device='usb:0')) as runner:
        assert runner.info.delegate == 'cpu'
        assert 'not compiled for the Edge TPU' in runner.info.fallback_reason
        assert not runner.layout.edgetpu_compiled
        runner.invoke()


def test_edgetpu_on_non_compiled_model_without_fallback_raises(models_dir: Path) -> None:
    """Edge TPU on non compiled model without fallback raises."""
    with pytest.raises(DelegateError, match='not compiled for the Edge TPU'):
        load_model(_config(models_dir, RAW_MODEL, delegate='edgetpu', delegate_fallback=False))


@pytest.mark.parametrize('fallback', [True, False])
def test_edgetpu_model_without_libedgetpu_cannot_fall_back(models_dir: Path,
                                                           fallback: bool) -> None:
    """Edge TPU model without libedgetpu cannot fall back."""
    config = _config(models_dir, EDGETPU_MODEL, delegate='edgetpu', delegate_fallback=fallback)
    with pytest.raises(DelegateError) as raised:
        load_model(config)
    message = str(raised.value)
    assert 'edgetpu delegate could not be loaded' in message
    assert default_libraries('edgetpu')[0] in message
    if fallback:
        assert 'cannot fall back to the CPU' in message


def test_edgetpu_model_on_gpu_is_rejected(models_dir: Path) -> None:
    """Edge TPU model on GPU is rejected."""
    with pytest.raises(DelegateError, match='compiled for the Edge TPU'):
        load_model(_config(models_dir, EDGETPU_MODEL, delegate='gpu'))


def test_delegate_that_rejects_the_model_falls_back(models_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A delegate library that loads but fails to prepare the graph."""
    real = load_runtime()
    loaded_with: list[tuple[str, dict[str, str]]] = []

    def fake_load_delegate(library: str, options: dict[str, str]) -> object:
        loaded_with.append((library, options))
        return object()

    def interpreter_rejecting_delegates(**kwargs: Any) -> Any:
        if kwargs.get('experimental_delegates'):
            raise ValueError('Failed to apply delegate: op not supported')
        return real.interpreter_class(**kwargs)

    fake = TfliteRuntime(name='fake', version='0', load_delegate=fake_load_delegate,
                         interpreter_class=interpreter_rejecting_delegates)
    monkeypatch.setattr(delegates, 'PLUGIN_ENTRY_POINT', 'malloc')  # any symbol libc exports
    content = (models_dir / RAW_MODEL).read_bytes()
    config = _config(models_dir, RAW_MODEL, delegate='gpu', delegate_library='libc.so.6')
    result = create_delegated_interpreter(fake, content, config, RAW_MODEL, False)
    assert result.delegate == 'cpu'
    assert 'op not supported' in result.fallback_reason
    assert loaded_with == [('libc.so.6', {})]
    strict = _config(models_dir, RAW_MODEL, delegate='gpu', delegate_library='libc.so.6',
                     delegate_fallback=False)
    with pytest.raises(DelegateError, match='op not supported'):
        create_delegated_interpreter(fake, content, strict, RAW_MODEL, False)


def test_load_delegate_lists_every_candidate() -> None:
    """A failed default load lists every candidate library."""
    with pytest.raises(DelegateError) as raised:
        load_delegate(load_runtime(), 'gpu')
    for library in default_libraries('gpu'):
        assert library in str(raised.value)


def test_edgetpu_device_options() -> None:
    """delegate_device becomes the libedgetpu device option."""
    assert edgetpu_options('') == {}
    assert edgetpu_options('usb:0') == {'device': 'usb:0'}
    assert edgetpu_options('pci:1') == {'device': 'pci:1'}


def test_default_libraries_per_platform() -> None:
    """Default delegate library names follow the platform."""
    assert default_libraries('edgetpu', 'Linux') == ('libedgetpu.so.1',)
    assert default_libraries('edgetpu', 'Darwin') == ('libedgetpu.1.dylib',)
    assert default_libraries('edgetpu', 'Windows') == ('edgetpu.dll',)
    assert default_libraries('gpu', 'Linux') == ('libtensorflowlite_gpu_delegate.so',)
    assert default_libraries('gpu', 'Windows') == ('tensorflowlite_gpu_delegate.dll',)
