"""posenet_benchmark_bag: how much faster than real time posenet_bag processes a recording.

Writes a video (default ``<data dir>/video/Dance.mp4``) into a temporary rosbag2 as
``sensor_msgs/Image`` (bgr8) at its frame rate, stamps and receive times from that rate, runs
``posenet_bag``'s processing on it with the node's default parameters (or ``-p`` overrides)
and prints the summary: frames, people per frame and the x-real-time factor (the bag's span
over the processing time). Usage: posenet_benchmark_bag [--video FILE] [--storage mcap]
"""

import argparse
from collections.abc import Sequence
from pathlib import Path
import tempfile

import cv2
from rclpy.serialization import serialize_message
from rosbags.rosbag2 import Writer
from rosbags.typesys import get_typestore, Stores
from std_msgs.msg import Header

from ros2_posenet.image_messages import array_to_image_msg
from ros2_posenet.node_config import NodeConfig
from ros2_posenet.posenet import data_dir
from ros2_posenet.tools.process_bag import process_bag, STORAGES


def write_video_bag(video: Path, bag: Path, storage: str) -> int:
    """Write every frame of ``video`` as an Image on ``/camera/image_raw``; return the count."""
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    writer = Writer(bag, version=9, storage_plugin=STORAGES[storage])
    writer.open()
    count = 0
    try:
        connection = writer.add_connection('/camera/image_raw', 'sensor_msgs/msg/Image',
                                           typestore=get_typestore(Stores.ROS2_JAZZY))
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            stamp_ns = int(count * 1e9 / fps)
            header = Header(frame_id='camera_optical_frame')
            header.stamp.sec, header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
            writer.write(connection, stamp_ns, serialize_message(array_to_image_msg(frame,
                                                                                    header)))
            count += 1
    finally:
        writer.close()
        capture.release()
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point of ``posenet_benchmark_bag``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--video', type=Path, default=None)
    parser.add_argument('--storage', choices=sorted(STORAGES), default='mcap')
    parser.add_argument('-p', dest='param', action='append', default=[], metavar='NAME:=VALUE')
    args = parser.parse_args(argv)
    video = args.video or data_dir() / 'video' / 'Dance.mp4'
    config = NodeConfig.from_parameters(None, args.param)
    with tempfile.TemporaryDirectory() as scratch:
        bag = Path(scratch) / 'input'
        frames = write_video_bag(video, bag, args.storage)
        summary = process_bag(bag, Path(scratch) / 'output', config)
    print(f'posenet_bag on {video.name} ({frames} frames, {args.storage}, model '
          f'{config.model_path}, {config.detection_mode}): {summary.line()}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
