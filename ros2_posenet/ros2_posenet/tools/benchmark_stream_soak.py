"""posenet_benchmark_stream_soak: run posenet_stream for a long time and print its memory.

Starts ``posenet_stream SOURCE --loop --websocket PORT --osc 127.0.0.1:PORT`` (a video played at
its frame rate, by default ``$POSENET_DATA_DIR/video/Dance.mp4``) in a child process, with an OSC
receiver draining the datagrams and a WebSocket client that disconnects and reconnects every
``--reconnect-period`` seconds, for ``--duration`` seconds (default 10 minutes). Every
``--sample-period`` it prints the stream's resident memory (``VmRSS``) and what the client and
the receiver got; at the end the growth of RSS after the warm-up (first reconnect period).

A script that prints figures, not a test: there is no threshold. ROS-free; Linux (``/proc``).

Usage: posenet_benchmark_stream_soak --duration 120
"""

import argparse
from collections.abc import Sequence
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import connect

from ros2_posenet.posenet import data_dir

PAGE_LINE = re.compile(r'live page on http://[^:]+:(\d+)/')
FAST_MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'


def rss_mb(pid: int) -> float:
    """Return the resident set size of process ``pid`` in MiB (0 when it is gone)."""
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class OscSink:
    """A UDP socket on 127.0.0.1 counting the datagrams it drains."""

    def __init__(self) -> None:
        """Bind a free port and drain it in a thread."""
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(('127.0.0.1', 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.datagrams = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                self.socket.recv(65536)
            except (socket.timeout, OSError):
                continue
            self.datagrams += 1

    def close(self) -> None:
        """Stop draining."""
        self._stop.set()
        self._thread.join(2.0)
        self.socket.close()


class ReconnectingClient:
    """A WebSocket client reading every message, reconnecting every ``period_s`` seconds."""

    def __init__(self, port: int, period_s: float) -> None:
        """Start the client thread."""
        self.port, self.period_s = port, period_s
        self.messages = 0
        self.connections = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with connect(f'ws://127.0.0.1:{self.port}/', close_timeout=1.0) as websocket:
                    self.connections += 1
                    until = time.monotonic() + self.period_s
                    while not self._stop.is_set() and time.monotonic() < until:
                        try:
                            websocket.recv(timeout=0.5)
                        except TimeoutError:
                            continue
                        self.messages += 1
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                self.failures += 1
                self._stop.wait(1.0)

    def close(self) -> None:
        """Stop the client."""
        self._stop.set()
        self._thread.join(5.0)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog='posenet_benchmark_stream_soak', description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--source', default=str(data_dir() / 'video' / 'Dance.mp4'))
    parser.add_argument('--model', default=FAST_MODEL)
    parser.add_argument('--duration', type=float, default=600.0, help='seconds')
    parser.add_argument('--reconnect-period', type=float, default=30.0, help='seconds')
    parser.add_argument('--sample-period', type=float, default=10.0, help='seconds')
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak; return 0, or 1 when the stream died or never started."""
    args = build_parser().parse_args(argv)
    sink = OscSink()
    command = [sys.executable, '-m', 'ros2_posenet.tools.stream', args.source, '--loop',
               '--websocket', '0', '--osc', f'127.0.0.1:{sink.port}', '--model', args.model,
               '--status-period', '0']
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=dict(os.environ, PYTHONUNBUFFERED='1'))
    assert process.stdout is not None
    port = None
    for line in process.stdout:
        match = PAGE_LINE.search(line)
        if match:
            port = int(match.group(1))
            break
    if port is None:
        print(f'posenet_stream did not start: {process.wait()}', file=sys.stderr)
        sink.close()
        return 1
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep it drained
    client = ReconnectingClient(port, args.reconnect_period)
    start = time.monotonic()
    baseline = None
    peak = 0.0
    print(f'soak: {args.source}, {args.duration:.0f} s, client reconnecting every '
          f'{args.reconnect_period:.0f} s, stream pid {process.pid}', flush=True)
    print('    t_s   rss_mb  growth_mb  ws_msgs  ws_conns  osc_datagrams', flush=True)
    try:
        while time.monotonic() - start < args.duration and process.poll() is None:
            time.sleep(min(args.sample_period, max(0.0, args.duration -
                                                   (time.monotonic() - start))))
            elapsed = time.monotonic() - start
            rss = rss_mb(process.pid)
            peak = max(peak, rss)
            if baseline is None and elapsed >= min(args.reconnect_period, args.duration / 2):
                baseline = rss
            growth = rss - baseline if baseline is not None else 0.0
            print(f'{elapsed:7.0f}  {rss:7.1f}  {growth:9.1f}  {client.messages:7d}  '
                  f'{client.connections:8d}  {sink.datagrams:13d}', flush=True)
    finally:
        end_rss = rss_mb(process.pid)
        died = process.poll() is not None
        client.close()
        if not died:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.close()
    elapsed = time.monotonic() - start
    if baseline is not None:
        growth = end_rss - baseline
        hours = max(elapsed - args.reconnect_period, 1.0) / 3600.0
        print(f'rss after warm-up {baseline:.1f} MiB, at the end {end_rss:.1f} MiB, peak '
              f'{peak:.1f} MiB: growth {growth:+.1f} MiB ({growth / hours:+.1f} MiB/h)')
    print(f'client: {client.messages} messages over {client.connections} connections '
          f'({client.messages / max(elapsed, 1e-6):.1f}/s), {client.failures} failures; '
          f'OSC: {sink.datagrams} datagrams; stream exit {process.returncode}'
          f'{" (died during the soak)" if died else ""}')
    return 1 if died else 0


if __name__ == '__main__':
    sys.exit(main())
