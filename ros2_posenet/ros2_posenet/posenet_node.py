"""The ``posenet`` lifecycle node: camera images in; poses, markers, annotated image out.

A thin shell around ``ros2_posenet.frame_pipeline.FramePipeline`` (which wraps the ROS-free
``posenet.PoseEngine``). ``configure`` loads the model
and delegate, ``activate`` subscribes, ``deactivate`` stops processing, ``cleanup`` and
``shutdown`` release the engine; the ``autostart`` parameter runs configure and activate at
start. The image callback only drops the message into a one-slot mailbox; a worker thread
converts, infers and publishes the newest frame, so stale frames are dropped, never queued.

Transitions never wait for a frame: ``deactivate`` closes the mailbox and returns while the
worker finishes (and then drops) the frame it is on; ``cleanup`` and ``shutdown`` hand the engine
to that worker, which closes it when it exits, so a slow or hung inference blocks neither the
executor (diagnostics keep flowing) nor Ctrl-C. A lifecycle request by id that is not valid in the
current state is refused with ``success=False`` and a log line (rclpy 7.1 raises instead).

One node serves one camera: with two image publishers on one ``image`` topic the one-slot
mailbox keeps whichever frame came last, so a faster camera can starve a slower one. Start a
node per camera (each in its own namespace).

Topics (relative, remap as usual): subscribes ``image`` (``sensor_msgs/Image``) or, with
``input_transport: compressed``, ``image/compressed``, and ``camera_info``; publishes ``poses``
(``ros2_posenet_msgs/PoseArray``), ``markers`` (``visualization_msgs/MarkerArray``) and
``image_annotated`` (bgr8), both built only while subscribed, and ``/diagnostics``. Every
output carries the source image header. Parameters: ``ros2_posenet.node_config.PARAMETERS``.
"""

from pathlib import Path
import time
from typing import Any, NamedTuple

from diagnostic_msgs.msg import DiagnosticArray
try:
    from rclpy.event_handler import SubscriptionEventCallbacks
except ImportError:  # Humble
    from rclpy.qos_event import SubscriptionEventCallbacks
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.publisher import Publisher
from rclpy.qos import qos_profile_sensor_data, QoSProfile
from rclpy.subscription import Subscription
from rcl_interfaces.msg import SetParametersResult
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from visualization_msgs.msg import MarkerArray

from ros2_posenet.depth_messages import DepthPairing, stamp_seconds
from ros2_posenet.diagnostics import diagnostic_status, NodeHealth, ProcessingStats
from ros2_posenet.frame_mailbox import LatestFrameMailbox
from ros2_posenet.frame_pipeline import FramePipeline
from ros2_posenet.frame_worker import FrameWorker
from ros2_posenet.image_messages import ImageConversionError
from ros2_posenet.lifecycle_support import RefuseInvalidTransitions, run_lifecycle_node
from ros2_posenet.node_config import NodeConfig
from ros2_posenet.posenet import InputError, PoseEngine
from ros2_posenet.posenet.tracking import PoseTracker

WARN_THROTTLE_S = 2.0
LOST_WARN_THROTTLE_S = 30.0
WORKER_JOIN_S = 0.05
"""How long a transition lets an idle worker exit before going on without it; a worker inside a
frame finishes (and closes a released engine) on its own."""
OUTPUT_QOS = QoSProfile(depth=5)  # reliable: serves reliable and best-effort readers


class _Frame(NamedTuple):
    msg: Image | CompressedImage
    received: float  # time.monotonic() seconds at reception


class PoseNetNode(RefuseInvalidTransitions, LifecycleNode):
    """Lifecycle node estimating human poses on the newest camera frame."""

    def __init__(self, **kwargs) -> None:
        """Declare the parameters, read them into a ``NodeConfig``, start the diagnostics.

        Raises:
            ValueError: A parameter value breaks a rule of ``NodeConfig``.
            rclpy.exceptions.ParameterException: A value has the wrong type or range.
        """
        super().__init__('posenet', **kwargs)
        self._config = NodeConfig.declare_on(self)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._state = 'unconfigured'
        self._configure_error: str | None = None
        self._pipeline: FramePipeline | None = None
        # one tracker for the node's lifetime: ids are never reused while it runs
        self._tracker = PoseTracker(self._config.tracker_config)
        self._publishers_out: dict[str, Publisher] = {}  # lifecycle publishers
        self._subscriptions_in: list[Subscription] = []
        self._camera_info: CameraInfo | None = None
        self._depth = DepthPairing()
        self._mailbox: LatestFrameMailbox[_Frame] = LatestFrameMailbox()
        self._mailbox.close()  # a fresh mailbox per activation
        self._worker: FrameWorker[_Frame] | None = None
        self._worker_finishing: FrameWorker[_Frame] | None = None
        self._stats = ProcessingStats()
        self._diagnostics = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.create_timer(self._config.diagnostics_period, self._publish_diagnostics)

    @property
    def autostart(self) -> bool:
        """Whether ``main`` configures and activates the node at start."""
        return self._config.autostart

    # --- lifecycle transitions ----------------------------------------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Load the model and delegate; FAILURE (staying unconfigured) when that fails."""
        config = self._config
        try:
            engine = PoseEngine(config.engine_config)
        except Exception as error:  # noqa: B902 rclpy drops a transition's exception unlogged
            self._configure_error = f'{type(error).__name__}: {error}'
            self._stats.record_error(self._configure_error)
            self.get_logger().error(
                f'configure failed: {str(error).rstrip(".")}. Fix the model_path '
                f'({config.model_path!r}) or delegate ({config.delegate!r}) parameters, then '
                'configure again.')
            return TransitionCallbackReturn.FAILURE
        try:  # e.g. a MoveNet model in multi mode: refused here, not frame after frame
            engine.check_options(config.decode_options)
        except InputError as error:
            engine.close()
            self._configure_error = f'{type(error).__name__}: {error}'
            self._stats.record_error(self._configure_error)
            self.get_logger().error(f'configure failed: {error}')
            return TransitionCallbackReturn.FAILURE
        self._pipeline = FramePipeline(engine, self._tracker)
        self._configure_error = None
        info = engine.model_info
        self.get_logger().info(
            f'loaded {info.path} ({info.family}, input {info.input_height}x{info.input_width}) '
            f'on delegate {info.delegate}')
        if info.fallback_reason:
            self.get_logger().warn(f'delegate {config.delegate} not used: {info.fallback_reason}')
        self._publishers_out = {
            'poses': self.create_lifecycle_publisher(PoseArray, 'poses', OUTPUT_QOS),
            'markers': self.create_lifecycle_publisher(MarkerArray, 'markers', OUTPUT_QOS),
            'image_annotated': self.create_lifecycle_publisher(
                Image, 'image_annotated', QoSProfile(depth=1)),
        }
        self._state = 'inactive'
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Enable the publishers, subscribe, start the worker thread."""
        result = super().on_activate(state)
        config = self._config
        self._stats.reset()
        self._tracker.reset()  # a new activation starts without tracks (ids keep counting)
        self._mailbox = LatestFrameMailbox()
        message_type = CompressedImage if config.input_transport == 'compressed' else Image
        self._subscriptions_in = [
            self.create_subscription(
                message_type, config.image_topic, self._on_image, config.image_qos(),
                event_callbacks=SubscriptionEventCallbacks(message_lost=self._on_message_lost)),
            self.create_subscription(CameraInfo, 'camera_info', self._on_camera_info,
                                     qos_profile_sensor_data),
        ]
        if config.use_depth:
            self._depth.clear()
            self._subscriptions_in.append(self.create_subscription(
                Image, 'depth', self._depth.add, config.image_qos()))
        self._worker = FrameWorker(self._work, self._mailbox)
        self._state = 'active'
        self.get_logger().info(
            f'active: {self._subscriptions_in[0].topic_name} ({config.input_transport}, '
            f'{config.image_qos_reliability}, depth {config.image_qos_depth})')
        return result

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Unsubscribe and stop the worker (after the frame it is on)."""
        self._stop_processing()
        self._state = 'inactive'
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release the engine and the publishers; forget the tracks."""
        self.release()
        self._tracker.reset()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop everything and release the engine."""
        self.release()
        self._state = 'finalized'
        return super().on_shutdown(state)

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release everything; SUCCESS returns the node to unconfigured."""
        self.release()
        return TransitionCallbackReturn.SUCCESS

    def release(self) -> None:
        """Stop processing, close the engine, destroy the publishers (idempotent)."""
        self._stop_processing()
        for publisher in self._publishers_out.values():
            self.destroy_lifecycle_publisher(publisher)
        self._publishers_out = {}
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            worker = self._worker_finishing
            if worker is not None and worker.busy_with(pipeline):
                worker.close_when_done(pipeline.engine)  # never wait for its frame here
            else:
                pipeline.engine.close()
        self._state = 'unconfigured'

    def _stop_processing(self) -> None:
        for subscription in self._subscriptions_in:
            self.destroy_subscription(subscription)
        self._subscriptions_in = []
        self._mailbox.close()
        if self._worker is not None:
            if not self._worker.stop(WORKER_JOIN_S):
                self.get_logger().info('the worker finishes its current frame on its own')
                self._worker_finishing = self._worker
            self._worker = None

    # --- parameters ---------------------------------------------------------------------
    def _on_set_parameters(self, parameters: list[Parameter]) -> SetParametersResult:
        try:
            config = self._config.with_changes(
                {parameter.name: parameter.value for parameter in parameters}, self._state)
            if self._pipeline is not None:  # options the loaded model cannot run are refused
                self._pipeline.engine.check_options(config.decode_options)
            self._config = config
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        return SetParametersResult(successful=True)

    # --- data path ----------------------------------------------------------------------
    def _on_image(self, msg: Image | CompressedImage) -> None:
        self._stats.record_received(self._mailbox.put(_Frame(msg, time.monotonic())))

    def _on_message_lost(self, info: Any) -> None:
        self._stats.record_lost(info.total_count_change)
        self.get_logger().warn(
            f'{info.total_count} image(s) lost in transport so far: large raw frames over '
            'best-effort DDS lose fragments. Fixes: the shipped Fast DDS profile on the camera '
            'and this node (ros2 launch ... large_frames:=true, or FASTDDS_DEFAULT_PROFILES_FILE='
            '<share>/ros2_posenet/config/fastdds_large_frames.xml), input_transport: compressed, '
            'or a reliable camera publisher with image_qos_reliability: reliable',
            throttle_duration_sec=LOST_WARN_THROTTLE_S)

    def _on_camera_info(self, msg: CameraInfo) -> None:
        self._camera_info = msg  # taken by the worker with the next frame

    def _work(self, mailbox: LatestFrameMailbox[_Frame], worker: FrameWorker[_Frame]) -> None:
        while (frame := mailbox.take()) is not None:
            pipeline = self._pipeline
            if pipeline is None:
                continue
            try:
                with worker.processing(pipeline):
                    self._process(frame, pipeline, worker)
            except (ImageConversionError, InputError) as error:
                self._stats.record_failed(f'bad frame: {error}')
                self.get_logger().warn(f'skipping bad frame: {error}',
                                       throttle_duration_sec=WARN_THROTTLE_S)
            except Exception as error:  # noqa: B902 the worker must survive anything
                if not self.context.ok() or worker.stopped:
                    return  # stopping: the engine or publishers are gone, nothing to report
                self._stats.record_failed(f'{type(error).__name__}: {error}')
                self.get_logger().error(f'error processing a frame: {error!r}',
                                        throttle_duration_sec=WARN_THROTTLE_S)

    def _process(self, frame: _Frame, pipeline: FramePipeline,
                 worker: FrameWorker[_Frame]) -> None:
        start = time.monotonic()
        config = self._config
        pipeline.set_camera_info(self._camera_info)
        depth = None
        if config.use_depth:
            depth = self._depth.partner(stamp_seconds(frame.msg), config.depth_slop)
            if depth is None:
                self._stats.record_without_depth()
        markers = self._publishers_out['markers']
        annotated = self._publishers_out['image_annotated']
        # Markers and the annotated image are built only while someone listens.
        outputs = pipeline.process(
            frame.msg, config,
            markers=config.publish_markers and markers.get_subscription_count() > 0,
            annotated=(config.publish_annotated_image
                       and annotated.get_subscription_count() > 0),
            received_s=frame.received, depth=depth)
        status = outputs.depth_status
        if status is not None and status != 'measured':
            # separate call sites: rclpy throttles per call site, and a missing camera_info
            # must not hide a bad depth image
            if status.startswith('no camera_info'):
                self.get_logger().warn(status, throttle_duration_sec=WARN_THROTTLE_S)
            else:
                self.get_logger().warn(status, throttle_duration_sec=WARN_THROTTLE_S)
            self._stats.record_error(status)
        tracked = outputs.tracked
        if tracked is not None:
            self._stats.record_tracking(tracked.active_tracks, tracked.births, tracked.deaths)
            if tracked.reset_reason:
                self.get_logger().warn(f'tracker reset: {tracked.reset_reason}',
                                       throttle_duration_sec=WARN_THROTTLE_S)
        if worker.stopped:
            return  # deactivated during the frame: nothing is published after the transition
        self._publishers_out['poses'].publish(outputs.poses)
        published = time.monotonic()
        if outputs.markers is not None:
            markers.publish(outputs.markers)
        if outputs.annotated is not None:
            annotated.publish(outputs.annotated)
        done = time.monotonic()
        self._stats.record_processed(latency_ms=(published - frame.received) * 1e3,
                                     processing_ms=(done - start) * 1e3,
                                     invoke_ms=outputs.result.timings.invoke_ms,
                                     wait_ms=(start - frame.received) * 1e3)

    # --- diagnostics --------------------------------------------------------------------
    def _publish_diagnostics(self) -> None:
        if not self.context.ok():
            return  # trap: a ready timer may still run while the context shuts down
        pipeline = self._pipeline
        info = pipeline.engine.model_info if pipeline is not None else None
        topic = (self._subscriptions_in[0].topic_name if self._subscriptions_in
                 else self._config.image_topic)
        health = NodeHealth(
            state=self._state, input_topic=topic,
            model=Path(info.path).name if info else '', delegate=info.delegate if info else '',
            fallback_reason=info.fallback_reason if info else None,
            configure_error=self._configure_error)
        array = DiagnosticArray()
        array.header.stamp = self.get_clock().now().to_msg()
        array.status = [diagnostic_status(f'{self.get_name()}: pose estimation', health,
                                          self._stats.snapshot())]
        self._diagnostics.publish(array)


def main(args: list[str] | None = None) -> int:
    """Run the node until Ctrl-C or shutdown; return the exit code (console script entry)."""
    return run_lifecycle_node(PoseNetNode, 'posenet', args)


if __name__ == '__main__':
    raise SystemExit(main())
