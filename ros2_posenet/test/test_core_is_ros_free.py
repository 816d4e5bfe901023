"""The engine package never imports ROS: checked on the source and in a fresh interpreter."""

import ast
from pathlib import Path
import subprocess
import sys

import ros2_posenet.posenet as core

CORE_DIR = Path(core.__file__).parent
ROS_MODULES = ('rclpy', 'rosidl_runtime_py', 'sensor_msgs', 'std_msgs', 'geometry_msgs',
               'visualization_msgs', 'diagnostic_msgs', 'ros2_posenet_msgs')


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


def test_no_core_module_imports_ros():
    modules = sorted(CORE_DIR.rglob('*.py'))
    assert len(modules) > 10
    for path in modules:
        assert not _imported_modules(path) & set(ROS_MODULES), path


def test_importing_every_core_module_loads_no_ros_package():
    names = ['.'.join(('ros2_posenet', 'posenet')
                      + path.relative_to(CORE_DIR).with_suffix('').parts).removesuffix('.__init__')
             for path in sorted(CORE_DIR.rglob('*.py'))]
    assert len(names) > 25
    code = (f'import importlib, sys\n'
            f'for name in {names!r}: importlib.import_module(name)\n'
            f'loaded = sorted(m for m in sys.modules if m.split(".")[0] in {ROS_MODULES!r})\n'
            f'print(",".join(loaded))\n')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ''


def test_public_api_is_complete():
    for name in core.__all__:
        assert hasattr(core, name), name
