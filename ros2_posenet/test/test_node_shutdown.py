"""Ctrl-C and bad start-up parameters of the installed posenet node (exit codes, no traceback)."""

import threading
import time

import pytest

pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402

from node_harness import (couple_frame_bgr, IMAGE_QOS, NodeProcess, publish_until,  # noqa: E402
                          raw_image, RosClient, wait_until)

DOMAIN_ID = 64
EXIT_WITHIN_S = 1.0


def test_ctrl_c_while_processing_exits_cleanly_within_a_second(tmp_path, data_dir):
    node = NodeProcess(DOMAIN_ID, tmp_path, {'image_qos_reliability': 'reliable'})
    client = RosClient(DOMAIN_ID)
    streaming = threading.Event()
    try:
        assert node.wait_for_output(r'\]: active: ', timeout=60.0), node.output
        publisher = client.node.create_publisher(Image, 'image', IMAGE_QOS)
        poses = client.collect(PoseArray, 'poses')
        frame = couple_frame_bgr(data_dir)
        wait_until(lambda: publisher.get_subscription_count() > 0, 20.0, 'no subscriber')
        publish_until(publisher, raw_image(frame, 'bgr8', 0), poses, 0)

        def stream() -> None:
            index = 1
            while not streaming.is_set():
                publisher.publish(raw_image(frame, 'bgr8', index))
                index += 1
                time.sleep(1 / 30)

        streaming_thread = threading.Thread(target=stream, daemon=True)
        streaming_thread.start()
        time.sleep(1.0)  # frames are in flight and being processed
        count_before = len(poses)
        code, elapsed = node.interrupt()
        streaming.set()
        streaming_thread.join(timeout=2.0)
    finally:
        streaming.set()
        client.close()
        node.stop()
    assert len(poses) > 1 and count_before > 1, 'the node was not processing frames'
    assert code == 0, node.output
    assert elapsed < EXIT_WITHIN_S, f'exit took {elapsed:.2f} s'
    assert 'Traceback' not in node.output
    assert 'Error' not in node.output.replace('error', '')


def test_ctrl_c_on_an_unconfigured_node_exits_cleanly(tmp_path, data_dir):
    node = NodeProcess(DOMAIN_ID, tmp_path, {'autostart': False})
    try:
        client = RosClient(DOMAIN_ID)
        try:
            # The node is up once its lifecycle services answer.
            wait_until(lambda: 'posenet' in client.node.get_node_names(), 30.0, 'node not up')
        finally:
            client.close()
        code, elapsed = node.interrupt()
    finally:
        node.stop()
    assert code == 0, node.output
    assert elapsed < EXIT_WITHIN_S, f'exit took {elapsed:.2f} s'
    assert 'Traceback' not in node.output


@pytest.mark.parametrize('name, value, message', [
    ('detection_mode', 'everyone', 'detection_mode must be one of'),
    ('score_threshold', '2.0', 'score_threshold'),
    ('marker_depth', '2', 'marker_depth'),
    # An unset shell variable (-p model_path:=$MODEL) makes rcl reject the rule in init.
    ('model_path', '', "Couldn't parse parameter override rule"),
])
def test_bad_start_parameters_exit_with_an_error(tmp_path, data_dir, name, value, message):
    node = NodeProcess(DOMAIN_ID, tmp_path, {name: value})
    try:
        code = node.process.wait(timeout=30.0)
        node.interrupt()
    finally:
        node.stop()
    assert code == 1, node.output
    assert 'invalid parameters' in node.output
    assert message in node.output
    assert 'Traceback' not in node.output
