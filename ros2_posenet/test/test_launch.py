"""The launch file and the RViz config: what they name exists in the install space.

``launch``/``launch_ros`` are not installable from PyPI, so the launch file is checked from its
source (``ast``) everywhere, and built with ``launch_ros`` only where that is importable.
"""

import ast
import importlib.util
from pathlib import Path

import pytest
import yaml

PACKAGE_DIR = Path(__file__).resolve().parents[1]
LAUNCH_FILE = PACKAGE_DIR / 'launch' / 'posenet.launch.py'
RVIZ_FILE = PACKAGE_DIR / 'rviz' / 'posenet.rviz'
EXPECTED_ARGUMENTS = {'params_file', 'namespace', 'image', 'camera_info', 'model_path',
                      'delegate', 'use_rviz', 'rviz_fixed_frame', 'large_frames', 'depth',
                      'use_depth', 'follow', 'target_policy', 'bridge'}


@pytest.fixture(scope='module')
def launch_tree() -> ast.Module:
    return ast.parse(LAUNCH_FILE.read_text(), filename=str(LAUNCH_FILE))


def _constants(tree: ast.Module) -> dict:
    constants = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                statement.targets[0], ast.Name) and statement.targets[0].id.isupper():
            constants[statement.targets[0].id] = ast.literal_eval(statement.value)
    return constants


def _calls(tree: ast.Module, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and (
        getattr(node.func, 'id', None) == name or getattr(node.func, 'attr', None) == name)]


def _install_prefix() -> Path:
    ament_index = pytest.importorskip('ament_index_python.packages')
    try:
        return Path(ament_index.get_package_prefix('ros2_posenet'))
    except ament_index.PackageNotFoundError:
        pytest.skip('ros2_posenet is not installed (make build; source install/setup.bash)')


def test_launch_file_names_installed_executable_params_and_rviz(launch_tree):
    constants = _constants(launch_tree)
    assert constants['PACKAGE'] == 'ros2_posenet'
    prefix = _install_prefix()
    share = prefix / 'share' / constants['PACKAGE']
    assert (prefix / 'lib' / constants['PACKAGE'] / constants['EXECUTABLE']).is_file()
    assert (share / Path(*constants['PARAMS_FILE'])).is_file()
    assert (share / Path(*constants['RVIZ_CONFIG'])).is_file()
    assert (share / 'launch' / LAUNCH_FILE.name).is_file()
    assert set(constants['PARAMETER_ARGUMENTS']) <= EXPECTED_ARGUMENTS


def test_launch_arguments_are_declared_with_descriptions(launch_tree):
    declared = {}
    for call in _calls(launch_tree, 'DeclareLaunchArgument'):
        keywords = {keyword.arg for keyword in call.keywords}
        declared[ast.literal_eval(call.args[0])] = keywords
    assert set(declared) == EXPECTED_ARGUMENTS
    for name, keywords in declared.items():
        assert {'default_value', 'description'} <= keywords, name


def test_launch_file_uses_no_eval_or_subprocess(launch_tree):
    names = {getattr(node, 'id', None) for node in ast.walk(launch_tree)} | {
        getattr(node, 'attr', None) for node in ast.walk(launch_tree)}
    imported = {alias.name.split('.')[0] for node in ast.walk(launch_tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {
        node.module.split('.')[0] for node in ast.walk(launch_tree)
        if isinstance(node, ast.ImportFrom) and node.module}
    assert not names & {'eval', 'exec', 'system', 'popen', 'Popen'}
    assert not imported & {'subprocess'}
    assert _calls(launch_tree, 'LifecycleNode'), 'the node is started as a LifecycleNode'


def test_launch_description_builds_where_launch_ros_exists():
    pytest.importorskip('launch')
    pytest.importorskip('launch_ros')
    from launch.actions import DeclareLaunchArgument
    _install_prefix()
    spec = importlib.util.spec_from_file_location('posenet_launch', LAUNCH_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = module.generate_launch_description()
    declared = {entity.name for entity in description.entities
                if isinstance(entity, DeclareLaunchArgument)}
    assert declared == EXPECTED_ARGUMENTS


def test_rviz_config_shows_the_node_outputs():
    config = yaml.safe_load(RVIZ_FILE.read_text())
    manager = config['Visualization Manager']
    displays = {display['Class']: display for display in manager['Displays']}
    assert displays['rviz_default_plugins/Image']['Topic']['Value'] == '/image_annotated'
    assert displays['rviz_default_plugins/MarkerArray']['Topic']['Value'] == '/markers'
    assert displays['rviz_default_plugins/Pose']['Topic']['Value'] == '/target_pose'
    assert displays['rviz_default_plugins/Pose']['Topic']['Reliability Policy'] == 'Reliable'
    assert manager['Global Options']['Fixed Frame'] == 'camera_color_optical_frame'
