"""keep_aspect_ratio 'auto' (the default): letterbox only when the aspect ratios differ."""

import numpy as np
import pytest

from ros2_posenet.posenet import (AUTO_LETTERBOX_MARGIN, DecodeOptions, EngineConfig,
                                  InputError, KEEP_ASPECT_RATIO_CHOICES, letterbox_for,
                                  PoseEngine)
from ros2_posenet.posenet.image import compute_input_transform, InputWriter
from ros2_posenet.posenet.image.preprocess import INTERPOLATIONS


def test_auto_is_the_default_and_the_strings_become_bools():
    assert DecodeOptions().keep_aspect_ratio == 'auto'
    assert KEEP_ASPECT_RATIO_CHOICES == ('auto', 'true', 'false')
    assert DecodeOptions(keep_aspect_ratio='true').keep_aspect_ratio is True
    assert DecodeOptions(keep_aspect_ratio='false').keep_aspect_ratio is False
    assert DecodeOptions(keep_aspect_ratio='true') == DecodeOptions(keep_aspect_ratio=True)
    for bad in ('yes', 'True', 1, None, ['auto']):
        with pytest.raises(InputError, match='keep_aspect_ratio'):
            DecodeOptions(keep_aspect_ratio=bad)


@pytest.mark.parametrize('image, model, letterbox', [
    ((640, 480), (641, 481), False),     # VGA into the 481x641 model
    ((1280, 720), (1281, 721), False),   # 720p into the 721x1281 model
    ((1280, 720), (641, 481), True),     # 16:9 into 4:3
    ((640, 425), (641, 481), True),      # a 3:2 photo into 4:3 (12.5 % off)
    ((480, 640), (641, 481), True),      # portrait
    ((612, 589), (257, 257), False),     # nearly square into square (3.9 % off)
    ((900, 864), (641, 481), True),
])
def test_auto_letterboxes_beyond_the_margin(image, model, letterbox):
    assert letterbox_for('auto', *image, *model) is letterbox
    assert letterbox_for(True, *image, *model) is True
    assert letterbox_for(False, *image, *model) is False
    transform = compute_input_transform(*image, *model, 'auto')
    assert ((transform.pad_x, transform.pad_y) != (0, 0)) is letterbox or not letterbox


def test_the_margin_is_relative_and_symmetric():
    width = round(481 * 641 / 481 * (1 + AUTO_LETTERBOX_MARGIN) * 0.999)
    assert not letterbox_for('auto', width, 481, 641, 481)
    assert letterbox_for('auto', round(width * 1.01), 481, 641, 481)
    assert letterbox_for('auto', 100, 300, 300, 100) == letterbox_for('auto', 300, 100, 100, 300)


def test_the_writer_resolves_auto_per_image_size():
    writer = InputWriter(481, 641, np.uint8)
    view = np.zeros((481, 641, 3), np.uint8)
    flag = INTERPOLATIONS['linear']
    wide = writer.write(np.full((720, 1280, 3), 200, np.uint8), view, 'rgb', 'auto', flag)
    assert wide.pad_y > 0 and (view[0] == 0).all() and (view[240] == 200).all()
    vga = writer.write(np.full((480, 640, 3), 100, np.uint8), view, 'rgb', 'auto', flag)
    assert (vga.pad_x, vga.pad_y) == (0, 0) and (view == 100).all()


def test_the_engine_letterboxes_a_portrait_frame_and_stretches_vga(models_dir, couple_bgr):
    with PoseEngine(EngineConfig(str(models_dir / 'posenet_mobilenet_v1_075_481_641_quant'
                                                  '_decoder.tflite'))) as engine:
        portrait = np.ascontiguousarray(np.rot90(couple_bgr))
        boxed = engine.estimate(portrait, 'bgr')
        assert boxed.transform.pad_x > 0
        explicit = engine.estimate(portrait, 'bgr', DecodeOptions(keep_aspect_ratio=True))
        np.testing.assert_array_equal(boxed.arrays.keypoints_xy, explicit.arrays.keypoints_xy)
        import cv2
        vga = cv2.resize(couple_bgr, (640, 480))
        assert engine.estimate(vga, 'bgr').transform.pad_x == 0
        stretched = engine.estimate(portrait, 'bgr', DecodeOptions(keep_aspect_ratio='false'))
        assert stretched.transform.pad_x == stretched.transform.pad_y == 0
