"""tools/benchmark_tracking.py: its measures on known signals, and a quick synthetic run."""

import numpy as np
import pytest

from ros2_posenet.tools import benchmark_tracking


def test_lag_of_a_delayed_copy_is_the_delay():
    rng = np.random.default_rng(0)
    frames = 200
    walk = np.cumsum(rng.normal(0.0, 3.0, (frames + 10, 17, 2)), axis=0)
    raw = walk[10:]
    for delay in (0, 2, 3):
        delayed = walk[10 - delay:frames + 10 - delay]
        lag = benchmark_tracking.smoothing_lag_s(raw, delayed, 0.04)
        assert lag == pytest.approx(0.04 * delay, abs=0.01)


def test_lag_ignores_unmatched_frames():
    t = np.arange(120) / 25.0
    raw = np.broadcast_to(np.sin(2.0 * np.pi * 0.7 * t)[:, None, None] * 50.0,
                          (120, 17, 2)).copy()
    later = np.roll(raw, 2, axis=0)
    raw[50:55] = np.nan
    assert benchmark_tracking.smoothing_lag_s(raw[4:], later[4:], 0.04) == pytest.approx(
        0.08, abs=0.01)


def test_mean_acceleration_uses_confident_triples_only():
    xy = np.zeros((5, 17, 2))
    xy[:, :, 0] = np.array([0.0, 1.0, 4.0, 9.0, 16.0])[:, None]  # x = t^2: |a| = 2
    scores = np.ones((5, 17))
    assert benchmark_tracking.mean_acceleration(xy, scores, 0.5) == pytest.approx(2.0)
    xy[2, 3] = 100.0
    scores[2, 3] = 0.1  # the outlier is not confident: its triples are left out
    assert benchmark_tracking.mean_acceleration(xy, scores, 0.5) == pytest.approx(2.0)
    assert np.isnan(benchmark_tracking.mean_acceleration(xy, np.zeros((5, 17)), 0.5))


def test_synthetic_run_prints_one_row_per_people_count(capsys):
    assert benchmark_tracking.main(['--no-video', '--updates', '5']) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.strip()[:2].strip().isdigit()]
    assert [row[0] for row in rows] == ['1', '5', '10']
    assert all(float(row[1]) > 0 for row in rows)


def test_bad_settings_are_rejected(capsys):
    with pytest.raises(SystemExit):
        benchmark_tracking.main(['--no-video', '--beta', '-1'])
    assert 'smoothing_beta' in capsys.readouterr().err
