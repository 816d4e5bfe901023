"""A compressed frame whose header claims a huge size is refused from the header, by the node.

A 631-byte-class JPEG claiming 30000x30000 once made the node allocate gigabytes and stall; now
it is refused before decoding with a warning naming the size and ``max_input_pixels``, the
node's memory stays flat and the next good frame is answered at once.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest

rclpy = pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import CompressedImage  # noqa: E402

from node_harness import (compressed_image, couple_frame_bgr, IMAGE_QOS,  # noqa: E402
                          jpeg_bytes, NodeProcess, publish_until, RosClient, wait_until)

DOMAIN_ID = 59


def _claiming(data: bytes, width: int, height: int) -> bytes:
    """Return the JPEG with its SOF0 frame size rewritten (the scan data left as it is)."""
    start = data.index(b'\xff\xc0')
    patched = bytearray(data)
    patched[start + 5:start + 9] = height.to_bytes(2, 'big') + width.to_bytes(2, 'big')
    return bytes(patched)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
    return 0.0


def test_header_bomb_is_refused_and_the_node_keeps_answering(tmp_path, data_dir):
    node = NodeProcess(DOMAIN_ID, tmp_path, {'input_transport': 'compressed',
                                             'image_qos_reliability': 'reliable'})
    client = RosClient(DOMAIN_ID)
    try:
        publisher = client.node.create_publisher(CompressedImage, 'image/compressed', IMAGE_QOS)
        poses = client.collect(PoseArray, 'poses')
        wait_until(lambda: publisher.get_subscription_count() > 0, 30.0, 'node not subscribed')
        tiny = cv2.imencode('.jpg', np.full((8, 8, 3), 128, np.uint8))[1].tobytes()
        bomb = _claiming(tiny, 30000, 30000)
        assert len(bomb) < 1000
        before = _peak_rss_mb(node.process.pid)
        for index in range(3):
            publisher.publish(compressed_image(bomb, 100 + index))
        match = node.wait_for_output(r'30000x30000.*max_input_pixels', timeout=15.0)
        assert match is not None, node.output
        reply = publish_until(publisher, compressed_image(
            jpeg_bytes(couple_frame_bgr(data_dir)), 1), poses, 1)
        assert len(reply.poses) >= 2
        assert _peak_rss_mb(node.process.pid) - before < 200.0  # nothing like 2.7 GB
        assert all(msg.header.stamp.sec != 1_700_000_100 for msg in poses)
    finally:
        client.close()
        node.stop()
