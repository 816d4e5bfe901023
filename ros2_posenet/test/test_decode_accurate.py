"""The 'accurate' PoseNet refinement: bilinear sampling, refinement, rescoring, and its gains.

Unit tests on hand-built grids; then, on real model outputs (the TF.js goldens and the Coral
references), that the people are TF.js's and that the keypoints move towards Coral's decoder.
Timings of both refinements are printed (benchmarks print, they do not assert).
"""

import json
from pathlib import Path
import time

import numpy as np
import pytest

from ros2_posenet.posenet import (decode_multiple_poses, decode_multiple_poses_accurate,
                                  decode_single_pose, decode_single_pose_accurate,
                                  DecodeOptions, EngineConfig, InputError, PoseEngine)
from ros2_posenet.posenet.decode.refinement import (refine_keypoints, rescore_poses,
                                                    sample_bilinear)
from ros2_posenet.tools.coral_reference import (compare_with_reference, CORAL_OPTIONS,
                                                CORAL_REFERENCE, model_input_points,
                                                read_coral_reference)

GOLDENS = Path('reference') / 'tfjs_goldens'
GOLDEN_CASES = ('posenet_mobilenet_v1_075_481_641_quant__test_couple',
                'posenet_mobilenet_v1_075_353_481_quant__tfjs_posenet_demo_tennis_in_crowd',
                'posenet_mobilenet_v1_075_257x257_float32__tfjs_three_people')


def _golden(data_dir: Path, name: str) -> tuple[list[np.ndarray], int]:
    folder = data_dir / GOLDENS / name
    names = ('heatmap_logits', 'offsets', 'displacement_fwd', 'displacement_bwd')
    arrays = [np.load(folder / f'{array}.npy') for array in names]
    return arrays, json.loads((folder / 'meta.json').read_text())['output_stride']


def test_bilinear_sampling_is_exact_on_a_linear_field():
    height, width, channels = 5, 7, 3
    rows, columns = np.mgrid[0:height, 0:width]
    grid = np.stack((2.0 * rows + 3.0 * columns, -rows, columns + 0.5), axis=-1)
    grid = grid.astype(np.float32)
    y = np.array([0.0, 1.25, 3.5, 4.0, 2.999])
    x = np.array([0.0, 5.75, 0.5, 6.0, 6.0])
    values = sample_bilinear(grid.reshape(-1), height, width, channels, y, x,
                             np.array([[0] * 5, [1, 1, 2, 2, 0]]))
    np.testing.assert_allclose(values[0], 2 * y + 3 * x, atol=1e-5)
    np.testing.assert_allclose(values[1], [-0.0, -1.25, 1.0, 6.5, 2 * 2.999 + 18], atol=1e-5)


def test_refinement_converges_on_the_keypoint_where_tfjs_stops_short():
    """Offsets saturated at +-10 px (Coral raw models) pointing at a keypoint 30 px away."""
    height, width, stride = 9, 9, 16
    keypoint = np.array([70.0, 40.0])  # (y, x) in input pixels, part 0 only
    rows, columns = np.mgrid[0:height, 0:width] * stride
    offsets = np.zeros((height, width, 34), np.float32)
    offsets[..., 0] = np.clip(keypoint[0] - rows, -10, 10)
    offsets[..., 17] = np.clip(keypoint[1] - columns, -10, 10)
    logits = np.full((height, width, 17), -5.0, np.float32)
    start = np.zeros((1, 17, 2))
    start[0, 0] = (40.0 + 8.0, 70.0 - 30.0)  # (x, y): 30 px above, 8 px right of it
    refined, scores = refine_keypoints(logits, offsets, start, stride, steps=6)
    assert refined[0, 0] == pytest.approx((40.0, 70.0), abs=0.5)
    assert scores.shape == (1, 17) and scores[0, 0] == pytest.approx(1 / (1 + np.exp(5)))
    stuck, _ = refine_keypoints(logits, offsets, start, stride, steps=0)
    assert stuck[0, 0] == pytest.approx(start[0, 0])


def test_rescoring_puts_a_duplicate_last_with_almost_no_score():
    person = np.random.default_rng(0).uniform(0, 300, (17, 2))
    other = person + 150.0
    keypoints = np.stack((person + 1.0, other, person))  # a duplicate first, as TF.js may
    scores = np.stack((np.full(17, 0.6), np.full(17, 0.5), np.full(17, 0.9)))
    pose_scores, order = rescore_poses(keypoints, scores, 20.0 ** 2)
    assert order.tolist() == [2, 1, 0]
    assert pose_scores.tolist() == pytest.approx([0.0, 0.5, 0.9])


@pytest.mark.parametrize('case', GOLDEN_CASES)
def test_accurate_keeps_tfjs_people_and_moves_keypoints_by_less_than_a_cell(data_dir, case):
    outputs, stride = _golden(data_dir, case)
    tfjs = decode_multiple_poses(*outputs, stride, 10, 0.2, 10)
    accurate = decode_multiple_poses_accurate(*outputs, stride, 10, 0.2, 10)
    assert len(accurate) == len(tfjs) > 0
    assert np.all(np.diff(accurate.pose_scores) <= 0)  # decreasing pose score
    for pose in accurate.keypoints_xy:  # each accurate pose is one of TF.js's, refined
        nearest = np.abs(tfjs.keypoints_xy - pose).max(axis=(1, 2)).min()
        assert nearest < 4 * stride
    single = decode_single_pose_accurate(outputs[0], outputs[1], stride)
    tfjs_single = decode_single_pose(outputs[0], outputs[1], stride)
    assert np.abs(single.keypoints_xy - tfjs_single.keypoints_xy).max() < 4 * stride
    assert single.pose_scores[0] == pytest.approx(single.keypoint_scores.mean())


def test_bad_inputs_are_refused_like_the_tfjs_decoders(data_dir):
    outputs, stride = _golden(data_dir, GOLDEN_CASES[0])
    with pytest.raises(InputError, match='offsets'):
        decode_multiple_poses_accurate(outputs[0], outputs[1][:-1], *outputs[2:], stride)
    with pytest.raises(InputError, match='max_detections'):
        decode_multiple_poses_accurate(*outputs, stride, max_detections=0)
    with pytest.raises(InputError, match='output_stride'):
        decode_single_pose_accurate(outputs[0], outputs[1], 0)


@pytest.mark.parametrize('size', ['481_641', '721_1281'])
def test_accurate_keypoints_are_closer_to_corals_decoder(data_dir, models_dir, couple_bgr,
                                                         size):
    """Coral's own decoder output on test_couple.jpg (stretched, nearest-neighbour resize)."""
    references = read_coral_reference(data_dir / CORAL_REFERENCE.format(size=size))
    model = models_dir / f'posenet_mobilenet_v1_075_{size}_quant_decoder.tflite'
    stretched = DecodeOptions(**{**CORAL_OPTIONS.__dict__, 'keep_aspect_ratio': False})
    errors = {}
    with PoseEngine(EngineConfig(str(model))) as engine:
        for refinement in ('tfjs', 'accurate'):
            options = DecodeOptions(**{**stretched.__dict__, 'decoder_refinement': refinement})
            errors[refinement] = compare_with_reference(
                model_input_points(engine, couple_bgr, options), references)
    print(f'\n{size}: mean / max px from Coral: tfjs {errors["tfjs"].mean_px:.2f} / '
          f'{errors["tfjs"].max_px:.1f}, accurate {errors["accurate"].mean_px:.2f} / '
          f'{errors["accurate"].max_px:.1f}')
    assert errors['accurate'].matched == errors['tfjs'].matched == 2
    assert errors['accurate'].mean_px < errors['tfjs'].mean_px


def test_timings_of_both_refinements_are_printed(data_dir):
    """Decoder time alone, interleaved on the same outputs (the engine adds invoke on top)."""
    print()
    for case in GOLDEN_CASES:
        outputs, stride = _golden(data_dir, case)
        times: dict[str, list[float]] = {'tfjs': [], 'accurate': []}
        for _ in range(15):
            for name, decode in (('tfjs', decode_multiple_poses),
                                 ('accurate', decode_multiple_poses_accurate)):
                start = time.perf_counter()
                decode(*outputs, stride, 10, 0.5, 20)
                times[name].append(time.perf_counter() - start)
        tfjs, accurate = (float(np.median(times[name])) * 1e3 for name in times)
        print(f'  {case}: multi-pose decode tfjs {tfjs:.2f} ms, accurate {accurate:.2f} ms '
              f'({accurate / tfjs:.2f}x)')
        assert tfjs > 0 and accurate > 0
