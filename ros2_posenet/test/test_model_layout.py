"""Family recognition from tensor details (hand-built details, no model files)."""

from typing import Any

import numpy as np
import pytest

from ros2_posenet.posenet.errors import ModelError
from ros2_posenet.posenet.model.layout import identify_layout, output_stride, TensorSpec


def _details(index: int, name: str, shape: tuple[int, ...], dtype: Any = np.float32,
             quantization: tuple[float, int] = (0.0, 0)) -> dict[str, Any]:
    return {'index': index, 'name': name, 'shape': np.array(shape, dtype=np.int32),
            'dtype': dtype, 'quantization': quantization}


def _image(height: int = 353, width: int = 481, dtype: Any = np.uint8) -> list[dict[str, Any]]:
    return [_details(0, 'sub_2', (1, height, width, 3), dtype)]


def _coral(h: int = 23, w: int = 31, names: tuple[str, str, str] = (
        'float_heatmaps', 'float_short_offsets', 'float_mid_offsets')) -> list[dict[str, Any]]:
    return [_details(1, names[0], (1, h, w, 17), np.uint8, (0.078, 128)),
            _details(2, names[1], (1, h, w, 34), np.uint8, (0.078, 128)),
            _details(3, names[2], (1, h, w, 64), np.uint8, (1.39, 117))]


def _official(h: int = 9, w: int = 9, prefix: str = 'MobilenetV1/') -> list[dict[str, Any]]:
    return [_details(10, f'{prefix}heatmap_2/BiasAdd', (1, h, w, 17)),
            _details(11, f'{prefix}offset_2/BiasAdd', (1, h, w, 34)),
            _details(12, f'{prefix}displacement_fwd_2/BiasAdd', (1, h, w, 32)),
            _details(13, f'{prefix}displacement_bwd_2/BiasAdd', (1, h, w, 32))]


@pytest.mark.parametrize('size, grid, stride', [(353, 23, 16), (481, 31, 16), (1281, 81, 16),
                                                (257, 9, 32), (257, 17, 16), (257, 33, 8)])
def test_output_stride(size: int, grid: int, stride: int) -> None:
    """Stride = (size - 1) / (grid - 1) for PoseNet strides."""
    assert output_stride(size, grid) == stride


@pytest.mark.parametrize('size, grid', [(352, 23, ), (257, 257), (257, 5), (257, 1), (0, 0)])
def test_output_stride_rejects_other_ratios(size: int, grid: int) -> None:
    """Non-integer, out-of-set or degenerate ratios give no stride."""
    assert output_stride(size, grid) is None


def test_coral_raw_by_names() -> None:
    """Coral raw outputs are found by name; mid offsets split at channel 32."""
    layout, bindings = identify_layout('m.tflite', _image(), _coral())
    assert layout.family == 'coral_raw'
    assert (layout.output_stride, layout.output_height, layout.output_width) == (16, 23, 31)
    assert layout.input_dtype == np.uint8
    assert bindings.heatmap_logits.tensor.index == 1
    assert bindings.offsets.tensor.index == 2
    assert (bindings.displacement_fwd.tensor.index, bindings.displacement_fwd.channel_start,
            bindings.displacement_fwd.channel_stop) == (3, 0, 32)
    assert (bindings.displacement_bwd.tensor.index, bindings.displacement_bwd.channel_start,
            bindings.displacement_bwd.channel_stop) == (3, 32, 64)


def test_coral_decoder_after_rewrite_uses_shapes_for_unnamed_concat() -> None:
    """Coral decoder after rewrite uses shapes for unnamed concat."""
    outputs = _coral(names=('MobilenetV1/heatmap_2/BiasAdd', 'MobilenetV1/offset_2/BiasAdd',
                            'concat'))
    layout, bindings = identify_layout('m.tflite', _image(), list(reversed(outputs)),
                                       decoder_removed=True)
    assert layout.family == 'coral_decoder'
    assert bindings.heatmap_logits.tensor.name == 'MobilenetV1/heatmap_2/BiasAdd'
    assert bindings.displacement_bwd.tensor.name == 'concat'


def test_official_outputs_found_by_name_in_any_order() -> None:
    """Official outputs found by name in any order."""
    outputs = _official()
    layout, bindings = identify_layout('m.tflite', _image(257, 257, np.float32),
                                       [outputs[3], outputs[1], outputs[2], outputs[0]])
    assert layout.family == 'tflite_official'
    assert layout.output_stride == 32 and layout.input_dtype == np.float32
    assert bindings.displacement_fwd.tensor.index == 12
    assert bindings.displacement_bwd.tensor.index == 13
    assert bindings.heatmap_logits.tensor.index == 10


def test_unnamed_official_outputs_fall_back_to_shapes_and_order() -> None:
    """Unnamed official outputs fall back to shapes and order."""
    outputs = [dict(d, name=f'Identity_{i}') for i, d in enumerate(_official(17, 17))]
    layout, bindings = identify_layout('m.tflite', _image(257, 257, np.float32),
                                       [outputs[1], outputs[0], outputs[2], outputs[3]])
    assert layout.family == 'tflite_official' and layout.output_stride == 16
    assert bindings.heatmap_logits.tensor.index == 10
    assert bindings.displacement_fwd.tensor.index == 12
    assert bindings.displacement_bwd.tensor.index == 13


def test_quantized_official_outputs_keep_quantization() -> None:
    """Quantized official outputs keep quantization."""
    outputs = [dict(d, dtype=np.uint8, quantization=(0.05, 127)) for d in _official()]
    _, bindings = identify_layout('m.tflite', _image(257, 257), outputs)
    spec = bindings.offsets.tensor
    assert spec.quantized and spec.scales == (0.05,) and spec.zero_points == (127,)


def test_float_tensor_is_not_quantized() -> None:
    """Float tensor is not quantized."""
    spec = TensorSpec.from_details(_details(3, 'x', (1, 2, 2, 17)))
    assert not spec.quantized and spec.scales == ()


def test_non_posenet_outputs_are_explained() -> None:
    """Non-PoseNet outputs are rejected with what was expected and found."""
    # MoveNet MultiPose: [1, 6, 56] (SinglePose's [1, 1, 17, 3] is a supported family)
    multipose = [_details(5, 'StatefulPartitionedCall:0', (1, 6, 56))]
    with pytest.raises(ModelError, match=r'm.tflite is not a supported PoseNet model') as raised:
        identify_layout('m.tflite', _image(256, 256), multipose)
    assert 'StatefulPartitionedCall:0' in str(raised.value)
    assert 'displacement_fwd' in str(raised.value) and '[1,1,17,3]' in str(raised.value)


def test_inconsistent_stride_is_rejected() -> None:
    """Inconsistent stride is rejected."""
    with pytest.raises(ModelError, match=r'\(8, 16, 32\)'):
        identify_layout('m.tflite', _image(353, 481), _coral(23, 61))
    with pytest.raises(ModelError, match='do not share an output stride'):
        identify_layout('m.tflite', _image(354, 481), _coral(23, 31))


def test_mixed_grids_are_rejected() -> None:
    """Mixed grids are rejected."""
    outputs = _coral()
    outputs[2] = _details(3, 'float_mid_offsets', (1, 12, 16, 64))
    with pytest.raises(ModelError, match='different grid sizes'):
        identify_layout('m.tflite', _image(), outputs)


@pytest.mark.parametrize('shape, dtype, match', [
    ((1, 353, 481, 1), np.uint8, r'not an image tensor'),
    ((2, 353, 481, 3), np.uint8, r'not an image tensor'),
    ((353, 481, 3), np.uint8, r'not an image tensor'),
    ((1, 353, 481, 3), np.int8, r'supported input types are uint8 and float32'),
])
def test_bad_inputs_are_rejected(shape: tuple[int, ...], dtype: Any, match: str) -> None:
    """Bad inputs are rejected."""
    with pytest.raises(ModelError, match=match):
        identify_layout('m.tflite', [_details(0, 'in', shape, dtype)], _coral())


def test_two_inputs_are_rejected() -> None:
    """Two inputs are rejected."""
    with pytest.raises(ModelError, match='2 inputs'):
        identify_layout('m.tflite', _image() + _image(), _coral())
