"""Launch the posenet pose estimation node, optionally with RViz.

The node is a lifecycle node; its ``autostart`` parameter (true in the default parameters file)
configures and activates it, so this launch file alone gives poses. Set ``autostart: false`` in
a parameters file to leave the transitions to a lifecycle manager.

Examples::

    ros2 launch ros2_posenet posenet.launch.py image:=/camera/color/image_raw use_rviz:=true
    ros2 launch ros2_posenet posenet.launch.py params_file:=my_posenet.yaml namespace:=front
    ros2 launch ros2_posenet posenet.launch.py delegate:=edgetpu
        model_path:=posenet_mobilenet_v1_075_481_641_quant_decoder_edgetpu.tflite  (one line)
    ros2 launch ros2_posenet posenet.launch.py large_frames:=true

``large_frames:=true`` points Fast DDS at the shipped ``config/fastdds_large_frames.xml`` (16 MB
shared-memory segments) for the nodes this file starts; the camera driver must use it too for
raw frames over 512 KB to cross reliably on one host (see the README).
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchContext, LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, SetEnvironmentVariable
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node

PACKAGE = 'ros2_posenet'
EXECUTABLE = 'posenet_node'
NODE_NAME = 'posenet'
PARAMS_FILE = ('config', 'posenet.yaml')
RVIZ_CONFIG = ('rviz', 'posenet.rviz')
LARGE_FRAMES_PROFILE = ('config', 'fastdds_large_frames.xml')
TARGET_PARAMS_FILE = ('config', 'person_target.yaml')
BRIDGE_PARAMS_FILE = ('config', 'pose_bridge.yaml')
PROFILE_VARIABLES = ('FASTRTPS_DEFAULT_PROFILES_FILE', 'FASTDDS_DEFAULT_PROFILES_FILE')
# Launch arguments that, when not empty, override the parameter of the same name.
PARAMETER_ARGUMENTS = ('model_path', 'delegate', 'use_depth')
BOOLEAN_PARAMETERS = ('use_depth',)


def _posenet_node(context: LaunchContext) -> list[LifecycleNode]:
    """Create the node; only non-empty model/delegate arguments override the params file."""
    overrides = {}
    for name in PARAMETER_ARGUMENTS:
        value = LaunchConfiguration(name).perform(context)
        if value:
            overrides[name] = (value.lower() in ('true', '1', 'yes') if name in BOOLEAN_PARAMETERS
                               else value)
    image = LaunchConfiguration('image').perform(context)
    return [LifecycleNode(
        package=PACKAGE, executable=EXECUTABLE, name=NODE_NAME,
        namespace=LaunchConfiguration('namespace'), output='screen',
        parameters=[LaunchConfiguration('params_file')] + ([overrides] if overrides else []),
        # input_transport raw subscribes `image`, compressed `image/compressed`.
        remappings=[('image', image), ('image/compressed', image + '/compressed'),
                    ('camera_info', LaunchConfiguration('camera_info')),
                    ('depth', LaunchConfiguration('depth'))],
    )]


def generate_launch_description() -> LaunchDescription:
    """Return the launch description (arguments, posenet node, optional RViz)."""
    share = get_package_share_directory(PACKAGE)
    large_frames = IfCondition(LaunchConfiguration('large_frames'))
    return LaunchDescription([
        DeclareLaunchArgument(
            'large_frames', default_value='false',
            description='Use the shipped Fast DDS profile with 16 MB shared-memory segments '
                        '(raw frames over 512 KB from a same-host camera using it too)'),
        *[SetEnvironmentVariable(variable, os.path.join(share, *LARGE_FRAMES_PROFILE),
                                 condition=large_frames) for variable in PROFILE_VARIABLES],
        DeclareLaunchArgument(
            'params_file', default_value=os.path.join(share, *PARAMS_FILE),
            description='Parameters file of the posenet node'),
        DeclareLaunchArgument(
            'namespace', default_value='', description='Namespace of the node and its topics'),
        DeclareLaunchArgument(
            'image', default_value='/camera/color/image_raw',
            description='Input image topic (its /compressed sibling with '
                        'input_transport: compressed)'),
        DeclareLaunchArgument(
            'camera_info', default_value='/camera/color/camera_info',
            description='CameraInfo of the input images (optional; places the 3D markers)'),
        DeclareLaunchArgument(
            'depth', default_value='/camera/aligned_depth_to_color/image_raw',
            description='Depth image aligned to the colour image (16UC1 mm or 32FC1 m), used '
                        'with use_depth'),
        DeclareLaunchArgument(
            'use_depth', default_value='',
            description='true: place people in metres from the depth topic; empty keeps the '
                        'params file value'),
        DeclareLaunchArgument(
            'model_path', default_value='',
            description='Model file name or path; empty keeps the params file value'),
        DeclareLaunchArgument(
            'delegate', default_value='',
            description='cpu, edgetpu or gpu; empty keeps the params file value'),
        DeclareLaunchArgument(
            'use_rviz', default_value='false', description='Start RViz with the posenet view'),
        DeclareLaunchArgument(
            'rviz_fixed_frame', default_value='camera_color_optical_frame',
            description='RViz fixed frame: the frame_id of the camera images'),
        DeclareLaunchArgument(
            'follow', default_value='false',
            description='Also start person_target: target_pose (Nav2 following), target, TF'),
        DeclareLaunchArgument(
            'target_policy', default_value='nearest',
            description='Whom person_target follows: nearest, largest, centre or oldest'),
        DeclareLaunchArgument(
            'bridge', default_value='false',
            description='Also start pose_bridge: poses as OSC and WebSocket JSON, a live page'),
        OpaqueFunction(function=_posenet_node),
        Node(
            package=PACKAGE, executable='pose_bridge_node', name='pose_bridge',
            namespace=LaunchConfiguration('namespace'), output='screen',
            parameters=[os.path.join(share, *BRIDGE_PARAMS_FILE)],
            condition=IfCondition(LaunchConfiguration('bridge'))),
        Node(
            package=PACKAGE, executable='person_target_node', name='person_target',
            namespace=LaunchConfiguration('namespace'), output='screen',
            parameters=[os.path.join(share, *TARGET_PARAMS_FILE),
                        {'policy': LaunchConfiguration('target_policy')}],
            condition=IfCondition(LaunchConfiguration('follow'))),
        Node(
            package='rviz2', executable='rviz2', name='rviz2', output='screen',
            arguments=['-d', os.path.join(share, *RVIZ_CONFIG),
                       '-f', LaunchConfiguration('rviz_fixed_frame')],
            condition=IfCondition(LaunchConfiguration('use_rviz'))),
    ])
