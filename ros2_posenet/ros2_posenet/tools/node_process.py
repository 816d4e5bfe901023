"""Starting the installed posenet node from the tools and tests, and the DDS profile they use.

``NodeProcess`` is the one way a tool (``posenet_demo``, ``posenet_benchmark_node``) or a test
starts, interrupts (Ctrl-C) and, if it must, kills ``posenet_node``.
"""

from collections.abc import Mapping, Sequence
import os
from pathlib import Path
import re
import signal
import subprocess
import threading
import time

from ament_index_python.packages import get_package_prefix, get_package_share_directory

PACKAGE = 'ros2_posenet'
PROFILE_VARIABLES = ('FASTRTPS_DEFAULT_PROFILES_FILE', 'FASTDDS_DEFAULT_PROFILES_FILE')


def share_file(*parts: str) -> Path:
    """Return a file installed in the package's share directory (config, launch, rviz)."""
    return Path(get_package_share_directory(PACKAGE)).joinpath(*parts)


def node_command(params_file: str | None, overrides: list[str]) -> list[str]:
    """Return the command line of ``posenet_node`` from the install space.

    Args:
        params_file: Parameters YAML; None for the installed ``config/posenet.yaml``.
        overrides: ``NAME:=VALUE`` parameter overrides, applied after the file.
    """
    executable = Path(get_package_prefix(PACKAGE)) / 'lib' / PACKAGE / 'posenet_node'
    command = [str(executable), '--ros-args', '--params-file',
               params_file or str(share_file('config', 'posenet.yaml'))]
    for override in overrides:
        command += ['-p', override]
    return command


def use_large_frame_profile() -> str:
    """Point Fast DDS (this process and children started later) at the large-frame profile.

    A profile the user already set, or another RMW, is left alone.

    Returns:
        A one-line description of the DDS transport in use, for reports.
    """
    configured = [os.environ[name] for name in PROFILE_VARIABLES if os.environ.get(name)]
    if configured:
        return f'DDS profile {configured[0]} (already set)'
    rmw = os.environ.get('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp')
    if rmw != 'rmw_fastrtps_cpp':
        return f'DDS transport of {rmw} as configured'
    profile = share_file('config', 'fastdds_large_frames.xml')
    for name in PROFILE_VARIABLES:
        os.environ[name] = str(profile)
    return f'Fast DDS shared memory, 16 MB segments ({profile})'


class NodeProcess:
    """A node in a child process (its own session), Ctrl-C'd on ``stop``.

    With ``capture`` its merged stdout and stderr are collected (``output``); without, the
    node prints to this process's terminal.
    """

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None,
                 capture: bool = True) -> None:
        """Start ``command`` (e.g. ``node_command(...)``) with ``env`` (default: ours)."""
        self.command = list(command)
        self._lines: list[str] = []
        self.process = subprocess.Popen(
            self.command, env=dict(os.environ if env is None else env),
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None, text=True, start_new_session=True)
        self._reader: threading.Thread | None = None
        if capture:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        """Everything the node printed so far (empty without ``capture``)."""
        return ''.join(self._lines)

    def running(self) -> bool:
        """Return whether the process has not exited."""
        return self.process.poll() is None

    def wait_for_output(self, pattern: str, timeout: float = 20.0) -> re.Match | None:
        """Wait until the output matches ``pattern`` (regex); return the match or ``None``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output)
            if match or self.process.poll() is not None:
                return match or re.search(pattern, self.output)
            time.sleep(0.05)
        return None

    def interrupt(self, timeout: float = 10.0) -> tuple[int | None, float]:
        """Send SIGINT (Ctrl-C); return (exit code or None on timeout, seconds to exit)."""
        start = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code: int | None = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        elapsed = time.monotonic() - start
        if self._reader is not None:
            self._reader.join(timeout=2.0)
        return code, elapsed

    def stop(self, timeout: float = 10.0) -> int | None:
        """Interrupt the node; kill it if it does not exit in ``timeout``; return its code."""
        code, _ = self.interrupt(timeout)
        if code is None:
            self.process.kill()
            code = self.process.wait(timeout=5)
        return code
