"""posenet_bag on bags written here from real frames, in both storages, read back.

The bags hold Dance.mp4 frames as ``sensor_msgs/Image`` and test_couple.jpg as
``CompressedImage``; the output must hold one ``PoseArray`` per image with the image's stamp,
at its receive time, equal to what the node's frame pipeline gives for the same frame.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip('rosbags')
from rclpy.serialization import deserialize_message, serialize_message  # noqa: E402
from rosbags.rosbag2 import Reader, StoragePlugin, Writer  # noqa: E402
from rosbags.typesys import get_typestore, Stores  # noqa: E402
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import CameraInfo, CompressedImage  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from ros2_posenet.frame_pipeline import FramePipeline  # noqa: E402
from ros2_posenet.image_messages import array_to_image_msg  # noqa: E402
from ros2_posenet.node_config import NodeConfig  # noqa: E402
from ros2_posenet.posenet import PoseEngine  # noqa: E402
from ros2_posenet.tools.process_bag import (EXIT_FRAMES_FAILED, EXIT_OK,  # noqa: E402
                                            EXIT_SETUP_FAILED, main, process_bag)

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
FRAMES = 12
STORAGES = {'sqlite3': StoragePlugin.SQLITE3, 'mcap': StoragePlugin.MCAP}


def _header(index: int) -> Header:
    header = Header(frame_id='camera_optical_frame')
    header.stamp.sec, header.stamp.nanosec = 1_700_000_000 + index // 25, (index % 25) * 40_000_000
    return header


def _receive_ns(index: int) -> int:
    return 1_700_000_000_000_000_000 + index * 40_000_000 + 3_000_000  # 3 ms transport


@pytest.fixture(scope='module')
def dance_frames(data_dir: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(data_dir / 'video' / 'Dance.mp4'))
    frames = []
    while len(frames) < FRAMES:
        ok, frame = capture.read()
        assert ok, 'Dance.mp4 has fewer frames than the test needs'
        frames.append(frame)
    capture.release()
    return frames


def _write_bag(path: Path, storage: str, messages: list[tuple[str, str, object, int]]) -> None:
    typestore = get_typestore(Stores.ROS2_JAZZY)
    writer = Writer(path, version=9, storage_plugin=STORAGES[storage])
    writer.open()
    connections = {}
    try:
        for topic, msgtype, msg, timestamp in messages:
            if topic not in connections:
                connections[topic] = writer.add_connection(topic, msgtype, typestore=typestore)
            writer.write(connections[topic], timestamp, serialize_message(msg))
    finally:
        writer.close()


def _read_bag(path: Path) -> dict[str, list[tuple[int, bytes]]]:
    topics: dict[str, list[tuple[int, bytes]]] = {}
    with Reader(path) as reader:
        for connection, timestamp, data in reader.messages():
            topics.setdefault(connection.topic, []).append((timestamp, data))
    return topics


def _config(models_dir: Path) -> NodeConfig:
    return NodeConfig.from_values({'model_path': str(models_dir / MODEL)})


@pytest.mark.parametrize('storage', sorted(STORAGES))
def test_raw_images_give_one_pose_array_each_with_their_stamps(
        tmp_path, storage, dance_frames, models_dir):
    images = [array_to_image_msg(frame, _header(i)) for i, frame in enumerate(dance_frames)]
    info = CameraInfo(header=_header(0), width=514, height=496)
    messages = [('/camera/camera_info', 'sensor_msgs/msg/CameraInfo', info, _receive_ns(0) - 1)]
    messages += [('/camera/image_raw', 'sensor_msgs/msg/Image', image, _receive_ns(i))
                 for i, image in enumerate(images)]
    source, output = tmp_path / 'in', tmp_path / 'out'
    _write_bag(source, storage, messages)
    summary = process_bag(source, output, _config(models_dir), markers=True)
    assert (summary.frames, summary.failed, summary.copied) == (FRAMES, 0, FRAMES + 1)
    topics = _read_bag(output)
    assert len(topics['/camera/image_raw']) == FRAMES and len(topics['/camera/camera_info']) == 1
    assert storage_of_output(output) == storage
    poses = [(t, deserialize_message(data, PoseArray)) for t, data in topics['/poses']]
    assert [t for t, _ in poses] == [_receive_ns(i) for i in range(FRAMES)]
    assert len(topics['/markers']) == FRAMES
    # tracked through the bag: the dancer keeps one id once confirmed (min_hits 3)
    ids = [max(msg.poses, key=lambda person: person.score).id for _, msg in poses]
    assert ids[0] == 0 and ids[3] > 0 and ids[3:].count(ids[3]) >= len(ids[3:]) - 1, ids
    with PoseEngine(_config(models_dir).engine_config) as engine:
        pipeline = FramePipeline(engine)
        for index, (_, msg) in enumerate(poses):
            assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (
                _header(index).stamp.sec, _header(index).stamp.nanosec)
            assert msg.header.frame_id == 'camera_optical_frame'
            expected = pipeline.process(images[index], _config(models_dir)).poses  # same path
            assert len(msg.poses) == len(expected.poses) >= 1
            for person, reference in zip(msg.poses, expected.poses):
                # the bag holds the float32 fields the message serialises
                assert person.score == np.float32(reference.score)
                assert [k.x for k in person.keypoints] == [
                    float(np.float32(k.x)) for k in reference.keypoints]


def storage_of_output(path: Path) -> str:
    return 'mcap' if any(p.suffix == '.mcap' for p in path.iterdir()) else 'sqlite3'


def test_compressed_images_jsonl_and_a_corrupt_message_is_skipped(tmp_path, couple_bgr,
                                                                  models_dir):
    messages = []
    for index in range(3):
        msg = CompressedImage(header=_header(index), format='jpeg')
        msg.data = cv2.imencode('.jpg', couple_bgr)[1].tobytes()
        messages.append(('/camera/image/compressed', 'sensor_msgs/msg/CompressedImage', msg,
                         _receive_ns(index)))
    broken = CompressedImage(header=_header(3), format='jpeg')
    broken.data = b'\xff\xd8 not a jpeg'
    messages.append(('/camera/image/compressed', 'sensor_msgs/msg/CompressedImage', broken,
                     _receive_ns(3)))
    source = tmp_path / 'in'
    _write_bag(source, 'mcap', messages)
    jsonl = tmp_path / 'poses.jsonl'
    status = main([str(source), str(tmp_path / 'out'), '--compressed', '--jsonl', str(jsonl),
                   '--no-progress', '-p', f'model_path:={models_dir / MODEL}',
                   '-p', 'detection_mode:=multi'])
    assert status == EXIT_FRAMES_FAILED  # the broken frame is reported in the status
    lines = [line for line in jsonl.read_text().splitlines() if line]
    assert len(lines) == 3
    import json
    first = json.loads(lines[0])
    assert first['image'] == {'width': couple_bgr.shape[1], 'height': couple_bgr.shape[0]}
    assert len(first['poses']) >= 2 and {'score', 'keypoints', 'id'} <= set(first['poses'][0])
    assert len(_read_bag(tmp_path / 'out')['/poses']) == 3


def test_existing_output_truncated_bag_and_bad_parameters_are_clear_errors(
        tmp_path, capsys, couple_bgr, models_dir):
    source = tmp_path / 'in'
    _write_bag(source, 'sqlite3', [('/image', 'sensor_msgs/msg/Image',
                                    array_to_image_msg(couple_bgr, _header(0)), _receive_ns(0))])
    (tmp_path / 'taken').mkdir()
    assert main([str(source), str(tmp_path / 'taken'), '--no-progress']) == EXIT_SETUP_FAILED
    assert 'exists' in capsys.readouterr().err
    assert main([str(source), str(tmp_path / 'o1'), '-p', 'max_detections:=0']) == (
        EXIT_SETUP_FAILED)
    assert 'max_detections' in capsys.readouterr().err
    database = next(source.glob('*.db3'))
    database.write_bytes(database.read_bytes()[:300])
    assert main([str(source), str(tmp_path / 'o2'), '--no-progress', '-p',
                 f'model_path:={models_dir / MODEL}']) == EXIT_SETUP_FAILED
    error = capsys.readouterr().err
    assert 'posenet_bag: error:' in error and 'Traceback' not in error
    assert main([str(tmp_path / 'missing'), str(tmp_path / 'o3')]) == EXIT_SETUP_FAILED
    assert EXIT_OK == 0
