"""The main job of a machine without a camera driver: the node on real frames, end to end.

Starts ``posenet_node`` from the install space (or uses one already running), publishes frames
from a video, an image folder or a camera as ``sensor_msgs/Image`` (bgr8) at the source rate,
receives the node's ``PoseArray`` messages, prints a line per processed frame and writes an
annotated video (and the last annotated frame as PNG) of what the node published.

Usage: posenet_demo --source video.mp4 --params-file config/posenet.yaml --output-dir output
"""

import argparse
from collections import OrderedDict
from pathlib import Path
import statistics
import sys
import time

import cv2
import numpy as np
import rclpy
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import Image

from ros2_posenet.image_messages import array_to_image_msg
from ros2_posenet.pose_messages import pose_array_to_poses
from ros2_posenet.posenet import draw_poses
from ros2_posenet.tools.frame_source import FrameSource, FrameSourceError
from ros2_posenet.tools.node_process import (node_command, NodeProcess,
                                             use_large_frame_profile)

FRAME_ID = 'camera_optical_frame'
PENDING_FRAMES = 64
NODE_READY_TIMEOUT_S = 60.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--source', required=True,
                        help='video file, image folder, image file, or camera index (e.g. 0)')
    parser.add_argument('--params-file', help='node parameters YAML (default: installed one)')
    parser.add_argument('--output-dir', default='output', help='where annotated files go')
    parser.add_argument('--max-frames', type=int, default=0, help='stop after N frames (0: all)')
    parser.add_argument('--fps', type=float, default=0.0,
                        help='publish rate in Hz (default: the source rate)')
    parser.add_argument('--width', type=int, default=0, help='resize frames to this width')
    parser.add_argument('--height', type=int, default=0, help='resize frames to this height')
    parser.add_argument('--param', '-p', action='append', default=[], metavar='NAME:=VALUE',
                        help='node parameter override, repeatable (-p detection_mode:=single)')
    parser.add_argument('--no-node', action='store_true',
                        help='do not start posenet_node; use one that is already running')
    parser.add_argument('--min-keypoint-score', type=float, default=0.3,
                        help='keypoints drawn in the video need at least this score')
    return parser.parse_args(argv)


class DemoClient(Node):
    """Publishes frames and collects the node's answers, paired by header stamp."""

    def __init__(self) -> None:
        """Create the image publisher and the poses subscription."""
        super().__init__('posenet_demo')
        # Reliable writers serve both best-effort (the node's default) and reliable readers.
        self.image_publisher = self.create_publisher(
            Image, 'image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        # Best effort matches the node's publisher whatever reliability it was configured with.
        self.create_subscription(PoseArray, 'poses', self._on_poses,
                                 QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT))
        self.pending: OrderedDict[tuple[int, int], tuple[int, np.ndarray, float]] = OrderedDict()
        self.results: list[tuple[int, np.ndarray, PoseArray, float]] = []

    def publish_frame(self, index: int, frame: np.ndarray) -> None:
        """Publish one BGR frame stamped now and remember it until its poses arrive."""
        header = Image().header
        header.stamp = self.get_clock().now().to_msg()
        header.frame_id = FRAME_ID
        key = (header.stamp.sec, header.stamp.nanosec)
        self.pending[key] = (index, frame, time.monotonic())
        while len(self.pending) > PENDING_FRAMES:
            self.pending.popitem(last=False)
        self.image_publisher.publish(array_to_image_msg(frame, header))

    def _on_poses(self, msg: PoseArray) -> None:
        key = (msg.header.stamp.sec, msg.header.stamp.nanosec)
        entry = self.pending.pop(key, None)
        if entry is None:
            return
        index, frame, sent = entry
        self.results.append((index, frame, msg, (time.monotonic() - sent) * 1000.0))


def _spin_for(node: Node, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        rclpy.spin_once(node, timeout_sec=max(0.0, remaining))
        if remaining <= 0:
            return


def _wait_for_node(client: DemoClient, node_process: NodeProcess | None) -> None:
    deadline = time.monotonic() + NODE_READY_TIMEOUT_S
    while client.image_publisher.get_subscription_count() == 0:
        if node_process is not None and not node_process.running():
            raise RuntimeError(f'posenet_node exited with code {node_process.process.returncode} '
                               'before subscribing (see its log above)')
        if time.monotonic() > deadline:
            raise RuntimeError(f'no subscriber on {client.image_publisher.topic_name} '
                               f'after {NODE_READY_TIMEOUT_S:.0f} s; '
                               'is posenet_node running and active?')
        _spin_for(client, 0.1)


def _summary_line(index: int, msg: PoseArray, latency_ms: float) -> str:
    scores = ', '.join(f'{pose.score:.2f}' for pose in msg.poses)
    return (f'frame {index:5d}  {msg.image_width}x{msg.image_height}  people {len(msg.poses)}'
            f'  scores [{scores}]  latency {latency_ms:6.1f} ms')


def fit_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return ``frame`` letterboxed (scaled, centred, black bands) to ``width`` x ``height``.

    A video holds frames of one size only (OpenCV's writer drops the others), while an image
    folder may mix sizes.

    Args:
        frame: ``[H, W, 3]`` uint8 BGR frame.
        width: Target width in pixels.
        height: Target height in pixels.

    Returns:
        ``frame`` itself when it already has the size, else a new ``[height, width, 3]`` array.
    """
    frame_height, frame_width = frame.shape[:2]
    if (frame_width, frame_height) == (width, height):
        return frame
    scale = min(width / frame_width, height / frame_height)
    scaled_width = min(width, max(1, round(frame_width * scale)))
    scaled_height = min(height, max(1, round(frame_height * scale)))
    canvas = np.zeros((height, width, 3), np.uint8)
    top, left = (height - scaled_height) // 2, (width - scaled_width) // 2
    canvas[top:top + scaled_height, left:left + scaled_width] = cv2.resize(
        frame, (scaled_width, scaled_height), interpolation=cv2.INTER_AREA)
    return canvas


def write_outputs(results: list[tuple[int, np.ndarray, PoseArray, float]], output_dir: Path,
                  fps: float, min_keypoint_score: float) -> Path:
    """Write the annotated video (and the last annotated frame as PNG) of the results.

    Args:
        results: ``(frame index, BGR frame, PoseArray, latency ms)`` per processed frame, in
            any order; frames of another size than the first are letterboxed to it.
        output_dir: Folder of ``annotated.mp4`` and ``annotated_last.png`` (created).
        fps: Frame rate of the video.
        min_keypoint_score: Keypoints drawn need at least this score.

    Returns:
        The video path.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    video_path = output_dir / 'annotated.mp4'
    writer = None
    annotated = None
    for _, frame, msg, _ in sorted(results, key=lambda result: result[0]):
        annotated = frame.copy()
        draw_poses(annotated, pose_array_to_poses(msg), min_keypoint_score)
        if writer is None:
            height, width = annotated.shape[:2]
            writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*'mp4v'),
                                     fps, (width, height))
        writer.write(fit_frame(annotated, width, height))
    if writer is not None:
        writer.release()
    if annotated is not None:
        cv2.imwrite(str(output_dir / 'annotated_last.png'), annotated)
    return video_path


def run(args: argparse.Namespace) -> int:
    """Run the demo; return the process exit code."""
    resize = (args.width, args.height) if args.width > 0 and args.height > 0 else None
    source = FrameSource(args.source, resize=resize, max_frames=args.max_frames)
    fps = args.fps or source.fps()
    node_process = None
    print(f'transport: {use_large_frame_profile()}', flush=True)
    if not args.no_node:
        command = node_command(args.params_file, args.param)
        print(f'starting: {" ".join(command)}', flush=True)
        node_process = NodeProcess(command, capture=False)
    rclpy.init()
    client = DemoClient()
    published = 0
    try:
        _wait_for_node(client, node_process)
        print(f'publishing {source.describe()} at {fps:.1f} fps', flush=True)
        reported = 0
        next_time = time.monotonic()
        for index, frame in enumerate(source.frames()):
            client.publish_frame(index, frame)
            published += 1
            next_time += 1.0 / fps
            _spin_for(client, max(0.0, next_time - time.monotonic()))
            for result in client.results[reported:]:
                print(_summary_line(result[0], result[2], result[3]), flush=True)
            reported = len(client.results)
        _spin_for(client, 2.0)
        for result in client.results[reported:]:
            print(_summary_line(result[0], result[2], result[3]), flush=True)
    except (FrameSourceError, RuntimeError) as error:
        print(f'posenet_demo: {error}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
    finally:
        client.destroy_node()
        rclpy.try_shutdown()
        if node_process is not None:
            node_process.stop()
    results = client.results
    if not results:
        print(f'posenet_demo: published {published} frames, received no PoseArray',
              file=sys.stderr)
        return 1
    video_path = write_outputs(results, Path(args.output_dir), fps, args.min_keypoint_score)
    latencies = [result[3] for result in results]
    people = [len(result[2].poses) for result in results]
    print(f'published {published} frames, {len(results)} processed, '
          f'{published - len(results)} dropped by the node; '
          f'latency median {statistics.median(latencies):.1f} ms; '
          f'people per frame: mean {statistics.fmean(people):.2f}, max {max(people)}')
    print(f'annotated video: {video_path}')
    return 0


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point of ``posenet_demo``."""
    sys.exit(run(_parse_args(argv)))


if __name__ == '__main__':
    main()
