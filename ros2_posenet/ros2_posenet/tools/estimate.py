"""posenet_estimate: poses in images, image folders and videos, without ROS.

Writes, per input, ``<name>.json`` in the TensorFlow.js PoseNet output format and an annotated
copy (``<name>_poses.jpg`` / ``<name>_poses.mp4``) into ``--output-dir``.

JSON: an image gives the list ``estimatePoses`` returns,
``[{"score": s, "keypoints": [{"position": {"x": x, "y": y}, "part": "nose", "score": s}, ...]}]``
with coordinates in source-image pixels; a video gives one record per frame,
``[{"frame": 0, "time_s": 0.0, "poses": [...]}, ...]``, where each pose also has the ``"id"`` of
its track (the node's tracker, one per video, clocked by the frame rate; 0 = not yet seen
``min_hits`` frames in a row; ``--no-tracking`` leaves ids out), people in decreasing pose
score, and the annotated video shows each track in its own colour with ``#id``.

Every input is processed or reported by name with the reason, and the run goes on: a missing
path, a FIFO or device (refused after ``os.stat``, before anything opens it, since reading one
could block forever), an unreadable, unrecognised or truncated image (a cut JPEG would decode
as grey rows), an image or video above ``--max-input-pixels`` (read from the file header and
refused before decoding). The exit status is then 1; it is 2 when the run cannot start: the
model cannot be loaded, the options are invalid, or no given path can be used at all. An
annotated image that JPEG cannot hold (a side above 65500 pixels) is written as PNG instead.

Usage: posenet_estimate images/test_couple.jpg video/Dance.mp4 --output-dir out --mode multi
"""

import argparse
from collections.abc import Iterator, Sequence
import json
import os
from pathlib import Path
import stat
import sys

import cv2
import numpy as np

from ros2_posenet.posenet import (DecodeOptions, DECODER_REFINEMENTS, DEFAULT_MODEL, DELEGATES,
                                  DETECTION_MODES, draw_poses, EngineConfig, INTERPOLATIONS,
                                  KEEP_ASPECT_RATIO_CHOICES, Pose, PoseEngine, PoseNetError)
from ros2_posenet.posenet.decode_options import check_score
from ros2_posenet.posenet.tracking import PoseTracker
from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.image import (check_encoded_byte_budget, check_jpeg_complete,
                                        check_max_pixels, check_pixel_budget,
                                        DEFAULT_INTERPOLATION, DEFAULT_MAX_INPUT_PIXELS,
                                        encoded_byte_budget, read_image_header)
from ros2_posenet.tools.frame_source import IMAGE_SUFFIXES

VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg')
VIDEO_FOURCC = 'mp4v'
DEFAULT_VIDEO_FPS = 25.0

EXIT_OK, EXIT_INPUT_FAILED, EXIT_SETUP_FAILED = 0, 1, 2

JPEG_MAX_DIMENSION = 65500
"""libjpeg's largest width or height; a larger annotated image is written as PNG."""

BUDGET_OPTION = '--max-input-pixels'


class InputReadError(RuntimeError):
    """An input file cannot be read as an image or a video."""


def pose_to_tfjs(pose: Pose) -> dict:
    """Return a pose as TensorFlow.js PoseNet returns it (``{score, keypoints}``)."""
    return {
        'score': float(pose.score),
        'keypoints': [{'position': {'x': float(kp.x), 'y': float(kp.y)}, 'part': kp.name,
                       'score': float(kp.score)} for kp in pose.keypoints],
    }


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, 'a folder'), (stat.S_ISFIFO, 'a FIFO (named pipe)'),
             (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
             (stat.S_ISSOCK, 'a socket'))
    return next((name for test, name in kinds if test(mode)), 'a special file')


def _not_regular(mode: int) -> str:
    why = '' if stat.S_ISDIR(mode) else ' (not opened: reading one could block forever)'
    return f'is {_file_kind(mode)}, not a regular file{why}; expected an image or video file'


def check_regular_file(path: Path) -> os.stat_result:
    """Return ``os.stat(path)`` (links followed) if it is a regular file; never opens it.

    Raises:
        InputReadError: It does not exist, cannot be examined, or is a folder, FIFO, device or
            socket.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise InputReadError(f'no such file: {path}') from None
    except OSError as error:
        raise InputReadError(f'cannot access {path}: {error.strerror or error}') from None
    if not stat.S_ISREG(status.st_mode):
        raise InputReadError(f'{path} {_not_regular(status.st_mode)}')
    return status


def collect_inputs(paths: Sequence[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand folders into their images and videos (sorted, not recursive); keep files as given.

    Nothing is opened: every path is examined with ``os.stat`` (links followed).

    Returns:
        ``(inputs, problems)``: the regular files to process, and ``(path, reason)`` for each
        path that cannot be: missing, not examinable (name too long, no permission), a FIFO,
        device or socket, or a folder that cannot be listed. In a folder, entries with an image
        or video suffix that are not regular files are problems too; other entries are ignored.
    """
    suffixes = IMAGE_SUFFIXES + VIDEO_SUFFIXES
    inputs: list[Path] = []
    problems: list[tuple[Path, str]] = []
    for name in paths:
        path = Path(name)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            problems.append((path, 'no such file or folder'))
            continue
        except OSError as error:
            problems.append((path, f'cannot access it: {error.strerror or error}'))
            continue
        if stat.S_ISREG(mode):
            inputs.append(path)
        elif not stat.S_ISDIR(mode):
            problems.append((path, _not_regular(mode)))
        else:
            try:
                entries = sorted(entry for entry in path.iterdir()
                                 if entry.suffix.lower() in suffixes)
            except OSError as error:
                problems.append((path, f'cannot list the folder: {error.strerror or error}'))
                continue
            for entry in entries:
                try:
                    mode = os.stat(entry).st_mode
                except OSError as error:  # a dangling link, a name too long
                    problems.append((entry, f'cannot access it: {error.strerror or error}'))
                    continue
                if stat.S_ISREG(mode):
                    inputs.append(entry)
                else:
                    problems.append((entry, _not_regular(mode)))
    return inputs, problems


def read_image_file(path: Path, max_pixels: int) -> tuple[np.ndarray, str]:
    """Read and decode one image file within a pixel budget; return BGR pixels and the format.

    The file is opened without blocking and checked to be a regular file on the open handle,
    refused above ``encoded_byte_budget(max_pixels)`` bytes, its header read
    (``read_image_header``) and refused above ``max_pixels``, a JPEG checked to run to its EOI
    marker; only then is it decoded.

    Raises:
        InputReadError: Any of these checks fails, or OpenCV cannot decode the data.
    """
    flags = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise InputReadError(f'cannot open {path}: {error.strerror or error}') from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputReadError(f'{path} {_not_regular(status.st_mode)}')
        check_encoded_byte_budget(status.st_size, max_pixels, 'file', BUDGET_OPTION)
        with os.fdopen(descriptor, 'rb', closefd=False) as stream:
            data = stream.read(encoded_byte_budget(max_pixels) + 1)
        check_encoded_byte_budget(len(data), max_pixels, 'file', BUDGET_OPTION)  # it grew
        header = read_image_header(data)
        check_pixel_budget(header.width, header.height, max_pixels, f'{header.format} image',
                           BUDGET_OPTION)
        if header.format == 'jpeg':
            check_jpeg_complete(data)
    except InputError as error:
        raise InputReadError(f'cannot read image {path}: {error}') from None
    except OSError as error:
        raise InputReadError(f'cannot read {path}: {error.strerror or error}') from None
    finally:
        os.close(descriptor)
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error as error:
        raise InputReadError(f'cannot read image {path}: OpenCV cannot decode its '
                             f'{header.format} data: {_cv_reason(error)}') from None
    if image is None or image.size == 0:
        raise InputReadError(f'cannot read image {path}: OpenCV cannot decode its '
                             f'{header.width}x{header.height} {header.format} data (corrupt '
                             'or an unsupported variant)')
    return image, header.format


def _cv_reason(error: cv2.error) -> str:
    """Return the message of an OpenCV error without its source location."""
    reason = getattr(error, 'err', '') or str(error).strip()
    return reason.splitlines()[-1] if reason else 'no reason given'


class Estimator:
    """Runs the engine on inputs and writes the JSON and annotated files."""

    def __init__(self, engine: PoseEngine, options: DecodeOptions, interpolation: str,
                 output_dir: Path, annotate: bool, max_frames: int,
                 min_keypoint_score: float,
                 max_input_pixels: int = DEFAULT_MAX_INPUT_PIXELS,
                 tracking: bool = True) -> None:
        """Keep the settings; ``output_dir`` is created when missing.

        ``max_input_pixels`` is the pixel budget of an image or a video frame; ``tracking``
        gives the people of a video track ids (``"id"`` in the JSON, drawn on the video).
        """
        self.tracking = tracking
        self.engine = engine
        self.options = options
        self.min_keypoint_score = check_score('--min-keypoint-score', min_keypoint_score)
        self.max_input_pixels = check_max_pixels(max_input_pixels, BUDGET_OPTION)
        self.interpolation = interpolation
        self.output_dir = output_dir
        self.annotate = annotate
        self.max_frames = max_frames
        self._used_names: set[str] = set()
        output_dir.mkdir(parents=True, exist_ok=True)

    def run(self, path: Path) -> str:
        """Process one image or video and return a one-line summary.

        Raises:
            InputReadError: The file is not a regular file, is above the pixel budget, cannot
                be decoded, or an output cannot be written (the message says why).
        """
        name = self._unique_name(path.stem)
        self.engine.reset()  # each input on its own (MoveNet's crop never crosses files)
        if path.suffix.lower() in VIDEO_SUFFIXES:
            return self._run_video(path, name)
        return self._run_image(path, name)

    def _unique_name(self, stem: str) -> str:
        name, count = stem, 1
        while name in self._used_names:
            count += 1
            name = f'{stem}_{count}'
        self._used_names.add(name)
        return name

    def _estimate(self, frame_bgr: np.ndarray) -> tuple[list[Pose], float]:
        result = self.engine.estimate(frame_bgr, 'bgr', self.options,
                                      interpolation=self.interpolation)
        return list(result.poses), result.timings.total_ms

    def _draw(self, frame_bgr: np.ndarray, poses: Sequence[Pose],
              ids: Sequence[int] | None = None) -> None:
        # Lines 2 px wide per 640 px of the longer side stay visible on large photos.
        scale = max(1, round(max(frame_bgr.shape[:2]) / 640))
        draw_poses(frame_bgr, poses, self.min_keypoint_score, thickness=2 * scale,
                   radius=3 * scale, show_scores=True, pose_ids=ids)

    def _estimate_tracked(self, frame_bgr: np.ndarray, tracker: PoseTracker | None,
                          stamp_s: float) -> tuple[Sequence[Pose], list[int] | None, float]:
        """Estimate one video frame; with a tracker, people get ids (decreasing pose score)."""
        result = self.engine.estimate(frame_bgr, 'bgr', self.options,
                                      interpolation=self.interpolation)
        if tracker is None:
            return result.poses, None, result.timings.total_ms
        people = result.arrays.select(np.argsort(-result.arrays.pose_scores, kind='stable'))
        tracked = tracker.update(people, stamp_s)
        return tracked.arrays.to_poses(), tracked.ids.tolist(), result.timings.total_ms

    def _run_image(self, path: Path, name: str) -> str:
        image, _ = read_image_file(path, self.max_input_pixels)
        poses, total_ms = self._estimate(image)
        json_path = self.output_dir / f'{name}.json'
        _write_json(json_path, [pose_to_tfjs(pose) for pose in poses])
        written = [str(json_path)]
        if self.annotate:
            self._draw(image, poses)
            written.append(self._write_annotated(image, path.suffix.lower() == '.png', name))
        return f'{path}: {len(poses)} pose(s) in {total_ms:.1f} ms -> ' + ', '.join(written)

    def _write_annotated(self, image: np.ndarray, lossless: bool, name: str) -> str:
        """Write ``<name>_poses.jpg`` (``.png`` for a PNG source); return what was written.

        An image with a side above ``JPEG_MAX_DIMENSION`` is written as PNG, and the returned
        text says so. Encoding in memory first separates the encoder's failure from the file
        system's, so the error says which one failed and why.

        Raises:
            InputReadError: The image cannot be encoded or the file cannot be written.
        """
        height, width = image.shape[:2]
        suffix, note = ('.png', '') if lossless else ('.jpg', '')
        if suffix == '.jpg' and max(width, height) > JPEG_MAX_DIMENSION:
            suffix, note = '.png', (f' (PNG: {width}x{height} is beyond the {JPEG_MAX_DIMENSION}'
                                    ' pixel side of JPEG)')
        image_path = self.output_dir / f'{name}_poses{suffix}'
        cause = 'OpenCV cannot encode'
        try:
            ok, encoded = cv2.imencode(suffix, image)
        except cv2.error as error:
            ok, cause = False, f'{cause} ({_cv_reason(error)})'
        if not ok:
            raise InputReadError(f'cannot write {image_path}: {cause} the {width}x{height} '
                                 f'annotated image as {suffix[1:].upper()}')
        try:
            image_path.write_bytes(encoded.tobytes())
        except OSError as error:
            raise InputReadError(f'cannot write {image_path}: {error.strerror or error}') \
                from None
        return f'{image_path}{note}'

    def _run_video(self, path: Path, name: str) -> str:
        check_regular_file(path)  # cv2.VideoCapture would block on a FIFO
        records = []
        writer = None
        video_path = self.output_dir / f'{name}_poses.mp4'
        total_ms = 0.0
        tracker = PoseTracker() if self.tracking else None  # one per video: ids from 1
        try:
            for index, stamp_s, frame in _video_frames(path, self.max_frames,
                                                       self.max_input_pixels):
                poses, ids, frame_ms = self._estimate_tracked(frame, tracker, stamp_s)
                total_ms += frame_ms
                entries = [pose_to_tfjs(p) for p in poses]
                for entry, track_id in zip(entries, ids or ()):
                    entry['id'] = track_id
                records.append({'frame': index, 'time_s': round(stamp_s, 6),
                                'poses': entries})
                if self.annotate:
                    if writer is None:
                        writer = _open_writer(video_path, path, frame.shape)
                    self._draw(frame, poses, ids)
                    writer.write(frame)
        finally:
            if writer is not None:
                writer.release()
        if not records:
            raise InputReadError(f'no readable frame in video {path}')
        json_path = self.output_dir / f'{name}.json'
        _write_json(json_path, records, indent=None)
        written = [json_path] + ([video_path] if self.annotate else [])
        pose_count = sum(len(record['poses']) for record in records)
        return (f'{path}: {len(records)} frame(s), {pose_count} pose(s), '
                f'{total_ms / len(records):.1f} ms/frame -> '
                + ', '.join(str(p) for p in written))


def _video_frames(path: Path, max_frames: int,
                  max_pixels: int) -> Iterator[tuple[int, float, np.ndarray]]:
    """Yield ``(index, time in seconds from the frame rate, frame)`` of a video."""
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputReadError(f'cannot open video {path} with OpenCV')
    try:
        # the container's frame size, known before any frame is decoded (0 when it is not)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        try:
            check_pixel_budget(width, height, max_pixels, f'video {path} frame', BUDGET_OPTION)
        except InputError as error:
            raise InputReadError(str(error)) from None
        fps = capture.get(cv2.CAP_PROP_FPS)
        if not fps or not 1.0 <= fps <= 240.0:
            fps = DEFAULT_VIDEO_FPS
        index = 0
        while not max_frames or index < max_frames:
            ok, frame = capture.read()
            if not ok:
                return
            yield index, index / fps, frame
            index += 1
    finally:
        capture.release()


def _open_writer(video_path: Path, source: Path, shape: tuple[int, ...]) -> cv2.VideoWriter:
    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    if not fps or not 1.0 <= fps <= 240.0:
        fps = DEFAULT_VIDEO_FPS
    writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*VIDEO_FOURCC), fps,
                             (shape[1], shape[0]))
    if not writer.isOpened():
        raise InputReadError(f'cannot write video {video_path} ({VIDEO_FOURCC})')
    return writer


def _write_json(path: Path, content: object, indent: int | None = 1) -> None:
    with open(path, 'w', encoding='utf-8') as stream:
        json.dump(content, stream, indent=indent)
        stream.write('\n')


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    defaults = DecodeOptions()
    parser = argparse.ArgumentParser(
        prog='posenet_estimate', description=__doc__.split('\n\n')[0],
        epilog='Coordinates are source-image pixels; --nms-radius is in model-input pixels.')
    parser.add_argument('inputs', nargs='+', help='image files, folders or videos ('
                        + ' '.join(VIDEO_SUFFIXES) + ')')
    parser.add_argument('--model', default=DEFAULT_MODEL,
                        help='.tflite path, or a file name under <data dir>/models '
                        f'(default {DEFAULT_MODEL})')
    parser.add_argument('--mode', choices=DETECTION_MODES, default=defaults.detection_mode)
    parser.add_argument('--max-detections', type=int, default=defaults.max_detections)
    parser.add_argument('--score-threshold', type=float, default=defaults.score_threshold,
                        help='lowest part score that seeds a pose (multi)')
    parser.add_argument('--nms-radius', type=float, default=defaults.nms_radius,
                        help='model-input pixels (multi)')
    parser.add_argument('--min-pose-score', type=float, default=defaults.min_pose_score)
    parser.add_argument('--min-keypoint-score', type=float, default=0.3,
                        help='keypoints drawn need at least this score (JSON keeps all 17)')
    parser.add_argument('--flip-horizontal', action='store_true',
                        help='mirror the poses (x -> width - 1 - x) as TensorFlow.js does')
    parser.add_argument('--keep-aspect-ratio', choices=KEEP_ASPECT_RATIO_CHOICES,
                        nargs='?', const='true', default=defaults.keep_aspect_ratio,
                        help='true: letterbox, false: stretch the image to the model input, '
                        'auto (default): letterbox when the aspect ratios differ; the option '
                        'alone means true')
    parser.add_argument('--decoder-refinement', choices=DECODER_REFINEMENTS,
                        default=defaults.decoder_refinement,
                        help='PoseNet: tfjs (bit-exact TensorFlow.js) or accurate (sub-cell '
                        'refinement and rescoring)')
    parser.add_argument('--interpolation', choices=tuple(INTERPOLATIONS),
                        default=DEFAULT_INTERPOLATION,
                        help="resize filter ('nearest' reproduces Coral's preprocessing)")
    parser.add_argument('--delegate', choices=DELEGATES, default='cpu')
    parser.add_argument('--delegate-device', default='', help="Edge TPU device, e.g. 'usb:0'")
    parser.add_argument('--delegate-library', default='', help='delegate shared library path')
    parser.add_argument('--no-fallback', action='store_true',
                        help='fail instead of running on the CPU when the delegate fails')
    parser.add_argument('--num-threads', type=int, default=2)
    parser.add_argument('--output-dir', default='posenet_output', type=Path)
    parser.add_argument('--no-annotate', action='store_true',
                        help='write only the JSON files, no annotated images or videos')
    parser.add_argument('--max-frames', type=int, default=0,
                        help='stop each video after N frames (0: all)')
    parser.add_argument('--no-tracking', action='store_true',
                        help='videos: no track ids (default: each person gets an "id")')
    parser.add_argument(BUDGET_OPTION, type=int, default=DEFAULT_MAX_INPUT_PIXELS,
                        help='refuse images and video frames with more pixels, read from the '
                        f'file header before decoding (default {DEFAULT_MAX_INPUT_PIXELS}, 8K '
                        'UHD)')
    return parser


def _model_argument(model: str) -> str:
    """Return a ``--model`` path that exists relative to the current directory as absolute.

    Command-line paths are relative to where the command runs; any other name is left to the
    engine's data-path lookup.
    """
    try:
        path = Path(model).expanduser()
        return str(path.resolve()) if not path.is_absolute() and path.is_file() else model
    except (RuntimeError, OSError):  # unknown ~user, a name too long: the engine reports it
        return model


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (also used as the process status)."""
    args = build_parser().parse_args(argv)
    try:
        options = DecodeOptions(
            detection_mode=args.mode, max_detections=args.max_detections,
            score_threshold=args.score_threshold, nms_radius=args.nms_radius,
            min_pose_score=args.min_pose_score,
            flip_horizontal=args.flip_horizontal, keep_aspect_ratio=args.keep_aspect_ratio,
            decoder_refinement=args.decoder_refinement)
        check_score('--min-keypoint-score', args.min_keypoint_score)
        config = EngineConfig(
            model_path=_model_argument(args.model), delegate=args.delegate,
            delegate_device=args.delegate_device,
            delegate_library=args.delegate_library, delegate_fallback=not args.no_fallback,
            num_threads=args.num_threads)
        if args.max_frames < 0:
            raise ValueError(f'--max-frames must be >= 0, got {args.max_frames}')
        check_max_pixels(args.max_input_pixels, BUDGET_OPTION)
        inputs, problems = collect_inputs(args.inputs)
        for path, reason in problems:
            print(f'posenet_estimate: skipped {path}: {reason}', file=sys.stderr)
        if problems and not inputs:
            raise InputReadError('none of the given paths can be used')
        engine = PoseEngine(config)
    except (PoseNetError, ValueError, InputReadError, OSError) as error:
        print(f'posenet_estimate: error: {error}', file=sys.stderr)
        return EXIT_SETUP_FAILED
    try:
        engine.check_options(options)  # e.g. --mode multi with a MoveNet SinglePose model
    except InputError as error:
        engine.close()
        print(f'posenet_estimate: error: {error}', file=sys.stderr)
        return EXIT_SETUP_FAILED
    info = engine.model_info
    print(f'model {info.path} ({info.family}, {info.input_width}x{info.input_height} '
          f'{info.input_dtype}, stride {info.output_stride}) on {info.delegate}'
          + (f' (fallback: {info.fallback_reason})' if info.fallback_reason else ''))
    if not inputs:
        print('posenet_estimate: error: no images or videos in the given folders',
              file=sys.stderr)
        return EXIT_INPUT_FAILED
    failed = len(problems)
    with engine:
        try:
            estimator = Estimator(engine, options, args.interpolation, args.output_dir,
                                  not args.no_annotate, args.max_frames,
                                  args.min_keypoint_score, args.max_input_pixels,
                                  not args.no_tracking)
        except OSError as error:
            print(f'posenet_estimate: error: cannot create the output folder '
                  f'{args.output_dir}: {error.strerror or error}', file=sys.stderr)
            return EXIT_SETUP_FAILED
        for path in inputs:
            try:
                print(estimator.run(path))
            except (InputReadError, PoseNetError, OSError) as error:
                failed += 1
                print(f'posenet_estimate: skipped {path}: {error}', file=sys.stderr)
    if failed:
        print(f'posenet_estimate: {failed} of {len(inputs) + len(problems)} input(s) failed',
              file=sys.stderr)
        return EXIT_INPUT_FAILED
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
