"""posenet_stream: poses from a camera, a video or an image folder to OSC and WebSocket, no ROS.

An installation in one command::

    posenet_stream 0 --osc 127.0.0.1:12000 --websocket 8080       # camera 0
    posenet_stream show.mp4 --loop --websocket 0.0.0.0:8080        # a video, forever

Every frame goes through ``PoseEngine`` and ``PoseTracker`` (people keep their id and their OSC
slot while tracked) and out to the bridges (``ros2_posenet.bridges``): OSC datagrams in the
p5-poses-osc formats (``--osc-format individual|wekinator``) and, with ``--websocket``, the
TensorFlow.js JSON of each frame to every client plus the live page on ``http://HOST:PORT/``.
A status line is printed every second (fps, people, clients, OSC counters).

Unattended use: an OSC receiver that is not running and WebSocket clients that come and go are
counted, never fatal; a camera that cannot be opened or goes away is reopened with back-off
(0.5 s doubling to 10 s) until it is back; a video or folder ends the run when it ends, or
starts again with ``--loop`` (the tracker starts afresh). Videos and folders are played at their
frame rate (``--fast``: as fast as inference allows). Ctrl-C (or SIGTERM) stops cleanly.

Exit status: 0 after a normal end or Ctrl-C; 1 when the source holds no readable frame; 2 when
the run cannot start (bad options, a model that cannot be loaded, a port in use).

This module and what it imports never import ROS: it runs where only numpy, OpenCV, a TFLite
runtime, python-osc and websockets are installed.
"""

import argparse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
import signal
import sys
import threading
import time
from types import FrameType

import numpy as np

from ros2_posenet.bridges import BridgeError, BridgeSettings, PoseBridge
from ros2_posenet.posenet import (DecodeOptions, DEFAULT_MODEL, DELEGATES, DETECTION_MODES,
                                  EngineConfig, KEEP_ASPECT_RATIO_CHOICES, PoseArrays,
                                  PoseEngine, PoseNetError)
from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.serialization import OSC_FORMATS, OscOptions
from ros2_posenet.posenet.tracking import PoseTracker
from ros2_posenet.tools.frame_source import FrameSource, FrameSourceError

EXIT_OK, EXIT_SOURCE_FAILED, EXIT_SETUP_FAILED = 0, 1, 2
REOPEN_MIN_S = 0.5
REOPEN_MAX_S = 10.0
DEFAULT_OSC_PORT = 12000

Log = Callable[[str], None]


def parse_host_port(text: str, default_host: str, need_host: bool = False) -> tuple[str, int]:
    """Parse ``HOST:PORT`` or ``PORT`` (``[v6]:PORT`` too) into (host, port).

    Raises:
        ValueError: Not of that form, or the port outside [0, 65535].
    """
    host, separator, port_text = text.rpartition(':')
    if not separator:
        if need_host:
            raise ValueError(f'{text!r} is not HOST:PORT')
        host, port_text = default_host, text
    host = host.strip('[]') or default_host
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f'{text!r}: the port must be a number in [0, 65535]')
    return host, int(port_text)


def reopening_frames(open_frames: Callable[[], Iterator[np.ndarray]], stop: threading.Event,
                     log: Log, what: str, min_delay_s: float = REOPEN_MIN_S,
                     max_delay_s: float = REOPEN_MAX_S) -> Iterator[np.ndarray]:
    """Yield frames of a live source forever, reopening it with back-off when it fails.

    Args:
        open_frames: Opens the source and yields its frames; it may raise
            ``FrameSourceError`` (cannot open) or end (the device went away).
        stop: Ends the iteration (also during a back-off wait).
        log: Receives a line per failure and per recovery.
        what: The source's name for those lines.
        min_delay_s: First wait before reopening; doubled after each failure in a row.
        max_delay_s: Longest wait.
    """
    delay = min_delay_s
    failed = False
    while not stop.is_set():
        try:
            for frame in open_frames():
                if failed:
                    log(f'{what} is back')
                    failed = False
                delay = min_delay_s
                yield frame
                if stop.is_set():
                    return
            reason = 'stopped delivering frames'
        except FrameSourceError as error:
            reason = str(error)
        failed = True
        log(f'{what}: {reason}; reopening in {delay:.1f} s')
        if stop.wait(delay):
            return
        delay = min(max_delay_s, delay * 2.0)


class RateMeter:
    """Frames per second over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 2.0) -> None:
        """Measure over a sliding window of ``window_s`` seconds."""
        self.window_s = window_s
        self._times: list[float] = []

    def tick(self, now: float) -> None:
        """Record one frame at ``now`` (monotonic seconds)."""
        self._times.append(now)
        cutoff = now - self.window_s
        while self._times and self._times[0] < cutoff:
            self._times.pop(0)

    def rate(self, now: float) -> float:
        """Return the frames per second at ``now``."""
        times = [t for t in self._times if t >= now - self.window_s]
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(now - times[0], 1e-6)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    defaults = DecodeOptions()
    parser = argparse.ArgumentParser(
        prog='posenet_stream', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('source', help='camera index (0), video file, or folder of images')
    parser.add_argument('--osc', metavar='HOST:PORT',
                        help=f'send OSC over UDP there (PORT alone: 127.0.0.1; p5-poses-osc '
                        f'used {DEFAULT_OSC_PORT}, Wekinator listens on 6448)')
    parser.add_argument('--osc-format', choices=OSC_FORMATS, default='individual')
    parser.add_argument('--normalized', action='store_true',
                        help='OSC coordinates as x / width, y / height in [0, 1]')
    parser.add_argument('--no-osc-ids', action='store_true',
                        help='individual format: do not send /poses/<i>/id')
    parser.add_argument('--wekinator-default-address', action='store_true',
                        help='wekinator format: the person in slot 0 goes to /wek/inputs')
    parser.add_argument('--websocket', metavar='[HOST:]PORT',
                        help='serve the pose WebSocket and the live page (HOST default '
                        '127.0.0.1; 0.0.0.0 for every interface)')
    parser.add_argument('--model', default=DEFAULT_MODEL,
                        help='model file, or a name looked up in $POSENET_DATA_DIR/models')
    parser.add_argument('--mode', choices=DETECTION_MODES, default=defaults.detection_mode)
    parser.add_argument('--max-detections', type=int, default=defaults.max_detections)
    parser.add_argument('--score-threshold', type=float, default=defaults.score_threshold)
    parser.add_argument('--nms-radius', type=float, default=defaults.nms_radius)
    parser.add_argument('--min-pose-score', type=float, default=defaults.min_pose_score)
    parser.add_argument('--flip-horizontal', action='store_true',
                        help='mirror the poses left-right (mirrored webcam views)')
    parser.add_argument('--keep-aspect-ratio', choices=KEEP_ASPECT_RATIO_CHOICES, nargs='?',
                        const='true', default='auto',
                        help='true: letterbox, false: stretch, auto (default): letterbox when '
                        'the aspect ratios differ; the option alone means true')
    parser.add_argument('--delegate', choices=DELEGATES, default='cpu')
    parser.add_argument('--num-threads', type=int, default=2)
    parser.add_argument('--no-tracking', action='store_true',
                        help='no tracker: ids are 0 and slots follow the order of a frame')
    parser.add_argument('--loop', action='store_true', help='play a video or folder forever')
    parser.add_argument('--fast', action='store_true',
                        help='do not pace a video or folder at its frame rate')
    parser.add_argument('--max-frames', type=int, default=0, help='stop after N frames (0: no)')
    parser.add_argument('--status-period', type=float, default=1.0,
                        help='seconds between status lines (0: none)')
    return parser


def _settings(args: argparse.Namespace) -> BridgeSettings:
    """Return the bridge settings of the options (raises ValueError for a bad address)."""
    if not args.osc and not args.websocket:
        raise ValueError('nothing to stream to: give --osc HOST:PORT and/or --websocket PORT')
    osc_host, osc_port = (parse_host_port(args.osc, '127.0.0.1') if args.osc
                          else ('127.0.0.1', DEFAULT_OSC_PORT))
    ws_host, ws_port = (parse_host_port(args.websocket, '127.0.0.1') if args.websocket
                        else ('127.0.0.1', 0))
    return BridgeSettings(
        osc_enabled=bool(args.osc), osc_host=osc_host, osc_port=osc_port,
        osc=OscOptions(format=args.osc_format, normalized=args.normalized,
                       send_ids=not args.no_osc_ids,
                       wekinator_default_address=args.wekinator_default_address),
        websocket_enabled=bool(args.websocket), websocket_host=ws_host, websocket_port=ws_port)


def _print(line: str) -> None:
    print(f'posenet_stream: {line}', flush=True)


def _install_stop_handlers(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)


class _Passes:
    """The frames of the source, in passes: a pass ends when a video or folder ends."""

    def __init__(self, spec: str, loop: bool, stop: threading.Event, log: Log) -> None:
        self.spec, self.loop, self.stop, self.log = spec, loop, stop, log
        self.is_camera = spec.isdigit()
        if not self.is_camera and not Path(spec).exists():
            raise FrameSourceError(f'no such camera index, video, image or folder: {spec}')
        # a camera is never paced, and probing it would fail while it is unplugged
        self.fps = 30.0 if self.is_camera else FrameSource(spec).fps()

    def passes(self) -> Iterator[Iterator[np.ndarray]]:
        if self.is_camera:
            yield reopening_frames(lambda: FrameSource(self.spec).frames(), self.stop, self.log,
                                   f'camera {self.spec}')
            return
        while not self.stop.is_set():
            yield FrameSource(self.spec).frames()
            if not self.loop:
                return


def run(args: argparse.Namespace, stop: threading.Event, log: Log = _print) -> int:
    """Stream until the source ends, ``--max-frames``, or ``stop``; return the exit status."""
    try:
        settings = _settings(args)
        options = DecodeOptions(
            detection_mode=args.mode, max_detections=args.max_detections,
            score_threshold=args.score_threshold, nms_radius=args.nms_radius,
            min_pose_score=args.min_pose_score, flip_horizontal=args.flip_horizontal,
            keep_aspect_ratio=args.keep_aspect_ratio)
        source = _Passes(args.source, args.loop, stop, log)
        engine = PoseEngine(EngineConfig(model_path=args.model, delegate=args.delegate,
                                         num_threads=args.num_threads))
    except (ValueError, FrameSourceError, PoseNetError) as error:
        log(f'cannot start: {error}')
        return EXIT_SETUP_FAILED
    try:
        bridge = PoseBridge(settings, on_event=log)
    except BridgeError as error:
        engine.close()
        log(f'cannot start: {error}')
        return EXIT_SETUP_FAILED
    if bridge.websocket is not None:
        log(f'live page on {bridge.websocket.url} (WebSocket on the same port)')
    if bridge.osc is not None:
        log(f'OSC {settings.osc.format} to {bridge.osc.target}')
    try:
        return _stream(args, source, engine, bridge, options, stop, log)
    finally:
        bridge.close()
        engine.close()


def _stream(args: argparse.Namespace, source: _Passes, engine: PoseEngine, bridge: PoseBridge,
            options: DecodeOptions, stop: threading.Event, log: Log) -> int:
    tracker = None if args.no_tracking else PoseTracker()
    pace = not source.is_camera and not args.fast
    period_s = 1.0 / source.fps
    meter = RateMeter()
    frames = skipped = people = 0
    next_status = time.monotonic() + args.status_period
    for number, frames_of_pass in enumerate(source.passes()):
        if number:
            log(f'{args.source} ended; starting again (--loop)')
            if tracker is not None:
                tracker.reset()
            bridge.reset_slots()
        due = time.monotonic()
        try:
            for image in frames_of_pass:
                if stop.is_set():
                    break
                if pace:
                    due += period_s
                    late = due - time.monotonic()
                    if late > 0:
                        stop.wait(late)
                    elif late < -period_s:
                        due = time.monotonic()  # behind by more than a frame: no burst
                try:
                    people = _process(image, engine, tracker, bridge, options,
                                      frames * period_s if not source.is_camera
                                      else time.monotonic())
                except InputError as error:
                    skipped += 1
                    log(f'skipped a frame: {error}')
                    continue
                frames += 1
                now = time.monotonic()
                meter.tick(now)
                if args.status_period > 0 and now >= next_status:
                    next_status = now + args.status_period
                    log(f'{meter.rate(now):.1f} fps, {people} people, '
                        f'{bridge.status().line()}')
                if args.max_frames and frames >= args.max_frames:
                    stop.set()
        except FrameSourceError as error:
            log(f'{error}')
            return EXIT_SOURCE_FAILED
        if stop.is_set():
            break
    log(f'stopped after {frames} frames ({skipped} skipped); {bridge.status().line()}')
    return EXIT_OK


def _process(image: np.ndarray, engine: PoseEngine, tracker: PoseTracker | None,
             bridge: PoseBridge, options: DecodeOptions, stamp_s: float) -> int:
    """Estimate, track and send one frame; return the number of people."""
    result = engine.estimate(image, 'bgr', options)
    arrays: PoseArrays = result.arrays
    people = arrays.select(np.argsort(-arrays.pose_scores, kind='stable'))
    height, width = image.shape[:2]
    if tracker is None:
        bridge.publish(people, None, width, height, stamp_s, image=image)
    else:
        tracked = tracker.update(people, stamp_s)
        bridge.publish(tracked.arrays, tracked.ids, width, height, stamp_s,
                       alive_ids=[track.id for track in tracked.tracks], image=image)
    return len(people)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``posenet_stream``; return the exit status."""
    args = build_parser().parse_args(argv)
    stop = threading.Event()
    _install_stop_handlers(stop)
    try:
        return run(args, stop)
    except KeyboardInterrupt:
        _print('interrupted')
        return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
