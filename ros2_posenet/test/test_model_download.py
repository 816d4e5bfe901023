"""Model registry and downloads; no network needed (local file:// URLs and unreachable ones)."""

from pathlib import Path
from typing import Any

import pytest

from ros2_posenet.posenet.model import download as model_download
from ros2_posenet.posenet.errors import InputError, ModelDownloadError
from ros2_posenet.posenet.model.download import (
    default_download_dir, download_model, download_url, find_source, MODEL_SOURCES, model_names)
from ros2_posenet.tools import download_models

UNREACHABLE_URL = 'http://127.0.0.1:9/posenet.tflite'  # discard port: connection refused


def test_registry_covers_coral_and_official_models() -> None:
    """Registry covers coral and official models."""
    names = model_names()
    assert len(names) == len(set(names)) == 10
    for size in ('353_481', '481_641', '721_1281'):
        for suffix in ('quant', 'quant_decoder', 'quant_decoder_edgetpu'):
            name = f'posenet_mobilenet_v1_075_{size}_{suffix}.tflite'
            source = find_source(name)
            assert source.url.startswith(
                'https://github.com/google-coral/project-posenet/raw/master/models/mobilenet/')
            assert source.url.endswith('/' + name)
    official = find_source('posenet_mobilenet_v1_100_257x257_multi_kpt_stripped.tflite')
    assert official.url == ('https://storage.googleapis.com/download.tensorflow.org/models/'
                            'tflite/posenet_mobilenet_v1_100_257x257_multi_kpt_stripped.tflite')
    assert all(source.description for source in MODEL_SOURCES)


def test_unknown_name_lists_known_models() -> None:
    """Unknown name lists known models."""
    with pytest.raises(InputError, match='posenet_mobilenet_v1_075_481_641_quant.tflite'):
        find_source('posenet.tflite')


def test_default_dir_is_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Downloads go to <user cache>/models by default."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert default_download_dir() == tmp_path / 'ros2_posenet' / 'models'


def test_local_download_is_atomic_and_complete(models_dir: Path, tmp_path: Path) -> None:
    """Local download is atomic and complete."""
    source = models_dir / 'posenet_mobilenet_v1_075_353_481_quant.tflite'
    target = tmp_path / 'sub' / 'model.tflite'
    assert download_url(source.as_uri(), target) == target
    assert target.read_bytes() == source.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ['model.tflite']


def test_unreachable_url_names_the_url(tmp_path: Path) -> None:
    """Unreachable URL names the URL."""
    target = tmp_path / 'model.tflite'
    with pytest.raises(ModelDownloadError, match=UNREACHABLE_URL) as raised:
        download_url(UNREACHABLE_URL, target, timeout_s=5)
    assert 'Check the network connection' in str(raised.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no partial file left behind


def test_non_tflite_response_is_rejected(tmp_path: Path) -> None:
    """Non TFLite response is rejected."""
    page = tmp_path / 'page.html'
    page.write_text('<html>moved</html>')
    with pytest.raises(ModelDownloadError, match='not a TFLite model'):
        download_url(page.as_uri(), tmp_path / 'out' / 'model.tflite')
    assert list((tmp_path / 'out').iterdir()) == []


def test_download_model_offline_fails_clearly(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    """Download model offline fails clearly."""
    requested = []

    def offline(url: str, timeout: float) -> Any:
        requested.append((url, timeout))
        raise OSError('[Errno -3] Temporary failure in name resolution')

    monkeypatch.setattr(model_download, '_urlopen', offline)
    name = 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'
    with pytest.raises(ModelDownloadError, match='name resolution') as raised:
        download_model(name, tmp_path, timeout_s=3)
    assert find_source(name).url in str(raised.value)
    assert requested == [(find_source(name).url, 3)]


def test_existing_model_is_not_downloaded_again(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    """Existing model is not downloaded again."""
    monkeypatch.setattr(model_download, '_urlopen', None)  # any network use would fail
    name = 'posenet_mobilenet_v1_075_353_481_quant.tflite'
    (tmp_path / name).write_bytes(b'xxxxTFL3')
    assert download_model(name, tmp_path) == tmp_path / name


def test_tool_lists_models(capsys: pytest.CaptureFixture[str]) -> None:
    """--list prints every registered model."""
    assert download_models.main(['--list']) == 0
    out = capsys.readouterr().out
    for name in model_names():
        assert name in out


def test_tool_reports_offline_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Offline, the tool reports each URL, exits 1 and leaves no files."""
    def offline(url: str, timeout: float) -> Any:
        raise OSError('Network is unreachable')

    monkeypatch.setattr(model_download, '_urlopen', offline)
    assert download_models.main(['all', '--dest', str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count('error: Cannot download') == len(model_names())
    assert list(tmp_path.iterdir()) == []


def test_tool_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """No model name or an unknown one exits with status 2."""
    assert download_models.main([]) == 2
    assert download_models.main(['nope.tflite']) == 2
    assert 'Unknown model' in capsys.readouterr().err
