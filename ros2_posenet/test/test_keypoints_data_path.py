"""Unit tests of the part tables, the result dataclasses and the data path."""

import dataclasses
import os

import pytest

from ros2_posenet.posenet.model import data_path
from ros2_posenet.posenet.errors import ModelError
from ros2_posenet.posenet.keypoints import (
    CONNECTED_PART_IDS, KeypointId, MIRRORED_PART_IDS, NUM_EDGES, NUM_KEYPOINTS,
    PARENT_CHILD_IDS, PART_IDS, PART_NAMES, PART_SIDES)
from ros2_posenet.posenet.pose import Keypoint, Pose


def _pose(score: float = 0.5) -> Pose:
    return Pose(score, tuple(Keypoint(i, name, float(i), 2.0 * i, 0.1)
                             for i, name in enumerate(PART_NAMES)))


def test_part_tables_follow_posenet_order():
    assert NUM_KEYPOINTS == 17
    assert PART_NAMES[0] == 'nose' and PART_NAMES[16] == 'rightAnkle'
    assert all(PART_IDS[name] == i for i, name in enumerate(PART_NAMES))
    assert [member.value for member in KeypointId] == list(range(17))
    assert KeypointId.LEFT_WRIST == PART_IDS['leftWrist'] == 9
    # every enum member names its part: LEFT_WRIST <-> leftWrist, for all 17
    camel = [member.name.lower().replace('_', '') for member in KeypointId]
    assert camel == [name.lower() for name in PART_NAMES]


def test_pose_chain_is_a_tree_rooted_at_the_nose():
    assert NUM_EDGES == 16
    children = [child for _, child in PARENT_CHILD_IDS]
    assert sorted(children) == list(range(1, 17))  # every part but the nose has one parent
    reached = {0}
    for parent, child in PARENT_CHILD_IDS:  # tfjs order visits parents before children
        assert parent in reached
        reached.add(child)


def test_mirror_map_swaps_left_and_right_and_is_an_involution():
    assert MIRRORED_PART_IDS[PART_IDS['leftEye']] == PART_IDS['rightEye']
    assert MIRRORED_PART_IDS[PART_IDS['nose']] == PART_IDS['nose']
    assert all(MIRRORED_PART_IDS[MIRRORED_PART_IDS[i]] == i for i in range(17))
    assert PART_SIDES[PART_IDS['leftKnee']] == 'left'
    assert PART_SIDES[PART_IDS['rightHip']] == 'right'
    assert PART_SIDES[PART_IDS['nose']] == 'centre'


def test_skeleton_has_the_twelve_tfjs_bones():
    assert len(CONNECTED_PART_IDS) == 12
    assert (PART_IDS['leftShoulder'], PART_IDS['rightShoulder']) in CONNECTED_PART_IDS


def test_pose_is_frozen_and_checks_its_keypoints():
    pose = _pose()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pose.score = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match='17 keypoints'):
        Pose(0.5, pose.keypoints[:16])
    swapped = (pose.keypoints[1], pose.keypoints[0]) + pose.keypoints[2:]
    with pytest.raises(ValueError, match="'nose'"):
        Pose(0.5, swapped)


def test_data_dir_prefers_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(data_path.DATA_DIR_ENV, str(tmp_path))
    assert data_path.data_dir() == tmp_path.resolve()


def test_data_dir_never_depends_on_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(data_path.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    workdir = tmp_path / 'checkout' / 'project'
    workdir.mkdir(parents=True)
    (tmp_path / 'checkout' / 'shared' / 'data' / 'models').mkdir(parents=True)
    (workdir / 'a.tflite').write_bytes(b'x')
    monkeypatch.chdir(workdir)
    assert data_path.data_dir() == tmp_path / 'cache' / 'ros2_posenet'
    with pytest.raises(ModelError) as raised:  # not taken from the current directory
        data_path.resolve_model_path('a.tflite')
    assert str(tmp_path / 'cache' / 'ros2_posenet' / 'models') in str(raised.value)


def test_model_names_resolve_against_the_data_path(monkeypatch, tmp_path):
    monkeypatch.setenv(data_path.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'models').mkdir()
    (tmp_path / 'models' / 'a.tflite').write_bytes(b'x')
    assert data_path.resolve_model_path('a.tflite') == tmp_path / 'models' / 'a.tflite'
    absolute = tmp_path / 'elsewhere.tflite'
    assert data_path.resolve_model_path(str(absolute)) == absolute
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    (tmp_path / 'cache' / 'ros2_posenet' / 'models').mkdir(parents=True)
    (tmp_path / 'cache' / 'ros2_posenet' / 'models' / 'b.tflite').write_bytes(b'x')
    assert data_path.resolve_model_path('b.tflite') == (
        tmp_path / 'cache' / 'ros2_posenet' / 'models' / 'b.tflite')
    with pytest.raises(ModelError, match='not found; looked in') as raised:
        data_path.resolve_model_path('missing.tflite')
    for folder in data_path.model_search_dirs():
        assert str(folder) in str(raised.value)


def test_model_paths_the_file_system_cannot_look_up_raise_model_error(monkeypatch, tmp_path):
    monkeypatch.setenv(data_path.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError, match='cannot be expanded'):
        data_path.resolve_model_path('~no_such_user_of_posenet/model.tflite')
    with pytest.raises(ModelError, match='cannot be looked up'):
        data_path.resolve_model_path('x' * 5000 + '.tflite')
    with pytest.raises(ModelError, match='cannot be looked up'):
        data_path.resolve_model_path('/' + 'x' * 300 + '/model.tflite')
    fifo = tmp_path / 'models' / 'fifo.tflite'
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match='not a regular file'):
        data_path.resolve_model_path('fifo.tflite')


def test_data_dir_with_an_unknown_user_is_taken_literally(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(data_path.DATA_DIR_ENV, '~no_such_user_of_posenet/data')
    assert data_path.data_dir() == tmp_path / '~no_such_user_of_posenet' / 'data'
