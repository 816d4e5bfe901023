"""posenet_benchmark_soak: the installed node under many frames, bad frames and transitions.

Starts ``posenet_node`` (reliable image input, the large-frame DDS profile) and publishes
``--frames`` frames (default 10,000) at ``--fps`` (30) from a video, with every output subscribed
(poses, markers, annotated image, diagnostics). Every ``--bad-every`` frame is a bad one
(rotating: an unknown encoding, truncated data, a huge claimed size, a zero-size image), and
every ``--cycle-every`` frames the node is deactivated and activated again through its
lifecycle service. It prints the node's RSS, thread and file-descriptor counts at the start
and at the end (and their growth), the processed / dropped / failed counts of its
diagnostics, answers received, and how long Ctrl-C takes to end it.

Usage: posenet_benchmark_soak [--frames 10000] [--fps 30] [--video FILE]
"""

import argparse
from collections.abc import Sequence
import os
from pathlib import Path
import sys
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import Image
from visualization_msgs.msg import MarkerArray

from ros2_posenet import diagnostics
from ros2_posenet.image_messages import array_to_image_msg
from ros2_posenet.posenet import data_dir
from ros2_posenet.tools.node_process import node_command, NodeProcess, use_large_frame_profile

RELIABLE = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
COUNTERS = (diagnostics.KEY_RECEIVED, diagnostics.KEY_PROCESSED, diagnostics.KEY_DROPPED,
            diagnostics.KEY_FAILED)
"""Node counters summed over activations (they restart at each activation)."""


def process_facts(pid: int) -> dict[str, float]:
    """Return RSS (MB), threads and open file descriptors of a process from /proc."""
    facts = {'rss_mb': 0.0, 'threads': 0.0, 'fds': 0.0}
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            facts['rss_mb'] = int(line.split()[1]) / 1024
        elif line.startswith('Threads:'):
            facts['threads'] = float(line.split()[1])
    facts['fds'] = float(len(os.listdir(f'/proc/{pid}/fd')))
    return facts


def bad_frame(kind: int, index: int) -> Image:
    """Return one of four malformed images, stamped ``index``."""
    msg = Image(height=480, width=640, encoding='bgr8', step=1920)
    msg.header.stamp.sec = index
    if kind == 0:
        msg.encoding = 'no_such_encoding_' * 8
        msg.data = bytes(1920 * 480)
    elif kind == 1:
        msg.data = bytes(1000)  # truncated
    elif kind == 2:
        msg.width, msg.height, msg.step = 30000, 30000, 90000  # claims 900 MP
        msg.data = bytes(10)
    else:
        msg.width = msg.height = 0
    return msg


class SoakClient:
    """Publishes frames, subscribes every output, drives the lifecycle."""

    def __init__(self) -> None:
        """Create the node, its publishers, subscriptions and service client."""
        self.node = rclpy.create_node('posenet_soak_client')
        self.executor = SingleThreadedExecutor()
        self.executor.add_node(self.node)
        self.images = self.node.create_publisher(Image, 'image', RELIABLE)
        self.answers = 0
        self.diagnostics: dict[str, str] = {}
        self.node.create_subscription(PoseArray, 'poses', self._on_poses, RELIABLE)
        self.node.create_subscription(MarkerArray, 'markers', lambda msg: None, RELIABLE)
        self.node.create_subscription(Image, 'image_annotated', lambda msg: None, 1)
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 10)
        self.lifecycle = self.node.create_client(ChangeState, '/posenet/change_state')

    def _on_poses(self, msg: PoseArray) -> None:
        self.answers += 1

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.name.startswith('posenet'):
                self.diagnostics = {kv.key: kv.value for kv in status.values}

    def spin_for(self, seconds: float) -> None:
        """Run callbacks for ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.executor.spin_once(timeout_sec=min(left, 0.01))

    def transition(self, transition_id: int) -> bool:
        """Request a lifecycle transition; return whether it succeeded."""
        request = ChangeState.Request()
        request.transition = Transition(id=transition_id)
        future = self.lifecycle.call_async(request)
        deadline = time.monotonic() + 10.0
        while not future.done() and time.monotonic() < deadline:
            self.executor.spin_once(timeout_sec=0.01)
        return bool(future.done() and future.result().success)


def _add(totals: dict[str, int], values: dict[str, str]) -> None:
    for key in totals:
        try:
            totals[key] += int(values.get(key, 0))
        except ValueError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--frames', type=int, default=10000)
    parser.add_argument('--fps', type=float, default=30.0)
    parser.add_argument('--video', type=Path, default=None)
    parser.add_argument('--bad-every', type=int, default=50)
    parser.add_argument('--cycle-every', type=int, default=1000)
    parser.add_argument('-p', dest='param', action='append', default=[], metavar='NAME:=VALUE')
    args = parser.parse_args(argv)
    capture = cv2.VideoCapture(str(args.video or data_dir() / 'video' / 'Dance.mp4'))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    if not frames:
        print('posenet_benchmark_soak: no frames in the video', file=sys.stderr)
        return 1
    print(f'transport: {use_large_frame_profile()}', flush=True)
    node = NodeProcess(node_command(None, ['image_qos_reliability:=reliable', *args.param]))
    rclpy.init()
    client = SoakClient()
    try:
        deadline = time.monotonic() + 60.0
        while client.images.get_subscription_count() == 0:
            if time.monotonic() > deadline or not node.running():
                print(f'posenet_benchmark_soak: the node did not come up\n{node.output}',
                      file=sys.stderr)
                return 1
            client.spin_for(0.1)
        client.spin_for(2.0)
        start_facts = process_facts(node.process.pid)
        print(f'start: RSS {start_facts["rss_mb"]:.1f} MB, {start_facts["threads"]:.0f} '
              f'threads, {start_facts["fds"]:.0f} fds', flush=True)
        period = 1.0 / args.fps
        next_time = time.monotonic()
        cycles = cycle_failures = bad = 0
        totals = dict.fromkeys(COUNTERS, 0)
        began = time.monotonic()
        for index in range(args.frames):
            if args.bad_every and index % args.bad_every == args.bad_every - 1:
                client.images.publish(bad_frame(bad % 4, index))
                bad += 1
            else:
                msg = array_to_image_msg(frames[index % len(frames)], Image().header)
                msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(
                    int(index * period * 1e9), 1_000_000_000)
                msg.header.frame_id = 'camera_optical_frame'
                client.images.publish(msg)
            if args.cycle_every and index % args.cycle_every == args.cycle_every - 1:
                client.spin_for(1.5)  # the counters of this activation, then cycle
                _add(totals, client.diagnostics)
                client.diagnostics = {}
                ok = (client.transition(Transition.TRANSITION_DEACTIVATE)
                      and client.transition(Transition.TRANSITION_ACTIVATE))
                cycles += 1
                cycle_failures += int(not ok)
            next_time += period
            client.spin_for(max(0.0, next_time - time.monotonic()))
            if index % 1000 == 999:
                facts = process_facts(node.process.pid)
                print(f'{index + 1} frames, {time.monotonic() - began:.0f} s: RSS '
                      f'{facts["rss_mb"]:.1f} MB, {facts["threads"]:.0f} threads, '
                      f'{facts["fds"]:.0f} fds, {client.answers} answers', flush=True)
        client.spin_for(3.0)
        _add(totals, client.diagnostics)
        end = process_facts(node.process.pid)
        growth = {key: end[key] - start_facts[key] for key in end}
        print(f'end: RSS {end["rss_mb"]:.1f} MB ({growth["rss_mb"]:+.1f}), '
              f'{end["threads"]:.0f} threads ({growth["threads"]:+.0f}), '
              f'{end["fds"]:.0f} fds ({growth["fds"]:+.0f})')
        print(f'published {args.frames} frames ({bad} bad) at {args.fps:.0f} fps in '
              f'{time.monotonic() - began:.0f} s; {cycles} deactivate/activate cycles '
              f'({cycle_failures} failed); answers {client.answers}; node counters summed '
              f'over activations: ' + ', '.join(f'{key} {value}'
                                                for key, value in totals.items()))
    finally:
        client.node.destroy_node()
        rclpy.try_shutdown()
        code, seconds = node.interrupt(timeout=20.0)
        if code is None:
            node.stop()
        print(f'SIGINT: exit code {code} after {seconds:.2f} s')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
