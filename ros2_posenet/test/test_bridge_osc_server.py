"""OSC from real poses to a real python-osc server: exact addresses, type tags and values.

test_couple.jpg (two people) goes through ``PoseEngine``; ``PoseBridge`` sends the result to a
``ThreadingOSCUDPServer`` on 127.0.0.1, and what arrives is checked against the engine's
arrays: ``/poses/amount`` as int32, ids as int32, every score and coordinate as float32, in
pixels and normalised, in both formats. Sending with no receiver never fails.
"""

import socket

import numpy as np
import pytest

from ros2_posenet.bridges import BridgeError, BridgeSettings, OscSender, PoseBridge
from ros2_posenet.posenet import (DecodeOptions, EngineConfig, NUM_KEYPOINTS, PART_NAMES,
                                  PoseEngine)
from ros2_posenet.posenet.serialization import OscOptions

from test_bridge_harness import frames_of, MODEL, OscRecorder


@pytest.fixture(scope='module')
def couple(couple_bgr, data_dir):
    with PoseEngine(EngineConfig(MODEL)) as engine:
        arrays = engine.estimate(couple_bgr, 'bgr', DecodeOptions(detection_mode='multi')).arrays
    people = arrays.select(np.argsort(-arrays.pose_scores, kind='stable'))
    assert len(people) >= 2
    height, width = couple_bgr.shape[:2]
    return people, width, height


@pytest.fixture
def recorder():
    with OscRecorder() as server:
        yield server


def _send(recorder, options, people, width, height, ids):
    bridge = PoseBridge(BridgeSettings(osc_enabled=True, osc_port=recorder.port, osc=options))
    try:
        bridge.publish(people, ids, width, height, 1.0)
        assert bridge.status().osc.errors == 0
    finally:
        bridge.close()


def _expected_values(people, row, width, height, normalized):
    scale = np.array((width, height)) if normalized else np.ones(2)
    xy = (people.keypoints_xy[row] / scale).astype(np.float32)
    scores = people.keypoint_scores[row].astype(np.float32)
    return [[float(scores[p]), float(xy[p, 0]), float(xy[p, 1])] for p in range(NUM_KEYPOINTS)]


@pytest.mark.parametrize('normalized', [False, True], ids=['pixels', 'normalized'])
def test_individual_format_arrives_exactly(recorder, couple, normalized):
    people, width, height = couple
    count = len(people)
    ids = np.arange(101, 101 + count)
    _send(recorder, OscOptions(normalized=normalized), people, width, height, ids)
    expected_total = 1 + count * (1 + NUM_KEYPOINTS)
    messages = recorder.wait_for(lambda got: len(got) >= expected_total and got)
    assert len(messages) == expected_total
    assert messages[0] == ('/poses/amount', 'i', [count])
    for row in range(count):  # new ids take slots 0, 1, ... in row order
        block = messages[1 + row * (1 + NUM_KEYPOINTS):1 + (row + 1) * (1 + NUM_KEYPOINTS)]
        assert block[0] == (f'/poses/{row}/id', 'i', [101 + row])
        expected = _expected_values(people, row, width, height, normalized)
        for part, (address, tags, values) in enumerate(block[1:]):
            assert address == f'/poses/{row}/{PART_NAMES[part]}'
            assert tags == 'fff'
            assert values == expected[part], address
    coordinates = np.array([values[1:] for _, _, values in messages[1:] if len(values) == 3])
    if normalized:
        assert coordinates.min() >= 0.0 and coordinates.max() <= 1.0
    else:
        assert coordinates.max() > 1.0


@pytest.mark.parametrize('normalized', [False, True], ids=['pixels', 'normalized'])
def test_wekinator_format_arrives_exactly(recorder, couple, normalized):
    people, width, height = couple
    count = len(people)
    _send(recorder, OscOptions(format='wekinator', normalized=normalized), people, width,
          height, np.arange(1, count + 1))
    messages = recorder.wait_for(lambda got: len(got) >= count and got)
    assert [address for address, _, _ in messages] == [f'/wek/inputs/{i}' for i in range(count)]
    for row, (_, tags, values) in enumerate(messages):
        assert tags == 'f' * 51
        assert values == sum(_expected_values(people, row, width, height, normalized), [])


def test_wekinator_default_address_for_the_first_person(recorder, couple):
    people, width, height = couple
    _send(recorder, OscOptions(format='wekinator', wekinator_default_address=True), people,
          width, height, None)
    messages = recorder.wait_for(lambda got: len(got) >= len(people) and got)
    assert messages[0][0] == '/wek/inputs' and len(messages[0][2]) == 51
    assert messages[1][0] == '/wek/inputs/1'


def test_a_person_keeps_its_slot_across_frames(recorder, couple):
    people, width, height = couple
    bridge = PoseBridge(BridgeSettings(osc_enabled=True, osc_port=recorder.port))
    try:
        bridge.publish(people.select([0, 1]), [7, 9], width, height, 1.0)
        bridge.publish(people.select([1]), [9], width, height, 1.1)       # 7 missed once
        bridge.publish(people.select([1, 0]), [9, 7], width, height, 1.2)  # order swapped
        frames = recorder.wait_for(lambda got: len(frames_of(got)) >= 3
                                   and len(frames_of(got)[2]) == 37 and frames_of(got))
    finally:
        bridge.close()
    assert [(a, v) for a, _, v in frames[1] if a.endswith('/id')] == [('/poses/1/id', [9])]
    assert frames[1][0] == ('/poses/amount', 'i', [1])
    third = {address: values for address, _, values in frames[2]}
    assert third['/poses/0/id'] == [7] and third['/poses/1/id'] == [9]
    nose_of_9 = float(np.float32(people.keypoints_xy[1, 0, 0]))
    assert third['/poses/1/nose'][1] == nose_of_9


def test_no_receiver_never_fails():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(('127.0.0.1', 0))
        closed_port = probe.getsockname()[1]  # free again once closed: nobody listens
    sender = OscSender('127.0.0.1', closed_port)
    try:
        for _ in range(50):
            sender.send([('/poses/amount', (('i', 0),))])
        stats = sender.stats()
        assert stats.messages_sent + stats.errors == 50
        assert stats.messages_sent > 0
    finally:
        sender.close()


def test_a_host_that_does_not_resolve_is_refused_at_start():
    with pytest.raises(BridgeError, match='cannot send OSC'):
        OscSender('no-such-host.invalid', 12000)
    with pytest.raises(BridgeError, match='port'):
        OscSender('127.0.0.1', 0)
