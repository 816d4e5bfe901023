"""posenet_estimate end to end: image and video in, tfjs-format JSON and annotated files out."""

import json
import shutil
import subprocess
import sys

import cv2
import pytest

from ros2_posenet.posenet.keypoints import PART_NAMES
from ros2_posenet.tools.estimate import EXIT_INPUT_FAILED, EXIT_OK, EXIT_SETUP_FAILED, main

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'


def _check_tfjs_poses(poses: list, width: int, height: int, tracked: bool = False) -> None:
    assert isinstance(poses, list)
    for pose in poses:
        assert set(pose) == ({'score', 'keypoints', 'id'} if tracked else {'score', 'keypoints'})
        assert 0.0 <= pose['score'] <= 1.0
        assert [kp['part'] for kp in pose['keypoints']] == list(PART_NAMES)
        for keypoint in pose['keypoints']:
            assert set(keypoint) == {'position', 'part', 'score'}
            assert set(keypoint['position']) == {'x', 'y'}
            assert 0.0 <= keypoint['score'] <= 1.0
            if keypoint['score'] >= 0.5:
                assert -10 <= keypoint['position']['x'] <= width + 10
                assert -10 <= keypoint['position']['y'] <= height + 10


def test_image_and_video_give_json_and_annotated_outputs(data_dir, models_dir, tmp_path,
                                                         capsys):
    """Image and video give json and annotated outputs."""
    image = data_dir / 'images' / 'test_couple.jpg'
    video = data_dir / 'video' / 'Dance.mp4'
    status = main([str(image), str(video), '--model', str(models_dir / MODEL),
                   '--output-dir', str(tmp_path), '--max-frames', '3',
                   '--score-threshold', '0.3', '--min-pose-score', '0.3'])
    assert status == EXIT_OK
    assert 'test_couple.jpg: ' in capsys.readouterr().out

    source = cv2.imread(str(image))
    poses = json.loads((tmp_path / 'test_couple.json').read_text())
    _check_tfjs_poses(poses, source.shape[1], source.shape[0])
    assert len([pose for pose in poses if pose['score'] >= 0.4]) >= 2
    annotated = cv2.imread(str(tmp_path / 'test_couple_poses.jpg'))
    assert annotated.shape == source.shape
    assert (cv2.absdiff(annotated, source) > 60).sum() > 500  # skeletons were drawn

    records = json.loads((tmp_path / 'Dance.json').read_text())
    assert [record['frame'] for record in records] == [0, 1, 2]
    for record in records:
        _check_tfjs_poses(record['poses'], 514, 496, tracked=True)
    assert any(record['poses'] for record in records)
    capture = cv2.VideoCapture(str(tmp_path / 'Dance_poses.mp4'))
    frames = 0
    while capture.read()[0]:
        frames += 1
    assert frames == 3
    assert int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) == 514
    capture.release()


def test_flip_and_single_mode_reach_the_engine(data_dir, models_dir, tmp_path):
    """Flip and single mode reach the engine."""
    image = data_dir / 'images' / 'test_couple.jpg'
    width = cv2.imread(str(image)).shape[1]
    common = [str(image), '--model', str(models_dir / MODEL), '--mode', 'single',
              '--no-annotate']
    assert main(common + ['--output-dir', str(tmp_path / 'plain')]) == EXIT_OK
    assert main(common + ['--output-dir', str(tmp_path / 'flip'), '--flip-horizontal']) == 0
    plain = json.loads((tmp_path / 'plain' / 'test_couple.json').read_text())
    flipped = json.loads((tmp_path / 'flip' / 'test_couple.json').read_text())
    assert len(plain) == len(flipped) == 1
    assert not (tmp_path / 'plain' / 'test_couple_poses.jpg').exists()
    for before, after in zip(plain[0]['keypoints'], flipped[0]['keypoints']):
        assert after['part'] == before['part']
        assert after['position']['x'] == pytest.approx(width - 1 - before['position']['x'])


def test_unreadable_inputs_are_skipped_with_a_failing_status(
        data_dir, models_dir, tmp_path, capsys):
    """Unreadable inputs are skipped with a failing status."""
    broken_image = tmp_path / 'broken.jpg'
    broken_image.write_bytes(b'not a jpeg')
    broken_video = tmp_path / 'broken.mp4'
    broken_video.write_bytes(b'not a video')
    folder = tmp_path / 'folder'
    folder.mkdir()
    shutil.copy(data_dir / 'images' / 'tfjs_pose.jpg', folder / 'pose.jpg')
    (folder / 'notes.txt').write_text('ignored')
    status = main([str(broken_image), str(broken_video), str(folder), '--model',
                   str(models_dir / MODEL), '--output-dir', str(tmp_path / 'out')])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert 'broken.jpg' in errors and 'broken.mp4' in errors and '2 of 3' in errors
    assert (tmp_path / 'out' / 'pose.json').exists()


def test_setup_errors_exit_with_2(models_dir, tmp_path, capsys):
    """Setup errors exit with 2."""
    assert main([str(tmp_path), '--model', str(tmp_path / 'missing.tflite')]) == \
        EXIT_SETUP_FAILED
    assert main([str(tmp_path / 'nothing.jpg'), '--model', str(models_dir / MODEL)]) == \
        EXIT_SETUP_FAILED
    assert main([str(tmp_path), '--model', str(models_dir / MODEL),
                 '--score-threshold', '2']) == EXIT_SETUP_FAILED
    errors = capsys.readouterr().err
    assert 'missing.tflite' in errors and 'nothing.jpg' in errors and 'score_threshold' in errors


def test_paths_the_file_system_rejects_are_setup_errors_not_tracebacks(
        data_dir, models_dir, tmp_path, capsys):
    """Unknown ~user, over-long names and an impossible output folder exit with 2."""
    image = str(data_dir / 'images' / 'tfjs_pose.jpg')
    model = str(models_dir / MODEL)
    out = str(tmp_path / 'out')
    assert main([image, '--model', '~no_such_user_of_posenet/m.tflite',
                 '--output-dir', out]) == EXIT_SETUP_FAILED
    assert main([str(tmp_path / ('x' * 300 + '.jpg')), '--model', model,
                 '--output-dir', out]) == EXIT_SETUP_FAILED
    blocked = tmp_path / 'file'
    blocked.write_text('a file where the output folder should go')
    assert main([image, '--model', model, '--output-dir', str(blocked / 'out')]) == \
        EXIT_SETUP_FAILED
    errors = capsys.readouterr().err
    assert 'cannot be expanded' in errors
    assert 'cannot access' in errors
    assert 'cannot create the output folder' in errors


def test_same_stems_do_not_overwrite_each_other(data_dir, models_dir, tmp_path):
    """Same stems do not overwrite each other."""
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        shutil.copy(data_dir / 'images' / 'tfjs_pose.jpg', tmp_path / name / 'frame.jpg')
    assert main([str(tmp_path / 'a'), str(tmp_path / 'b'), '--model', str(models_dir / MODEL),
                 '--output-dir', str(tmp_path / 'out'), '--no-annotate']) == EXIT_OK
    assert sorted(p.name for p in (tmp_path / 'out').iterdir()) == ['frame.json',
                                                                    'frame_2.json']


def test_help_runs_and_the_cli_does_not_import_ros():
    """Help runs and the cli does not import ros."""
    with pytest.raises(SystemExit) as caught:
        main(['--help'])
    assert caught.value.code == 0
    check = ('import sys, ros2_posenet.tools.estimate, ros2_posenet.tools.benchmark_engine; '
             'sys.exit(1 if "rclpy" in sys.modules else 0)')
    assert subprocess.run([sys.executable, '-c', check], check=False).returncode == 0


def test_video_poses_carry_persistent_track_ids(data_dir, models_dir, tmp_path):
    """A video's JSON gives each pose the id of its track: the dancer keeps one id."""
    video = data_dir / 'video' / 'Dance.mp4'
    assert main([str(video), '--model', str(models_dir / MODEL), '--output-dir', str(tmp_path),
                 '--max-frames', '20', '--no-annotate']) == EXIT_OK
    records = json.loads((tmp_path / 'Dance.json').read_text())
    assert len(records) == 20 and records[1]['time_s'] == pytest.approx(0.04, abs=1e-3)
    best = [max(record['poses'], key=lambda pose: pose['score']) for record in records
            if record['poses']]
    assert all('id' in pose for pose in best)
    ids = [pose['id'] for pose in best[3:]]
    assert ids[0] > 0 and ids.count(ids[0]) >= len(ids) - 1
    assert main([str(video), '--model', str(models_dir / MODEL), '--output-dir',
                 str(tmp_path / 'untracked'), '--max-frames', '3', '--no-annotate',
                 '--no-tracking']) == EXIT_OK
    untracked = json.loads((tmp_path / 'untracked' / 'Dance.json').read_text())
    assert all('id' not in pose for record in untracked for pose in record['poses'])
