"""ros2_posenet: real-time PoseNet human pose estimation for ROS 2."""
