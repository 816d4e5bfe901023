"""EngineConfig validation: bad values raise InputError (a ValueError) naming the allowed set."""

import dataclasses

import pytest

from ros2_posenet.posenet.model.config import DELEGATES, EngineConfig
from ros2_posenet.posenet.errors import InputError


def test_defaults() -> None:
    """Defaults follow the contract: CPU, two threads, fallback on."""
    config = EngineConfig('model.tflite')
    assert (config.delegate, config.delegate_device, config.delegate_library) == ('cpu', '', '')
    assert config.delegate_fallback is True and config.num_threads == 2
    assert config.delegate in DELEGATES


def test_frozen() -> None:
    """The config is immutable."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        EngineConfig('model.tflite').num_threads = 4  # type: ignore[misc]


@pytest.mark.parametrize('delegate', ['tpu', 'CPU', '', 'nnapi'])
def test_bad_delegate_names_the_allowed_set(delegate: str) -> None:
    """Bad delegate names the allowed set."""
    with pytest.raises(ValueError, match=r"\('cpu', 'edgetpu', 'gpu'\)"):
        EngineConfig('model.tflite', delegate=delegate)


@pytest.mark.parametrize('num_threads', [0, -1, 1.5, True, '2'])
def test_bad_num_threads(num_threads: object) -> None:
    """num_threads must be an int >= 1 (bools, floats and strings are rejected)."""
    with pytest.raises(InputError, match='num_threads must be an integer >= 1'):
        EngineConfig('model.tflite', num_threads=num_threads)  # type: ignore[arg-type]


@pytest.mark.parametrize('model_path', ['', '   ', None])
def test_bad_model_path(model_path: object) -> None:
    """An empty or missing model_path is rejected."""
    with pytest.raises(InputError, match='model_path'):
        EngineConfig(model_path)  # type: ignore[arg-type]


@pytest.mark.parametrize('device', ['usb', 'usb:0', 'pci', 'pci:12', ':1', ''])
def test_edgetpu_device_forms(device: str) -> None:
    """Every device form libedgetpu accepts passes validation."""
    assert EngineConfig('m.tflite', delegate='edgetpu', delegate_device=device).delegate_device \
        == device


@pytest.mark.parametrize('device', ['usb0', 'gpu:0', 'usb:', 'pci:x', ' usb'])
def test_bad_edgetpu_device(device: str) -> None:
    """Malformed Edge TPU device strings are rejected with the accepted forms."""
    with pytest.raises(InputError, match='usb:<N>'):
        EngineConfig('m.tflite', delegate='edgetpu', delegate_device=device)


def test_bad_fallback_and_library_types() -> None:
    """Bad fallback and library types."""
    with pytest.raises(InputError, match='delegate_fallback'):
        EngineConfig('m.tflite', delegate_fallback='yes')  # type: ignore[arg-type]
    with pytest.raises(InputError, match='delegate_library'):
        EngineConfig('m.tflite', delegate_library=None)  # type: ignore[arg-type]
