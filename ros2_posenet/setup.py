"""Build script of the ros2_posenet ament_python package."""

from glob import glob
import os

from setuptools import find_packages, setup

PACKAGE = 'ros2_posenet'

setup(
    name=PACKAGE,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    # the live page of the WebSocket bridge, served from the installed package
    package_data={'ros2_posenet.bridges': ['web/*.html', 'web/*.js']},
    data_files=[
        ('share/ament_index/resource_index/packages', [f'resource/{PACKAGE}']),
        (f'share/{PACKAGE}', ['package.xml']),
        (os.path.join('share', PACKAGE, 'launch'), glob('launch/*.launch.py')),
        (os.path.join('share', PACKAGE, 'config'), glob('config/*.yaml') + glob('config/*.xml')),
        (os.path.join('share', PACKAGE, 'rviz'), glob('rviz/*.rviz')),
    ],
    # Python deps outside rosdep (ai-edge-litert) are installed by the workspace (see README).
    install_requires=['setuptools'],
    extras_require={'test': ['pytest']},
    zip_safe=True,
    maintainer='ros2_posenet maintainers',
    maintainer_email='maintainers@ros2-posenet.dev',
    description='Real-time PoseNet human pose estimation node for ROS 2.',
    license='Apache-2.0',
    entry_points={
        'console_scripts': [
            'posenet_node = ros2_posenet.posenet_node:main',
            'person_target_node = ros2_posenet.person_target_node:main',
            'posenet_estimate = ros2_posenet.tools.estimate:main',
            'posenet_accuracy = ros2_posenet.tools.accuracy:main',
            'posenet_benchmark = ros2_posenet.tools.benchmark_engine:main',
            'posenet_benchmark_node = ros2_posenet.tools.benchmark_node:main',
            'posenet_benchmark_decoders = ros2_posenet.tools.benchmark_decoders:main',
            'posenet_benchmark_bag = ros2_posenet.tools.benchmark_bag:main',
            'posenet_benchmark_tracking = ros2_posenet.tools.benchmark_tracking:main',
            'posenet_benchmark_spatial = ros2_posenet.tools.benchmark_spatial:main',
            'posenet_benchmark_soak = ros2_posenet.tools.benchmark_soak:main',
            'posenet_bag = ros2_posenet.tools.process_bag:main',
            'posenet_demo = ros2_posenet.tools.demo:main',
            'posenet_download_models = ros2_posenet.tools.download_models:main',
            'pose_bridge_node = ros2_posenet.pose_bridge_node:main',
            'posenet_stream = ros2_posenet.tools.stream:main',
            'posenet_benchmark_stream_soak = ros2_posenet.tools.benchmark_stream_soak:main',
        ],
    },
)
