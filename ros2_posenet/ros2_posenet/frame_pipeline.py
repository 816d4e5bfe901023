"""One camera frame message in, the node's output messages out, without a node.

``FramePipeline`` is the per-frame path of ``posenet_node`` and of every tool that processes
frames offline (demo, benchmark, bag processing): image message -> array -> engine ->
``PoseArray`` (always), ``MarkerArray`` and the annotated ``Image`` (when asked). It holds the
state that outlives a frame: the engine, the tracker and the camera model of the last
``CameraInfo`` (built once per calibration and image size). The caller owns publishing, timing
and statistics.

Tracking (parameter ``tracking``): each frame's people, in decreasing pose score, go through the
``PoseTracker`` with the image stamp (or, for an unstamped image, the receive time the caller
gives); ``PersonPose.id`` then carries the track id, 0 for a person not yet seen
``track_min_hits`` times in a row (published, so counts stay honest, but not yet a track), and
keypoints are the tracker's smoothed ones. Tracker settings changed at runtime apply to the next
frame; tracks and ids are kept.

Positions (``PersonPose.position``, ``Keypoint.position``): with a depth image paired to the frame
(``use_depth``) and a ``CameraInfo``, keypoints are measured in metres and each person is placed
at its torso centre (``DEPTH``); otherwise, with a ``CameraInfo``, the approximate ground-plane
or height-prior estimate (``camera_height``, ``camera_pitch``, ``body_height``); without a
``CameraInfo`` nobody gets a position (the fallback camera is good for display only).

Not thread-safe: one frame at a time (the node calls it from its worker thread only).
"""

from collections.abc import Sequence
from dataclasses import dataclass
import time

import cv2
import numpy as np
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray
from ros2_posenet_msgs.msg import PoseArray

from ros2_posenet.depth_messages import depth_msg_to_metres
from ros2_posenet.image_messages import (array_to_image_msg, compressed_msg_to_array,
                                         image_msg_to_array, ImageConversionError)
from ros2_posenet.markers import image_intrinsics, poses_to_markers
from ros2_posenet.node_config import NodeConfig
from ros2_posenet.pose_messages import poses_to_msg
from ros2_posenet.posenet import (ColorOrder, draw_poses, EstimateResult, InputError,
                                  PinholeCamera, Pose, PoseArrays, PoseEngine)
from ros2_posenet.posenet.spatial import (Keypoints3d, lift_keypoints, PersonPositions,
                                          person_positions)
from ros2_posenet.posenet.tracking import PoseTracker, TrackedPoses


@dataclass(frozen=True)
class FrameOutputs:
    """The messages computed for one frame; each carries the frame's header.

    Attributes:
        poses: Always built.
        markers: Built when asked, else ``None``.
        annotated: The frame as ``bgr8`` with skeletons drawn, longest side at most the
            ``annotated_max_size`` parameter (scaled down), when asked, else ``None``.
        result: The engine's result (arrays in source-image pixels in the decoder's order,
            timings); the messages hold the same people in decreasing pose score.
        tracked: The tracker's result for the frame, ``None`` with tracking off.
        depth_status: ``None`` without a depth image, ``'measured'``, or why the depth image
            could not be used (bad encoding, no camera_info ...).
        image_width: Source image width in pixels.
        image_height: Source image height in pixels.
    """

    poses: PoseArray
    markers: MarkerArray | None
    annotated: Image | None
    result: EstimateResult
    image_width: int
    image_height: int
    tracked: TrackedPoses | None = None
    depth_status: str | None = None


class FramePipeline:
    """Turns image messages into output messages with one engine."""

    def __init__(self, engine: PoseEngine, tracker: PoseTracker | None = None) -> None:
        """Use ``engine`` (the caller closes it) and ``tracker`` (default: a new one).

        A node passes the one tracker it keeps for its lifetime, so that track ids are never
        reused, whatever model the pipelines of successive configurations load.
        """
        self.engine = engine
        self.tracker = PoseTracker() if tracker is None else tracker
        self._camera_info: CameraInfo | None = None
        self._camera: PinholeCamera | None = None

    def set_camera_info(self, camera_info: CameraInfo | None) -> None:
        """Use this calibration for the next frames' markers (``None``: the fallback camera)."""
        if camera_info is not self._camera_info:
            self._camera_info = camera_info
            self._camera = None

    def camera(self, width: int, height: int) -> PinholeCamera:
        """Return the camera of an image of this size (built once per calibration and size)."""
        camera = self._camera
        if camera is None or (camera.width, camera.height) != (width, height):
            camera = self._camera = image_intrinsics(self._camera_info, width, height)
        return camera

    def process(self, msg: Image | CompressedImage, config: NodeConfig, *,
                markers: bool = False, annotated: bool = False,
                received_s: float | None = None, depth: Image | None = None) -> FrameOutputs:
        """Estimate the poses of one frame and build the requested messages.

        Args:
            msg: The frame, raw or compressed.
            config: Decoding, tracking, marker and drawing settings (options built once per
                config).
            markers: Also build the ``MarkerArray``.
            annotated: Also build the annotated image.
            received_s: Receive time in seconds, the tracker's clock for an unstamped image
                (stamp 0); ``None``: the process's monotonic clock now.
            depth: The depth image paired with the frame (aligned to it), or ``None``.

        Raises:
            ImageConversionError: The message cannot be turned into an image.
            InputError: The engine rejects the image.
            ModelError, DelegateError: Inference failed.
        """
        budget = config.max_input_pixels
        if isinstance(msg, CompressedImage):
            image, color_order = compressed_msg_to_array(msg, max_pixels=budget)
        else:
            image, color_order = image_msg_to_array(msg, max_pixels=budget)
        result = self.engine.estimate(image, color_order, config.decode_options)
        height, width = image.shape[:2]
        # the message contract (PoseArray.msg): decreasing pose score, ties in decoder order
        people = result.arrays.select(np.argsort(-result.arrays.pose_scores, kind='stable'))
        tracked = self._track(people, msg.header, config, received_s)
        ids = None
        if tracked is not None:
            people, ids = tracked.arrays, tracked.ids.tolist()
        keypoints_3d, positions, depth_status = self._locate(people, width, height, config,
                                                             depth)
        poses_msg = poses_to_msg(people, msg.header, width, height, ids, keypoints_3d, positions)
        people_poses = people.to_poses() if markers or annotated else ()  # built once
        markers_msg = None
        if markers:
            markers_msg = poses_to_markers(people_poses, msg.header,
                                           self.camera(width, height), config.marker_options,
                                           ids, keypoints_3d)
        annotated_msg = None
        if annotated:
            annotated_msg = array_to_image_msg(
                annotated_image(image, color_order, people, config.min_keypoint_score,
                                config.annotated_max_size, ids, people_poses), msg.header)
        return FrameOutputs(poses_msg, markers_msg, annotated_msg, result, width, height,
                            tracked, depth_status)

    def _locate(self, people: PoseArrays, width: int, height: int, config: NodeConfig,
                depth: Image | None
                ) -> tuple[Keypoints3d | None, PersonPositions | None, str | None]:
        """Measure keypoints with ``depth`` and place people (see the module docstring)."""
        if self._camera_info is None:
            return None, None, None if depth is None else 'no camera_info: 2D only'
        camera = self.camera(width, height)
        keypoints_3d, status = None, None
        if depth is not None:
            try:
                depth_m = depth_msg_to_metres(depth, max_pixels=config.max_input_pixels)
                keypoints_3d = lift_keypoints(people, depth_m, camera, config.depth_options)
                status = 'measured'
            except (ImageConversionError, InputError) as error:
                status = f'depth image not used: {error}'
        return keypoints_3d, person_positions(people, camera, config.monocular_options,
                                              keypoints_3d), status

    def _track(self, people: PoseArrays, header: Header, config: NodeConfig,
               received_s: float | None) -> TrackedPoses | None:
        if not config.tracking:
            if self.tracker.tracks:
                self.tracker.reset()  # re-enabled later, nobody is matched to stale tracks
            return None
        if self.tracker.config != config.tracker_config:
            self.tracker.reconfigure(config.tracker_config)
        stamp_s = header.stamp.sec + header.stamp.nanosec * 1e-9
        if stamp_s == 0.0:  # an unstamped image: the receive time is the best clock there is
            stamp_s = time.monotonic() if received_s is None else received_s
        return self.tracker.update(people, stamp_s)


def annotated_image(image: np.ndarray, color_order: ColorOrder, poses: PoseArrays,
                    min_keypoint_score: float, max_size: int,
                    ids: Sequence[int] | None = None,
                    poses_objects: Sequence[Pose] = ()) -> np.ndarray:
    """Return a new BGR image of the frame with the skeletons drawn, longest side <= max_size.

    A larger frame is shrunk (area filter) before drawing, its poses scaled with it, so the
    annotated image costs a bounded amount of memory and bandwidth whatever the camera sends.

    Args:
        image: ``[H, W, 3]`` uint8 source frame.
        color_order: Its channel order.
        poses: Poses in source-image pixels.
        min_keypoint_score: Keypoints below it are not drawn.
        max_size: Longest side of the result in pixels.
        ids: Track id per pose (0 = not tracked): tracked people are drawn in their track's
            colour with ``#id score`` above them.
        poses_objects: ``poses.to_poses()`` when the caller has it already (reused when the
            frame is not scaled).
    """
    height, width = image.shape[:2]
    scale = min(1.0, max_size / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        canvas = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        # pixel centres map as the resize does: (x + 0.5) * scale - 0.5, per axis
        factors = np.array((size[0] / width, size[1] / height))
        poses = PoseArrays((poses.keypoints_xy + 0.5) * factors - 0.5, poses.keypoint_scores,
                           poses.pose_scores)
        poses_objects = ()
    else:
        canvas = image.copy()
    if color_order == 'rgb':
        cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR, dst=canvas)
    return draw_poses(canvas, poses_objects or poses.to_poses(), min_keypoint_score,
                      show_scores=ids is not None, pose_ids=ids)
