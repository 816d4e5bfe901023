"""Starting the installed posenet node from the tools, and the DDS profile they run it with."""

import os
from pathlib import Path

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
