"""posenet_benchmark_node: end-to-end latency of the posenet node against the bare model.

1. Measures the bare ``invoke()`` median of the model in this process (``PoseEngine``, the same
   frames, nothing else running).
2. Starts ``posenet_node`` from the install space (or uses a running one with ``--no-node``),
   publishes real frames (``video/Dance.mp4`` resized to 640x480) at 30 fps as bgr8 Images,
   remembers the publish time of every stamp and receives the ``PoseArray`` answers (the node
   copies the stamp), giving the end-to-end latency publish -> PoseArray received.
3. Prints median and p95 latency, the ratio to the bare invoke median, processed / unanswered
   frames, the node's own counters from ``/diagnostics`` (dropped in its one-slot mailbox, lost
   in transport), and the staleness check: the longest time a processed frame waited in the
   node's mailbox (the node measures it from reception to the worker taking it; with only the
   newest frame kept it cannot exceed the time the worker spent on the previous frame), and
   that answers come back in publishing order (an older frame is never processed after a
   newer one).

Transport: Fast DDS sends a 640x480 bgr8 frame (900 KB) through its default 512 KB shared
memory segments in fragments; best-effort frames then get lost and reliable ones take ~20 ms
on a 2-core machine. By default (``--transport large-shm``) this tool points itself and the
node at the installed Fast DDS profile ``config/fastdds_large_frames.xml`` (16 MB shared-memory
segments, UDP for discovery) through ``FASTRTPS_DEFAULT_PROFILES_FILE``,
keeping the node's default best-effort QoS; ``--transport default`` leaves DDS as configured
(use ``--reliability reliable`` then). The same profile suits real same-host camera pipelines.

Usage: posenet_benchmark_node [--frames 300] [--fps 30] [--model NAME] [--no-node]
"""

import argparse
from dataclasses import dataclass
from pathlib import Path
import statistics
import sys
import threading
import time

import numpy as np
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy

from ros2_posenet import diagnostics
from ros2_posenet.posenet import data_dir, DEFAULT_MODEL, EngineConfig, PoseEngine
from ros2_posenet.tools.frame_source import FrameSource, FrameSourceError
from ros2_posenet.tools.node_process import (node_command, NodeProcess,
                                             use_large_frame_profile)

FRAME_ID = 'camera_color_optical_frame'
LATENCY_BUDGET = 1.25
"""Target: median end-to-end latency <= this times the bare invoke median."""
WARMUP_FRAMES = 10
NODE_READY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BareTimings:
    """In-process engine medians in milliseconds."""

    invoke_ms: float
    total_ms: float
    model: str
    input_size: str


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--video', default=str(data_dir() / 'video' / 'Dance.mp4'))
    parser.add_argument('--width', type=int, default=640)
    parser.add_argument('--height', type=int, default=480)
    parser.add_argument('--fps', type=float, default=30.0, help='publish rate (Hz)')
    parser.add_argument('--frames', type=int, default=300,
                        help='frames to publish (the video loops)')
    parser.add_argument('--invoke-frames', type=int, default=100,
                        help='frames for the in-process invoke median')
    parser.add_argument('--model', default=DEFAULT_MODEL, help='model_path of the node')
    parser.add_argument('--num-threads', type=int, default=2)
    parser.add_argument('--reliability', choices=('reliable', 'best_effort'),
                        default='best_effort', help='image_qos_reliability of the node')
    parser.add_argument('--transport', choices=('large-shm', 'default'), default='large-shm',
                        help='large-shm: the installed config/fastdds_large_frames.xml '
                             '(unless a profile file is already set); default: as is')
    parser.add_argument('--params-file', help='node parameters (default: installed one)')
    parser.add_argument('--param', '-p', action='append', default=[], metavar='NAME:=VALUE',
                        help='extra node parameter, repeatable')
    parser.add_argument('--no-node', action='store_true',
                        help='use a running posenet node instead of starting one')
    return parser.parse_args(argv)


def _load_frames(args: argparse.Namespace) -> list[np.ndarray]:
    source = FrameSource(args.video, resize=(args.width, args.height),
                         max_frames=args.frames, loop=True)
    return list(source.frames())


def _bare_timings(args: argparse.Namespace, frames: list[np.ndarray]) -> BareTimings:
    from ros2_posenet.node_config import NodeConfig
    options = NodeConfig().decode_options
    config = EngineConfig(model_path=args.model, num_threads=args.num_threads)
    with PoseEngine(config) as engine:
        info = engine.model_info
        for frame in frames[:5]:
            engine.estimate(frame, 'bgr', options)
        results = [engine.estimate(frame, 'bgr', options).timings
                   for frame in frames[:args.invoke_frames]]
    return BareTimings(
        invoke_ms=statistics.median(t.invoke_ms for t in results),
        total_ms=statistics.median(t.total_ms for t in results),
        model=Path(info.path).name, input_size=f'{info.input_height}x{info.input_width}')


class LatencyProbe:
    """Publishes frames, records publish and answer times per stamp, keeps node diagnostics."""

    def __init__(self) -> None:
        """Create the client node, its publisher and subscriptions, and spin it in a thread."""
        from diagnostic_msgs.msg import DiagnosticArray
        from ros2_posenet_msgs.msg import PoseArray
        from sensor_msgs.msg import Image
        self._image_type = Image
        self.node = rclpy.create_node('posenet_benchmark_node')
        self.publisher = self.node.create_publisher(
            Image, 'image', QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE))
        self.poses_subscription = self.node.create_subscription(
            PoseArray, 'poses', self._on_poses,
            QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE))
        self.node.create_subscription(DiagnosticArray, '/diagnostics', self._on_diagnostics, 10)
        self.published: dict[tuple[int, int], float] = {}
        self.answers: list[tuple[tuple[int, int], float]] = []  # (stamp, received time s)
        self.diagnostics: dict[str, str] = {}
        self._executor = SingleThreadedExecutor()
        self._executor.add_node(self.node)
        self._spinner = threading.Thread(target=self._executor.spin, daemon=True)
        self._spinner.start()

    def _on_poses(self, msg) -> None:
        self.answers.append(((msg.header.stamp.sec, msg.header.stamp.nanosec), time.monotonic()))

    def _on_diagnostics(self, msg) -> None:
        for status in msg.status:
            if status.name.startswith('posenet'):
                self.diagnostics = {kv.key: kv.value for kv in status.values}

    def make_image(self, frame: np.ndarray):
        """Return a bgr8 Image holding ``frame`` (header filled at publish time)."""
        image = self._image_type()
        image.height, image.width = frame.shape[:2]
        image.encoding = 'bgr8'
        image.step = frame.shape[1] * 3
        image.header.frame_id = FRAME_ID
        image.data.frombytes(np.ascontiguousarray(frame))
        return image

    def publish(self, image, index: int) -> tuple[int, int]:
        """Stamp ``image`` with a unique stamp, publish it, remember when."""
        stamp = (1_000_000 + index, 0)
        image.header.stamp.sec, image.header.stamp.nanosec = stamp
        self.published[stamp] = time.monotonic()
        self.publisher.publish(image)
        return stamp

    def close(self) -> None:
        """Stop spinning and destroy the node."""
        self._executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()


def _wait_ready(probe: LatencyProbe, image, node_process: NodeProcess | None) -> None:
    deadline = time.monotonic() + NODE_READY_TIMEOUT_S
    while (probe.publisher.get_subscription_count() == 0
           or probe.poses_subscription.get_publisher_count() == 0):
        if node_process is not None and not node_process.running():
            raise RuntimeError(f'posenet_node exited with code {node_process.process.returncode}'
                               f': {node_process.output[-2000:]}')
        if time.monotonic() > deadline:
            raise RuntimeError('posenet node not found: is it running and active?')
        time.sleep(0.1)
    # One answered frame proves the whole path (and warms it up).
    stamp = probe.publish(image, -1)
    while stamp not in {answer[0] for answer in probe.answers}:
        if time.monotonic() > deadline:
            raise RuntimeError('the node does not answer frames')
        time.sleep(0.2)
        stamp = probe.publish(image, -1)


def _in_order(probe: LatencyProbe, stamps: list[tuple[int, int]]) -> bool:
    """Return whether the answers to ``stamps`` arrived in publishing order."""
    order = {stamp: index for index, stamp in enumerate(stamps)}
    indices = [order[stamp] for stamp, _ in probe.answers if stamp in order]
    return all(first < second for first, second in zip(indices, indices[1:]))


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; return the exit code."""
    try:
        frames = _load_frames(args)
    except FrameSourceError as error:
        print(f'posenet_benchmark_node: {error}', file=sys.stderr)
        return 1
    bare = _bare_timings(args, frames)
    transport = (use_large_frame_profile() if args.transport == 'large-shm'
                 else 'DDS transport as configured')
    print(f'model {bare.model} ({bare.input_size}), cpu, {args.num_threads} threads')
    print(f'bare engine in-process ({min(len(frames), args.invoke_frames)} frames): invoke '
          f'median {bare.invoke_ms:.2f} ms, estimate() median {bare.total_ms:.2f} ms')
    print(f'transport: {transport}', flush=True)
    node_process = None
    if not args.no_node:
        overrides = [f'model_path:={args.model}', f'num_threads:={args.num_threads}',
                     f'image_qos_reliability:={args.reliability}', *args.param]
        node_process = NodeProcess(node_command(args.params_file, overrides))
    rclpy.init()
    probe = LatencyProbe()
    try:
        images = [probe.make_image(frame) for frame in frames]
        _wait_ready(probe, images[0], node_process)
        period = 1.0 / args.fps
        stamps = []
        next_time = time.monotonic()
        for index, image in enumerate(images):
            delay = next_time - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stamps.append(probe.publish(image, index))
            next_time += period
        time.sleep(1.0)
    except (RuntimeError, KeyboardInterrupt) as error:
        print(f'posenet_benchmark_node: {error}', file=sys.stderr)
        return 1
    finally:
        probe.close()
        rclpy.try_shutdown()
        if node_process is not None and node_process.stop() != 0:
            print(node_process.output, file=sys.stderr)
    _report(args, bare, probe, stamps)
    return 0


def _report(args: argparse.Namespace, bare: BareTimings, probe: LatencyProbe,
            stamps: list[tuple[int, int]]) -> None:
    measured = set(stamps[WARMUP_FRAMES:])
    latencies = sorted((received - probe.published[stamp]) * 1e3
                       for stamp, received in probe.answers if stamp in measured)
    answered = {stamp for stamp, _ in probe.answers} & set(stamps)
    print(f'end to end, {len(stamps)} frames {args.width}x{args.height} bgr8 at {args.fps:g} fps '
          f'({args.reliability}): {len(answered)} processed, {len(stamps) - len(answered)} '
          'not answered')
    node = probe.diagnostics
    print(f'node counters: dropped (mailbox) {node.get(diagnostics.KEY_DROPPED, "?")}, lost in '
          f'transport {node.get(diagnostics.KEY_LOST, "?")}, failed '
          f'{node.get(diagnostics.KEY_FAILED, "?")}; medians over its last 5 s: reception -> '
          f'publication {node.get(diagnostics.KEY_LATENCY, "?")} ms, worker '
          f'{node.get(diagnostics.KEY_PROCESSING, "?")} ms, invoke '
          f'{node.get(diagnostics.KEY_INVOKE, "?")} ms')
    if not latencies:
        print('no answers to measure')
        return
    median = statistics.median(latencies)
    p95 = float(np.percentile(latencies, 95))
    ratio = median / bare.invoke_ms
    verdict = 'met' if ratio <= LATENCY_BUDGET else 'NOT met'
    print(f'latency publish -> PoseArray (after {WARMUP_FRAMES} warm-up frames): median '
          f'{median:.2f} ms, p95 {p95:.2f} ms, max {latencies[-1]:.2f} ms')
    print(f'median / bare invoke median = {ratio:.2f} (budget {LATENCY_BUDGET}: {verdict})')
    try:
        node_invoke = float(node[diagnostics.KEY_INVOKE])
        node_latency = float(node[diagnostics.KEY_LATENCY])
    except (KeyError, ValueError):
        pass
    else:
        # The node's own invoke median ran under the same CPU load as the measured frames.
        print(f'against the invoke median inside the node ({node_invoke:.2f} ms, same load): '
              f'end to end {median / node_invoke:.2f}, reception -> publication '
              f'{node_latency / node_invoke:.2f}')
    print(f'staleness: longest wait of a processed frame in the node mailbox '
          f'{node.get(diagnostics.KEY_WAIT_MAX, "?")} ms (worker median '
          f'{node.get(diagnostics.KEY_PROCESSING, "?")} ms, frame period '
          f'{1e3 / args.fps:.1f} ms); '
          f'answers in publishing order: {"yes" if _in_order(probe, stamps) else "NO"}')


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point of ``posenet_benchmark_node``."""
    sys.exit(run(_parse_args(argv)))


if __name__ == '__main__':
    main()
