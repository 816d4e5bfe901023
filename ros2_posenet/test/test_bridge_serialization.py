"""OSC messages and TensorFlow.js JSON built from hand-made poses: formats, types, values."""

import json

import numpy as np
import pytest

from ros2_posenet.posenet import NUM_KEYPOINTS, PART_NAMES, PoseArrays
from ros2_posenet.posenet.serialization import (encode_frame, osc_messages, OscOptions,
                                                tfjs_poses, WEKINATOR_INPUTS)

WIDTH, HEIGHT = 640, 480


def _poses(count: int) -> PoseArrays:
    rng = np.random.default_rng(count)
    xy = rng.uniform(0, 1, (count, NUM_KEYPOINTS, 2)) * (WIDTH - 1, HEIGHT - 1)
    xy[:, 0] = (100.0, 50.0)  # integral values must still go out as float32
    scores = rng.uniform(0, 1, (count, NUM_KEYPOINTS))
    return PoseArrays(xy, scores, scores.mean(axis=1))


def test_individual_format_addresses_types_and_order():
    poses = _poses(2)
    messages = osc_messages(poses, np.array([1, 0]), np.array([12, 0]), WIDTH, HEIGHT)
    assert messages[0] == ('/poses/amount', (('i', 2),))
    assert len(messages) == 1 + 2 * (1 + NUM_KEYPOINTS)
    slot0, slot1 = messages[1:19], messages[19:]
    assert slot0[0] == ('/poses/0/id', (('i', 0),))  # row 1 holds slot 0
    assert slot1[0] == ('/poses/1/id', (('i', 12),))
    assert [address for address, _ in slot1[1:]] == [f'/poses/1/{name}' for name in PART_NAMES]
    for address, arguments in slot0[1:] + slot1[1:]:
        assert [tag for tag, _ in arguments] == ['f', 'f', 'f'], address
        assert all(isinstance(value, float) for _, value in arguments)
    nose = dict(slot1)['/poses/1/nose']
    assert nose == (('f', float(np.float32(poses.keypoint_scores[0, 0]))), ('f', 100.0),
                    ('f', 50.0))
    wrist = dict(slot0)['/poses/0/rightWrist']
    expected = np.float32([poses.keypoint_scores[1, 10], *poses.keypoints_xy[1, 10]])
    assert [value for _, value in wrist] == expected.tolist()


def test_amount_is_sent_with_nobody_and_ids_can_be_left_out():
    assert osc_messages(PoseArrays.empty(), np.zeros(0), None, WIDTH, HEIGHT) == [
        ('/poses/amount', (('i', 0),))]
    messages = osc_messages(_poses(1), np.array([0]), None, WIDTH, HEIGHT,
                            OscOptions(send_ids=False))
    assert not any(address.endswith('/id') for address, _ in messages)
    assert len(messages) == 1 + NUM_KEYPOINTS


def test_normalized_coordinates_divide_by_the_image_size():
    poses = _poses(1)
    messages = dict(osc_messages(poses, np.array([0]), None, WIDTH, HEIGHT,
                                 OscOptions(normalized=True)))
    score, x, y = (value for _, value in messages['/poses/0/leftKnee'])
    part = PART_NAMES.index('leftKnee')
    assert x == float(np.float32(poses.keypoints_xy[0, part, 0] / WIDTH))
    assert y == float(np.float32(poses.keypoints_xy[0, part, 1] / HEIGHT))
    assert 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0
    with pytest.raises(ValueError, match='image size'):
        osc_messages(poses, np.array([0]), None, 0, HEIGHT, OscOptions(normalized=True))


def test_wekinator_sends_51_floats_per_person_without_accumulating():
    poses = _poses(3)
    messages = osc_messages(poses, np.array([2, 0, 1]), None, WIDTH, HEIGHT,
                            OscOptions(format='wekinator'))
    assert [address for address, _ in messages] == [
        '/wek/inputs/0', '/wek/inputs/1', '/wek/inputs/2']
    for address, arguments in messages:
        assert len(arguments) == WEKINATOR_INPUTS == 51
        assert {tag for tag, _ in arguments} == {'f'}
    values = [value for _, value in messages[2][1]]  # slot 2 is row 0
    expected = np.concatenate((poses.keypoint_scores[0][:, None], poses.keypoints_xy[0]),
                              axis=1).astype(np.float32).reshape(-1)
    assert values == expected.tolist()
    default = osc_messages(poses, np.array([2, 0, 1]), None, WIDTH, HEIGHT,
                           OscOptions(format='wekinator', wekinator_default_address=True))
    assert [address for address, _ in default] == ['/wek/inputs', '/wek/inputs/1',
                                                   '/wek/inputs/2']


def test_bad_slots_and_formats_are_refused():
    poses = _poses(2)
    with pytest.raises(ValueError, match='distinct'):
        osc_messages(poses, np.array([1, 1]), None, WIDTH, HEIGHT)
    with pytest.raises(ValueError, match='slots'):
        osc_messages(poses, np.array([0]), None, WIDTH, HEIGHT)
    with pytest.raises(ValueError, match='individual'):
        OscOptions(format='bundle')


def test_tfjs_json_has_the_tfjs_pose_layout_with_ids_and_image_size():
    poses = _poses(2)
    document = json.loads(encode_frame(poses, [4, 0], WIDTH, HEIGHT))
    assert set(document) == {'poses', 'image'}
    assert document['image'] == {'width': WIDTH, 'height': HEIGHT}
    first = document['poses'][0]
    assert set(first) == {'score', 'keypoints', 'id'} and first['id'] == 4
    assert [kp['part'] for kp in first['keypoints']] == list(PART_NAMES)
    assert set(first['keypoints'][0]) == {'score', 'part', 'position'}
    for row, pose in enumerate(document['poses']):
        xy = np.array([(kp['position']['x'], kp['position']['y']) for kp in pose['keypoints']])
        scores = np.array([kp['score'] for kp in pose['keypoints']])
        np.testing.assert_array_equal(xy.astype(np.float32),
                                      poses.keypoints_xy[row].astype(np.float32))
        np.testing.assert_array_equal(scores.astype(np.float32),
                                      poses.keypoint_scores[row].astype(np.float32))
        assert np.float32(pose['score']) == np.float32(poses.pose_scores[row])


def test_tfjs_numbers_are_short_and_nan_is_refused():
    poses = PoseArrays(np.full((1, NUM_KEYPOINTS, 2), 0.1), np.full((1, NUM_KEYPOINTS), 0.3),
                       np.array([0.3]))
    text = encode_frame(poses, None, 2, 2)
    assert '"x":0.1,' in text and '0.30000001' not in text
    assert json.loads(text)['poses'][0]['id'] == 0
    bad = PoseArrays(np.full((1, NUM_KEYPOINTS, 2), np.nan), poses.keypoint_scores,
                     poses.pose_scores)
    with pytest.raises(ValueError, match='non-finite'):
        tfjs_poses(bad)
    assert json.loads(encode_frame(PoseArrays.empty(), None, 5, 6)) == {
        'poses': [], 'image': {'width': 5, 'height': 6}}
