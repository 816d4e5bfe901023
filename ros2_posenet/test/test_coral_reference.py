"""Full pipeline vs Coral's reference poses on test_couple.jpg (Coral's own decoder output).

Coral's preprocessing is reproduced (whole image stretched to the model input with a
nearest-neighbour resize); poses are compared in model-input pixels, where the CSVs are.
"""

from pathlib import Path

import numpy as np
import pytest

from ros2_posenet.tools.coral_reference import (
    compare_with_reference, coral_reference_error, CORAL_REFERENCE, read_coral_reference)

MAX_MEAN_ERROR_PX = 3.0


def _model(models_dir: Path, size: str, suffix: str) -> Path:
    return models_dir / f'posenet_mobilenet_v1_075_{size}_{suffix}.tflite'


def test_reference_csv_parses_into_two_people(data_dir):
    """Reference csv parses into two people."""
    poses = read_coral_reference(data_dir / CORAL_REFERENCE.format(size='481_641'))
    assert len(poses) == 2
    for pose in poses:
        assert pose.points.shape == (17, 2) and not np.isnan(pose.points).any()
        assert 0.5 < pose.score <= 1.0


def test_comparison_matches_by_centroid_and_measures_distance(data_dir):
    """Comparison matches by centroid and measures distance."""
    references = read_coral_reference(data_dir / CORAL_REFERENCE.format(size='481_641'))
    shifted = [references[1].points + (3.0, 4.0), references[0].points.copy()]
    error = compare_with_reference(shifted, references)
    confident = sum(int((r.scores >= 0.5).sum()) for r in references)
    assert error.matched == 2 and error.count == confident
    assert error.max_px == pytest.approx(5.0)
    expected_mean = 5.0 * (references[1].scores >= 0.5).sum() / confident
    assert error.mean_px == pytest.approx(expected_mean)
    missing = compare_with_reference([], references)
    assert missing.matched == 0 and missing.mean_px == np.inf


@pytest.mark.parametrize('size', ['353_481', '481_641'])
@pytest.mark.parametrize('suffix', ['quant_decoder', 'quant'])
def test_both_people_agree_with_coral_within_3_px(data_dir, models_dir, couple_bgr, size,
                                                  suffix):
    """Both people agree with coral within 3 px."""
    error = coral_reference_error(_model(models_dir, size, suffix),
                                  data_dir / CORAL_REFERENCE.format(size=size), couple_bgr)
    assert error.matched == error.references == 2
    assert error.count >= 20
    assert error.mean_px <= MAX_MEAN_ERROR_PX, error


@pytest.mark.parametrize('size', ['481_641', '721_1281'])
def test_rewritten_decoder_model_beats_the_raw_model(data_dir, models_dir, couple_bgr, size):
    """Rewritten decoder model beats the raw model."""
    reference = data_dir / CORAL_REFERENCE.format(size=size)
    rewritten = coral_reference_error(_model(models_dir, size, 'quant_decoder'), reference,
                                      couple_bgr)
    raw = coral_reference_error(_model(models_dir, size, 'quant'), reference, couple_bgr)
    assert rewritten.matched == raw.matched == 2
    assert rewritten.mean_px < raw.mean_px, (rewritten, raw)
