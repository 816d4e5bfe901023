"""Loading every PoseNet family with load_model and running it on the CPU (real model files)."""

import os
from pathlib import Path
import threading

import numpy as np
import pytest

from ros2_posenet.posenet.model.config import EngineConfig
from ros2_posenet.posenet.errors import DelegateError, ModelError
from ros2_posenet.posenet.model.runner import load_model, ModelRunner, read_model_file

# file name -> (family, input H, input W, input dtype, stride, grid h, grid w)
EXPECTED_LAYOUTS = {
    'posenet_mobilenet_v1_075_353_481_quant.tflite':
        ('coral_raw', 353, 481, np.uint8, 16, 23, 31),
    'posenet_mobilenet_v1_075_481_641_quant.tflite':
        ('coral_raw', 481, 641, np.uint8, 16, 31, 41),
    'posenet_mobilenet_v1_075_721_1281_quant.tflite':
        ('coral_raw', 721, 1281, np.uint8, 16, 46, 81),
    'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite':
        ('coral_decoder', 353, 481, np.uint8, 16, 23, 31),
    'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite':
        ('coral_decoder', 481, 641, np.uint8, 16, 31, 41),
    'posenet_mobilenet_v1_075_721_1281_quant_decoder.tflite':
        ('coral_decoder', 721, 1281, np.uint8, 16, 46, 81),
    'posenet_mobilenet_v1_075_257x257_float32.tflite':
        ('tflite_official', 257, 257, np.float32, 16, 17, 17),
    'posenet_mobilenet_v1_075_353x481_float32.tflite':
        ('tflite_official', 353, 481, np.float32, 16, 23, 31),
}
EDGETPU_MODELS = [
    'posenet_mobilenet_v1_075_353_481_quant_decoder_edgetpu.tflite',
    'posenet_mobilenet_v1_075_481_641_quant_decoder_edgetpu.tflite',
    'posenet_mobilenet_v1_075_721_1281_quant_decoder_edgetpu.tflite',
]


def _load(models_dir: Path, name: str, **kwargs: object) -> ModelRunner:
    return load_model(EngineConfig(str(models_dir / name), **kwargs))


def _fill_and_run(runner: ModelRunner, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)

    def fill(view: np.ndarray) -> None:
        pixels = rng.integers(0, 256, size=view.shape, dtype=np.uint8)
        view[...] = pixels if view.dtype == np.uint8 else pixels / np.float32(127.5) - 1

    runner.write_input(fill)
    runner.invoke()


@pytest.mark.parametrize('name', sorted(EXPECTED_LAYOUTS))
def test_family_layout_and_output_shapes(models_dir: Path, name: str) -> None:
    """Each family loads on the CPU with the expected layout and output shapes."""
    family, height, width, dtype, stride, grid_h, grid_w = EXPECTED_LAYOUTS[name]
    with _load(models_dir, name) as runner:
        layout = runner.layout
        assert (layout.family, layout.input_height, layout.input_width) == (family, height, width)
        assert layout.input_dtype == np.dtype(dtype)
        assert (layout.output_stride, layout.output_height, layout.output_width) == (
            stride, grid_h, grid_w)
        assert layout.path == str(models_dir / name)
        assert not layout.edgetpu_compiled
        assert runner.info.delegate == 'cpu' and runner.info.fallback_reason is None
        assert (runner.info.family, runner.info.input_dtype) == (family, np.dtype(dtype).name)
        shape = runner.write_input(lambda view: (view.shape, view.dtype, view.flags.writeable))
        assert shape == ((height, width, 3), np.dtype(dtype), True)
        _fill_and_run(runner)
        outputs = runner.outputs()
        for array, channels in ((outputs.heatmap_logits, 17), (outputs.offsets, 34),
                                (outputs.displacement_fwd, 32), (outputs.displacement_bwd, 32)):
            assert array.shape == (grid_h, grid_w, channels)
            assert array.dtype == np.float32 and array.flags.c_contiguous
            assert np.isfinite(array).all()
        assert outputs.heatmap_logits.std() > 0


def test_model_name_resolves_against_data_dir(models_dir: Path) -> None:
    """Model name resolves against data dir."""
    with load_model(EngineConfig('posenet_mobilenet_v1_075_353_481_quant.tflite')) as runner:
        assert Path(runner.layout.path).resolve() == (
            models_dir / 'posenet_mobilenet_v1_075_353_481_quant.tflite').resolve()


def test_coral_mid_offsets_are_split_into_fwd_and_bwd(models_dir: Path) -> None:
    """Coral mid offsets are split into fwd and bwd."""
    with _load(models_dir, 'posenet_mobilenet_v1_075_353_481_quant.tflite') as runner:
        _fill_and_run(runner, seed=3)
        outputs = runner.outputs()
        interpreter = runner._interpreter
        mid = next(d for d in interpreter.get_output_details() if d['name'] == 'float_mid_offsets')
        scale, zero_point = mid['quantization']
        expected = (interpreter.get_tensor(mid['index'])[0].astype(np.float32) - zero_point) \
            * np.float32(scale)
        np.testing.assert_array_equal(outputs.displacement_fwd, expected[..., :32])
        np.testing.assert_array_equal(outputs.displacement_bwd, expected[..., 32:])


def test_float_outputs_match_interpreter_by_name(models_dir: Path) -> None:
    """Float outputs match interpreter by name."""
    with _load(models_dir, 'posenet_mobilenet_v1_075_257x257_float32.tflite') as runner:
        _fill_and_run(runner, seed=5)
        outputs = runner.outputs()
        by_name = {d['name']: runner._interpreter.get_tensor(d['index'])[0]
                   for d in runner._interpreter.get_output_details()}
        np.testing.assert_array_equal(outputs.heatmap_logits,
                                      by_name['MobilenetV1/heatmap_2/BiasAdd'])
        np.testing.assert_array_equal(outputs.offsets, by_name['MobilenetV1/offset_2/BiasAdd'])
        np.testing.assert_array_equal(outputs.displacement_fwd,
                                      by_name['MobilenetV1/displacement_fwd_2/BiasAdd'])
        np.testing.assert_array_equal(outputs.displacement_bwd,
                                      by_name['MobilenetV1/displacement_bwd_2/BiasAdd'])


def test_outputs_reuse_buffers_and_follow_new_input(models_dir: Path) -> None:
    """Outputs reuse buffers and follow new input."""
    with _load(models_dir, 'posenet_mobilenet_v1_075_353_481_quant.tflite') as runner:
        _fill_and_run(runner, seed=1)
        first = runner.outputs()
        first_heatmap = first.heatmap_logits.copy()
        _fill_and_run(runner, seed=2)
        second = runner.outputs()
        assert second.heatmap_logits is first.heatmap_logits
        assert not np.array_equal(second.heatmap_logits, first_heatmap)


def test_write_input_returns_what_the_writer_returns_and_keeps_no_view(
        models_dir: Path) -> None:
    """The runner drops its view of the input tensor, so invoke runs after any write."""
    with _load(models_dir, 'posenet_mobilenet_v1_075_353_481_quant.tflite') as runner:
        for value in (0, 255):
            assert runner.write_input(lambda view: view.fill(value) or value) == value
            runner.invoke()
        with pytest.raises(ZeroDivisionError):  # the writer's own error passes through
            runner.write_input(lambda view: 1 / 0)
        runner.invoke()


def test_closed_runner_raises_model_error(models_dir: Path) -> None:
    """Closed runner raises model error."""
    runner = _load(models_dir, 'posenet_mobilenet_v1_075_353_481_quant.tflite')
    runner.close()
    with pytest.raises(ModelError, match='closed'):
        runner.invoke()
    with pytest.raises(ModelError, match='closed'):
        runner.write_input(lambda view: None)


@pytest.mark.parametrize('name', EDGETPU_MODELS)
def test_edgetpu_model_on_cpu_says_edgetpu_delegate_is_needed(models_dir: Path,
                                                              name: str) -> None:
    """Edge TPU model on CPU says Edge TPU delegate is needed."""
    with pytest.raises(DelegateError, match='compiled for the Edge TPU') as raised:
        _load(models_dir, name)
    assert "delegate to 'edgetpu'" in str(raised.value)
    assert name in str(raised.value)


def test_movenet_loads_as_its_own_family(models_dir: Path) -> None:
    """A MoveNet SinglePose model loads; its keypoints are read, not PoseNet grids."""
    runner = _load(models_dir, 'movenet_singlepose_lightning_int8.tflite')
    assert runner.layout.is_movenet and runner.info.family == 'movenet_singlepose'
    runner.invoke()
    keypoints = runner.keypoints()
    assert keypoints.shape == (17, 3) and keypoints.dtype == np.float32
    with pytest.raises(ModelError, match='MoveNet model'):
        runner.outputs()


def test_truncated_model_is_rejected_naming_the_path(models_dir: Path, tmp_path: Path) -> None:
    """Truncated model is rejected naming the path."""
    source = models_dir / 'posenet_mobilenet_v1_075_353_481_quant.tflite'
    truncated = tmp_path / 'truncated.tflite'
    truncated.write_bytes(source.read_bytes()[:1000])
    with pytest.raises(ModelError, match=str(truncated)):
        load_model(EngineConfig(str(truncated)))


def test_truncated_decoder_model_is_rejected(models_dir: Path, tmp_path: Path) -> None:
    """Truncated decoder model is rejected."""
    source = models_dir / 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
    truncated = tmp_path / 'truncated_decoder.tflite'
    truncated.write_bytes(source.read_bytes()[:len(source.read_bytes()) // 2])
    with pytest.raises(ModelError, match=str(truncated)):
        load_model(EngineConfig(str(truncated)))


def test_non_tflite_file_is_rejected(tmp_path: Path) -> None:
    """Non TFLite file is rejected."""
    path = tmp_path / 'notes.tflite'
    path.write_text('this is not a model\n')
    with pytest.raises(ModelError, match=str(path)):
        load_model(EngineConfig(str(path)))


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    """Empty file is rejected."""
    path = tmp_path / 'empty.tflite'
    path.write_bytes(b'')
    with pytest.raises(ModelError, match=f'{path} is empty'):
        load_model(EngineConfig(str(path)))


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    """Missing file is rejected."""
    path = tmp_path / 'missing.tflite'
    with pytest.raises(ModelError, match=f'{path} does not exist'):
        load_model(EngineConfig(str(path)))


def test_directory_is_rejected(tmp_path: Path) -> None:
    """Directory is rejected."""
    with pytest.raises(ModelError, match='is a directory'):
        load_model(EngineConfig(str(tmp_path)))


def test_fifo_is_rejected_without_blocking(tmp_path: Path) -> None:
    """Reading a FIFO whose writer stays open would block the caller (the node) forever."""
    fifo = tmp_path / 'model.tflite'
    os.mkfifo(fifo)
    errors: list[str] = []

    def load() -> None:
        try:
            load_model(EngineConfig(str(fifo)))
        except ModelError as error:
            errors.append(str(error))

    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer that never sends EOF
    thread = threading.Thread(target=load, daemon=True)
    try:
        thread.start()
        thread.join(timeout=10.0)
        assert not thread.is_alive(), 'load_model blocked reading a FIFO'
    finally:
        os.close(writer)  # EOF releases a blocked reader
        thread.join(timeout=5.0)
    assert errors and 'is not a regular file' in errors[0]


def test_device_file_is_rejected_without_reading_it() -> None:
    """A device such as /dev/zero never ends; devices are refused before reading."""
    with pytest.raises(ModelError, match='/dev/null .*is not a regular file'):
        load_model(EngineConfig('/dev/null'))


@pytest.mark.parametrize('model_path, message', [
    ('~no_such_user_of_posenet/model.tflite', 'cannot be expanded'),
    ('/' + 'x' * 300 + '/model.tflite', 'cannot be looked up'),
    ('x' * 5000 + '.tflite', 'cannot be looked up'),
])
def test_unusable_model_paths_raise_model_error(model_path: str, message: str) -> None:
    """Paths the file system cannot look up are a ModelError, not a RuntimeError/OSError."""
    with pytest.raises(ModelError, match=message):
        load_model(EngineConfig(model_path))


def test_read_model_file_refuses_what_is_not_a_regular_file(tmp_path):
    """A FIFO (would block) or a device (never ends) is rejected before reading."""
    fifo = tmp_path / 'model.fifo'
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match='not a regular file'):
        read_model_file(fifo)
    with pytest.raises(ModelError, match='not a regular file'):
        read_model_file(Path('/dev/zero'))
    with pytest.raises(ModelError, match='cannot be looked up'):
        read_model_file(tmp_path / ('x' * 300))


@pytest.mark.parametrize('name', ['posenet_mobilenet_v1_075_353_481_quant.tflite',
                                  'posenet_mobilenet_v1_075_257x257_float32.tflite'])
def test_outputs_without_displacements_skip_only_the_displacements(models_dir: Path,
                                                                   name: str) -> None:
    """Single-pose reads leave the displacement buffers alone and report them as None."""
    with _load(models_dir, name) as runner:
        _fill_and_run(runner, seed=7)
        full = runner.outputs()
        heatmap, offsets = full.heatmap_logits.copy(), full.offsets.copy()
        displacement_fwd = full.displacement_fwd.copy()
        _fill_and_run(runner, seed=8)
        partial = runner.outputs(include_displacements=False)
        assert partial.displacement_fwd is None and partial.displacement_bwd is None
        assert partial.heatmap_logits is full.heatmap_logits
        assert partial.offsets is full.offsets
        assert not np.array_equal(partial.heatmap_logits, heatmap)
        assert not np.array_equal(partial.offsets, offsets)
        # not dequantized: still the previous frame's values
        np.testing.assert_array_equal(full.displacement_fwd, displacement_fwd)
        again = runner.outputs()
        assert again.displacement_fwd is full.displacement_fwd
        assert not np.array_equal(again.displacement_fwd, displacement_fwd)
        np.testing.assert_array_equal(again.heatmap_logits, partial.heatmap_logits)
