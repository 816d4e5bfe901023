"""posenet_bag: poses for a recorded rosbag2, offline, through the node's own frame pipeline.

``posenet_bag INPUT OUTPUT`` reads a rosbag2 (sqlite3 or MCAP, with the ``rosbags`` library:
no rosbag2 install and no running DDS graph needed), runs every image of the image topic
through ``FramePipeline`` (the node's per-frame path, same parameters, same outputs) and writes
a new bag with every input topic copied plus ``/poses`` (``ros2_posenet_msgs/PoseArray``) and,
with ``--markers``, ``/markers``. Each output message carries its image's header and is recorded
at the image's receive time (its bag timestamp), so the output lines up with the input.

Every frame is processed (nothing is dropped offline). A message that cannot be decoded or
converted is skipped and counted, never fatal. The output is refused if it exists; Ctrl-C
stops reading and still closes the output into a valid bag. ``--jsonl FILE`` writes one line
of TensorFlow.js-format JSON per frame (``{"stamp", "poses", "image"}``) instead of or beside
the bag (``OUTPUT`` may then be omitted with ``--no-bag``).

Exit status: 0 done, 1 some frames failed or the run was interrupted, 2 nothing could be done
(unreadable input, existing output, bad parameters, no image topic).
"""

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
import json
from pathlib import Path
import sys
import time
from typing import Any, TextIO

from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
from rclpy.serialization import deserialize_message, serialize_message
from rosbags.rosbag2 import Reader, ReaderError, StoragePlugin, Writer, WriterError
from rosbags.typesys import get_typestore, get_types_from_msg, Stores
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import CameraInfo, CompressedImage, Image
from tqdm import tqdm

from ros2_posenet.frame_pipeline import FramePipeline
from ros2_posenet.image_messages import ImageConversionError
from ros2_posenet.node_config import NodeConfig
from ros2_posenet.pose_messages import pose_array_to_arrays
from ros2_posenet.posenet import PoseEngine, PoseNetError
from ros2_posenet.posenet.serialization import frame_document

EXIT_OK, EXIT_FRAMES_FAILED, EXIT_SETUP_FAILED = 0, 1, 2
IMAGE_TYPES = {'sensor_msgs/msg/Image': Image, 'sensor_msgs/msg/CompressedImage': CompressedImage}
CAMERA_INFO_TYPE = 'sensor_msgs/msg/CameraInfo'
POSES_TYPE = 'ros2_posenet_msgs/msg/PoseArray'
MARKERS_TYPE = 'visualization_msgs/msg/MarkerArray'
POSES_TOPIC = '/poses'
MARKERS_TOPIC = '/markers'
CUSTOM_MESSAGES = ('Keypoint', 'PersonPose', 'PoseArray')
"""The package's messages, registered with rosbags from their .msg files (dependencies first)."""
STORAGES = {'sqlite3': StoragePlugin.SQLITE3, 'mcap': StoragePlugin.MCAP}


class BagError(RuntimeError):
    """The run cannot start or go on: its message says what to fix."""


@dataclass
class Summary:
    """What a run did.

    Attributes:
        frames: Images processed into a ``PoseArray``.
        failed: Image messages skipped (undecodable, unconvertible, rejected by the engine).
        people: People in all ``PoseArray``s.
        copied: Input messages copied to the output bag.
        bag_seconds: Receive-time span of the processed images.
        wall_seconds: Time the run took.
        interrupted: Stopped by Ctrl-C.
    """

    frames: int = 0
    failed: int = 0
    people: int = 0
    copied: int = 0
    bag_seconds: float = 0.0
    wall_seconds: float = 0.0
    interrupted: bool = False

    def line(self) -> str:
        """Return the one-line report."""
        per_frame = self.people / self.frames if self.frames else 0.0
        speed = self.bag_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0
        return (f'{self.frames} frames, {self.failed} skipped, {per_frame:.2f} people per frame, '
                f'{self.copied} messages copied; {self.bag_seconds:.1f} s of bag in '
                f'{self.wall_seconds:.1f} s ({speed:.2f}x real time)'
                + (' (interrupted)' if self.interrupted else ''))


def package_typestore(distro: Stores = Stores.ROS2_JAZZY) -> Any:
    """Return a rosbags typestore knowing ROS 2's messages and this package's (from its .msg)."""
    typestore = get_typestore(distro)
    folder = _message_folder()
    for name in CUSTOM_MESSAGES:
        text = (folder / f'{name}.msg').read_text(encoding='utf-8')
        typestore.register(get_types_from_msg(text, f'ros2_posenet_msgs/msg/{name}'))
    return typestore


def _message_folder() -> Path:
    try:
        return Path(get_package_share_directory('ros2_posenet_msgs')) / 'msg'
    except PackageNotFoundError:  # a source checkout without an install space
        return Path(__file__).resolve().parents[3] / 'ros2_posenet_msgs' / 'msg'


def storage_of(path: Path) -> str:
    """Return ``'mcap'`` or ``'sqlite3'``: the storage of a bag folder or file."""
    files = [path] if path.is_file() else list(path.iterdir())
    return 'mcap' if any(file.suffix == '.mcap' for file in files) else 'sqlite3'


def _image_topic(reader: Reader, requested: str | None, compressed: bool) -> tuple[str, type]:
    wanted = 'sensor_msgs/msg/CompressedImage' if compressed else 'sensor_msgs/msg/Image'
    topics = {connection.topic: connection.msgtype for connection in reader.connections}
    if requested is not None:
        if requested not in topics:
            raise BagError(f'topic {requested} is not in the bag (topics: {sorted(topics)})')
        if topics[requested] not in IMAGE_TYPES:
            raise BagError(f'topic {requested} holds {topics[requested]}, not an image')
        return requested, IMAGE_TYPES[topics[requested]]
    candidates = sorted(topic for topic, msgtype in topics.items() if msgtype == wanted)
    if len(candidates) != 1:
        raise BagError(f'{"no" if not candidates else "several"} {wanted} topics in the bag '
                       f'({", ".join(candidates) or "none"}); choose one with --image-topic '
                       '(--compressed for CompressedImage)')
    return candidates[0], IMAGE_TYPES[wanted]


def process_bag(input_path: Path, output_path: Path | None, config: NodeConfig, *,
                image_topic: str | None = None, compressed: bool = False,
                markers: bool = False, jsonl: TextIO | None = None,
                storage: str | None = None, progress: bool = False) -> Summary:
    """Process ``input_path`` into ``output_path`` (and/or ``jsonl``); see the module docstring.

    Raises:
        BagError: The input cannot be read, the output exists or cannot be written, there is
            no image topic, or the model cannot be loaded.
    """
    if output_path is not None and output_path.exists():
        raise BagError(f'{output_path} exists; choose another output (nothing is overwritten)')
    try:
        reader = Reader(input_path)
        reader.open()
    except (ReaderError, FileNotFoundError, OSError, ValueError, KeyError) as error:
        raise BagError(f'cannot read {input_path} as a rosbag2: {error}') from None
    try:
        topic, message_type = _image_topic(reader, image_topic, compressed)
        try:
            engine = PoseEngine(config.engine_config)
        except PoseNetError as error:
            raise BagError(f'cannot load the model: {error}') from None
        with engine:
            return _run(reader, topic, message_type, FramePipeline(engine), config,
                        output_path, markers, jsonl, storage or storage_of(input_path),
                        progress)
    finally:
        reader.close()


def _run(reader: Reader, topic: str, message_type: type, pipeline: FramePipeline,
         config: NodeConfig, output_path: Path | None, markers: bool, jsonl: TextIO | None,
         storage: str, progress: bool) -> Summary:
    summary = Summary()
    start = time.monotonic()
    writer = None
    if output_path is not None:
        try:
            writer = Writer(output_path, version=9, storage_plugin=STORAGES[storage])
            writer.open()
        except (WriterError, OSError) as error:
            raise BagError(f'cannot write {output_path}: {error}') from None
    try:
        outputs = _OutputBag(writer, reader, markers) if writer is not None else None
        images = sum(c.msgcount for c in reader.connections if c.topic == topic)
        first_time = last_time = None
        bar = tqdm(total=images, unit='frame', disable=not progress, dynamic_ncols=True)
        try:  # Ctrl-C ends the loop; the output is closed below all the same
            for connection, timestamp, data in _messages(reader, summary):
                if outputs is not None:
                    outputs.copy(connection, timestamp, data)
                    summary.copied += 1
                if connection.msgtype == CAMERA_INFO_TYPE:
                    pipeline.set_camera_info(_deserialized(data, CameraInfo))
                if connection.topic != topic:
                    continue
                bar.update(1)
                result = _process(pipeline, data, message_type, config, markers)
                if result is None:
                    summary.failed += 1
                    continue
                summary.frames += 1
                summary.people += len(result.poses.poses)
                first_time = timestamp if first_time is None else first_time
                last_time = timestamp
                if outputs is not None:
                    outputs.write_outputs(timestamp, result.poses, result.markers)
                if jsonl is not None:
                    _write_json_line(jsonl, result.poses)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            bar.close()
        if first_time is not None and last_time is not None:
            summary.bag_seconds = (last_time - first_time) / 1e9
    finally:
        if writer is not None:
            writer.close()  # also after Ctrl-C: the output stays a valid bag
        summary.wall_seconds = time.monotonic() - start
    return summary


def _messages(reader: Reader, summary: Summary) -> Iterator[tuple[Any, int, bytes]]:
    """Yield the bag's messages in time order; a damaged bag raises ``BagError``."""
    try:
        yield from reader.messages()
    except (ReaderError, OSError, ValueError, KeyError) as error:
        raise BagError(f'the input bag is damaged after {summary.frames} frames: {error}'
                       ) from None


def _deserialized(data: bytes, message_type: type) -> Any:
    try:
        return deserialize_message(data, message_type)
    except Exception:  # noqa: B902 a corrupt CDR buffer raises whatever the C layer throws
        return None


def _process(pipeline: FramePipeline, data: bytes, message_type: type, config: NodeConfig,
             markers: bool) -> Any:
    msg = _deserialized(data, message_type)
    if msg is None:
        return None
    try:
        return pipeline.process(msg, config, markers=markers)
    except (ImageConversionError, PoseNetError):
        return None


class _OutputBag:
    """The output bag's connections: the input's, copied, plus ``poses`` and ``markers``."""

    def __init__(self, writer: Writer, reader: Reader, markers: bool) -> None:
        self._writer = writer
        typestore = package_typestore()
        self._copies = {
            connection.id: writer.add_connection(
                connection.topic, connection.msgtype, msgdef=connection.msgdef.data,
                rihs01=connection.digest,
                serialization_format=connection.ext.serialization_format,
                offered_qos_profiles=connection.ext.offered_qos_profiles)
            for connection in reader.connections}
        self._poses = writer.add_connection(POSES_TOPIC, POSES_TYPE, typestore=typestore)
        self._markers = (writer.add_connection(MARKERS_TOPIC, MARKERS_TYPE, typestore=typestore)
                         if markers else None)

    def copy(self, connection: Any, timestamp: int, data: bytes) -> None:
        self._writer.write(self._copies[connection.id], timestamp, data)

    def write_outputs(self, timestamp: int, poses: PoseArray, markers: Any) -> None:
        self._writer.write(self._poses, timestamp, serialize_message(poses))
        if self._markers is not None and markers is not None:
            self._writer.write(self._markers, timestamp, serialize_message(markers))


def _write_json_line(stream: TextIO, poses: PoseArray) -> None:
    """One frame: the bridges' TensorFlow.js document plus the image stamp and frame."""
    document = frame_document(pose_array_to_arrays(poses), [person.id for person in poses.poses],
                              poses.image_width, poses.image_height)
    stamp = poses.header.stamp
    document['stamp'] = {'sec': stamp.sec, 'nanosec': stamp.nanosec}
    document['frame_id'] = poses.header.frame_id
    stream.write(json.dumps(document) + '\n')


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog='posenet_bag', description=__doc__.split('\n\n')[0],
        epilog='Parameters are the node\'s (ros2_posenet/config/posenet.yaml).')
    parser.add_argument('input', type=Path, help='rosbag2 folder or .mcap/.db3 file')
    parser.add_argument('output', type=Path, nargs='?', help='new rosbag2 folder to write')
    parser.add_argument('--image-topic', help='image topic (default: the only one)')
    parser.add_argument('--compressed', action='store_true',
                        help='the image topic holds sensor_msgs/CompressedImage')
    parser.add_argument('--params-file', help='node parameters YAML (as ros2 run --params-file)')
    parser.add_argument('-p', dest='param', action='append', default=[], metavar='NAME:=VALUE',
                        help='parameter override (repeatable)')
    parser.add_argument('--markers', action='store_true', help='also write MarkerArrays')
    parser.add_argument('--jsonl', type=Path, help='write one TensorFlow.js JSON line per frame')
    parser.add_argument('--storage', choices=sorted(STORAGES),
                        help='output storage (default: the input\'s)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.output is None and args.jsonl is None:
        print('posenet_bag: error: give an OUTPUT bag, --jsonl FILE, or both', file=sys.stderr)
        return EXIT_SETUP_FAILED
    try:
        config = NodeConfig.from_parameters(args.params_file, args.param)
    except ValueError as error:
        print(f'posenet_bag: error: {error}', file=sys.stderr)
        return EXIT_SETUP_FAILED
    jsonl = None
    try:
        if args.jsonl is not None:
            if args.jsonl.exists():
                raise BagError(f'{args.jsonl} exists; choose another file')
            jsonl = args.jsonl.open('w', encoding='utf-8')
        summary = process_bag(args.input, args.output, config, image_topic=args.image_topic,
                              compressed=args.compressed, markers=args.markers, jsonl=jsonl,
                              storage=args.storage,
                              progress=not args.no_progress and sys.stderr.isatty())
    except (BagError, OSError) as error:
        print(f'posenet_bag: error: {error}', file=sys.stderr)
        return EXIT_SETUP_FAILED
    finally:
        if jsonl is not None:
            jsonl.close()
    print(f'posenet_bag: {summary.line()}')
    return EXIT_FRAMES_FAILED if summary.failed or summary.interrupted else EXIT_OK


if __name__ == '__main__':
    raise SystemExit(main())
