"""ROS-free PoseNet engine: model loading, preprocessing, decoding and geometry.

Nothing in this package imports rclpy or ROS messages; it runs wherever numpy, OpenCV and a TFLite
runtime (ai-edge-litert, tflite-runtime or tensorflow) are installed.
"""
