#!/usr/bin/env bash
# The `ros2` command, launch and launch_ros for a venv made of ROS 2 wheels (they have no wheel):
# builds them once per machine, distro and venv with ../shared/ros-env/build_ros2_tools.sh into
# the user cache and prints the overlay prefix to source. Prints nothing (exit 0) when that
# script is not there: everything else works without the overlay, a real ROS install brings
# its own tools. Usage: devtools/ros2_tools.sh VENV DISTRO
set -eo pipefail
venv=$(cd "$1" && pwd); distro=$2
here=$(cd "$(dirname "$0")" && pwd)
builder=${ROS2_TOOLS_BUILDER:-$here/../../shared/ros-env/build_ros2_tools.sh}
[ -f "$builder" ] || exit 0
sources=$(dirname "$builder")/src
key=$( { cat "$builder" "$sources"/*.tar.gz 2>/dev/null; echo "$venv"; } | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ros2_posenet/ros2-tools
prefix=$cache/$distro-$key
if [ ! -f "$prefix/.complete" ]; then
  echo "== building the ros2 command, launch and launch_ros for $distro (once, ~3 min): $prefix" >&2
  # built in place (its setup files name their folder); .complete marks a finished build, so
  # an interrupted one is started afresh
  rm -rf "$prefix"
  mkdir -p "$cache"
  bash "$builder" "$venv" "$prefix" >&2
  touch "$prefix/.complete"
fi
echo "$prefix"
