"""Removing Coral's PosenetDecoderOp from *_decoder models in memory (real model files)."""

from pathlib import Path

import numpy as np
import pytest

from ros2_posenet.posenet.model import decoder_op_removal
from ros2_posenet.posenet.model.decoder_op_removal import (
    EDGETPU_CUSTOM_OP, POSENET_DECODER_OP, remove_decoder_op, used_custom_ops)
from ros2_posenet.posenet.model.config import EngineConfig
from ros2_posenet.posenet.errors import ModelError
from ros2_posenet.posenet.model.runner import load_model
from ros2_posenet.posenet.model.runtime import load_runtime

SIZES = ('353_481', '481_641', '721_1281')
# MODEL_NOTES.md: the decoder op's inputs are quantized better than the raw model's outputs.
EXPECTED_QUANTIZATION = {
    17: (12 / 255, 128),  # heatmaps, 0.0471
    34: (100 / 255, 128),  # short offsets, 0.392: +-50 px
    64: (1.3875765, 117),  # mid-range offsets, as in the raw models
}


def _read(models_dir: Path, name: str) -> bytes:
    return (models_dir / name).read_bytes()


@pytest.mark.parametrize('size', SIZES)
def test_custom_ops_are_read_from_the_graph(models_dir: Path, size: str) -> None:
    """Custom ops are read from the graph's operator codes."""
    stem = f'posenet_mobilenet_v1_075_{size}_quant'
    assert used_custom_ops(_read(models_dir, f'{stem}.tflite')) == frozenset()
    assert used_custom_ops(_read(models_dir, f'{stem}_decoder.tflite')) == {POSENET_DECODER_OP}
    assert used_custom_ops(_read(models_dir, f'{stem}_decoder_edgetpu.tflite')) == {
        POSENET_DECODER_OP, EDGETPU_CUSTOM_OP}


@pytest.mark.parametrize('size', SIZES)
def test_rewritten_decoder_model_runs_on_cpu_with_better_quantization(
        models_dir: Path, size: str) -> None:
    """Rewritten decoder model runs on CPU with better quantization."""
    rewritten = remove_decoder_op(_read(models_dir, f'posenet_mobilenet_v1_075_{size}_quant_'
                                                    'decoder.tflite'))
    assert used_custom_ops(rewritten) == frozenset()
    interpreter = load_runtime().create_interpreter(rewritten, num_threads=1)
    interpreter.allocate_tensors()
    outputs = interpreter.get_output_details()
    assert [int(d['shape'][-1]) for d in outputs] == [17, 34, 64]
    assert outputs[0]['name'] == 'MobilenetV1/heatmap_2/BiasAdd'
    for details in outputs:
        assert details['dtype'] == np.uint8
        scale, zero_point = details['quantization']
        expected_scale, expected_zero_point = EXPECTED_QUANTIZATION[int(details['shape'][-1])]
        assert scale == pytest.approx(expected_scale, rel=1e-6)
        assert zero_point == expected_zero_point
    interpreter.invoke()


@pytest.mark.parametrize('size', SIZES)
def test_rewritten_edgetpu_model_keeps_the_edgetpu_op(models_dir: Path, size: str) -> None:
    """Rewritten Edge TPU model keeps the Edge TPU op."""
    rewritten = remove_decoder_op(_read(models_dir, f'posenet_mobilenet_v1_075_{size}_quant_'
                                                    'decoder_edgetpu.tflite'))
    assert used_custom_ops(rewritten) == {EDGETPU_CUSTOM_OP}
    interpreter = load_runtime().create_interpreter(rewritten, num_threads=1)
    assert [int(d['shape'][-1]) for d in interpreter.get_output_details()] == [17, 34, 64]
    with pytest.raises(RuntimeError, match=EDGETPU_CUSTOM_OP):
        interpreter.allocate_tensors()


def test_decoder_model_outputs_agree_with_raw_model(models_dir: Path) -> None:
    """Both files hold the same network: unsaturated values agree within a quantization step."""
    image = np.random.default_rng(7).integers(0, 256, size=(481, 641, 3), dtype=np.uint8)
    results = []
    for name in ('posenet_mobilenet_v1_075_481_641_quant.tflite',
                 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'):
        with load_model(EngineConfig(str(models_dir / name))) as runner:
            runner.write_input(lambda view: view.__setitem__(Ellipsis, image))
            runner.invoke()
            outputs = runner.outputs()
            results.append({'heatmap_logits': outputs.heatmap_logits.copy(),
                            'offsets': outputs.offsets.copy(),
                            'displacement_fwd': outputs.displacement_fwd.copy()})
    raw, rewritten = results
    # Raw saturates at about +-10 (heatmaps, offsets), rewritten at +-6 (heatmaps), +-50 (offsets).
    for key, raw_limit, rewritten_limit, tolerance in (('heatmap_logits', 9.9, 5.9, 0.08),
                                                       ('offsets', 9.9, 49.0, 0.4)):
        unsaturated = (np.abs(raw[key]) < raw_limit) & (np.abs(rewritten[key]) < rewritten_limit)
        assert unsaturated.sum() > 100
        assert np.abs(raw[key] - rewritten[key])[unsaturated].max() <= tolerance
    np.testing.assert_array_equal(raw['displacement_fwd'], rewritten['displacement_fwd'])


def test_model_without_decoder_op_cannot_be_rewritten(models_dir: Path) -> None:
    """Model without decoder op cannot be rewritten."""
    with pytest.raises(ModelError, match=f'exactly one {POSENET_DECODER_OP}'):
        remove_decoder_op(_read(models_dir, 'posenet_mobilenet_v1_075_353_481_quant.tflite'))


def test_non_tflite_bytes_are_rejected() -> None:
    """Non TFLite bytes are rejected."""
    with pytest.raises(ModelError, match='TFL3'):
        used_custom_ops(b'\x00' * 64)
    with pytest.raises(ModelError, match='TFL3'):
        remove_decoder_op(b'PK\x03\x04 a zip file')


def test_truncated_flatbuffer_is_reported_as_corrupt(models_dir: Path) -> None:
    """Truncated flatbuffer is reported as corrupt."""
    content = _read(models_dir, 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite')
    with pytest.raises(ModelError, match='corrupt or truncated'):
        used_custom_ops(content[:1000])


def test_missing_schema_module_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Missing schema module gives install hint."""
    def no_module(name: str) -> None:
        raise ImportError(f'No module named {name!r}')

    monkeypatch.setattr(decoder_op_removal, '_import_module', no_module)
    decoder_op_removal.load_schema.cache_clear()
    try:
        with pytest.raises(ModelError, match='pip install ai-edge-litert'):
            decoder_op_removal.load_schema()
    finally:
        monkeypatch.undo()
        decoder_op_removal.load_schema.cache_clear()
