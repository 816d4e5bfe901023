"""posenet_estimate: poses in images, image folders and videos, without ROS.

Writes, per input, ``<name>.json`` in the TensorFlow.js PoseNet output format and an annotated
copy (``<name>_poses.jpg`` / ``<name>_poses.mp4``) into ``--output-dir``.

JSON: an image gives the list ``estimatePoses`` returns,
``[{"score": s, "keypoints": [{"position": {"x": x, "y": y}, "part": "nose", "score": s}, ...]}]``
with coordinates in source-image pixels; a video gives one record per frame,
``[{"frame": 0, "poses": [...]}, ...]``. Inputs that cannot be read are reported and skipped;
the exit status is then 1 (2 when the model cannot be loaded or the options are invalid).

Usage: posenet_estimate images/test_couple.jpg video/Dance.mp4 --output-dir out --mode multi
"""

import argparse
from collections.abc import Iterator, Sequence
import json
from pathlib import Path
import sys

import cv2
import numpy as np

from ros2_posenet.posenet import (DecodeOptions, DEFAULT_MODEL, DELEGATES, DETECTION_MODES,
                                  draw_poses, EngineConfig, INTERPOLATIONS, Pose, PoseEngine,
                                  PoseNetError)
from ros2_posenet.posenet.decode_options import check_score
from ros2_posenet.posenet.image import DEFAULT_INTERPOLATION
from ros2_posenet.tools.frame_source import IMAGE_SUFFIXES

VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v', '.mpg', '.mpeg')
VIDEO_FOURCC = 'mp4v'
DEFAULT_VIDEO_FPS = 25.0

EXIT_OK, EXIT_INPUT_FAILED, EXIT_SETUP_FAILED = 0, 1, 2


class InputReadError(RuntimeError):
    """An input file cannot be read as an image or a video."""


def pose_to_tfjs(pose: Pose) -> dict:
    """Return a pose as TensorFlow.js PoseNet returns it (``{score, keypoints}``)."""
    return {
        'score': float(pose.score),
        'keypoints': [{'position': {'x': float(kp.x), 'y': float(kp.y)}, 'part': kp.name,
                       'score': float(kp.score)} for kp in pose.keypoints],
    }


def collect_inputs(paths: Sequence[str]) -> list[Path]:
    """Expand folders into their images and videos (sorted, not recursive); keep files as given.

    Raises:
        InputReadError: A path does not exist or cannot be examined (name too long, no
            permission to list a folder).
    """
    inputs: list[Path] = []
    for name in paths:
        path = Path(name)
        try:
            if path.is_dir():
                inputs.extend(sorted(p for p in path.iterdir() if p.is_file()
                                     and p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES))
            elif path.exists():
                inputs.append(path)
            else:
                raise InputReadError(f'no such file or folder: {path}')
        except OSError as error:
            raise InputReadError(f'cannot access {path}: {error.strerror or error}') from None
    return inputs


class Estimator:
    """Runs the engine on inputs and writes the JSON and annotated files."""

    def __init__(self, engine: PoseEngine, options: DecodeOptions, interpolation: str,
                 output_dir: Path, annotate: bool, max_frames: int,
                 min_keypoint_score: float) -> None:
        """Keep the settings; ``output_dir`` is created when missing."""
        self.engine = engine
        self.options = options
        self.min_keypoint_score = check_score('--min-keypoint-score', min_keypoint_score)
        self.interpolation = interpolation
        self.output_dir = output_dir
        self.annotate = annotate
        self.max_frames = max_frames
        self._used_names: set[str] = set()
        output_dir.mkdir(parents=True, exist_ok=True)

    def run(self, path: Path) -> str:
        """Process one image or video and return a one-line summary.

        Raises:
            InputReadError: The file cannot be decoded.
        """
        name = self._unique_name(path.stem)
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

    def _draw(self, frame_bgr: np.ndarray, poses: list[Pose]) -> None:
        # Lines 2 px wide per 640 px of the longer side stay visible on large photos.
        scale = max(1, round(max(frame_bgr.shape[:2]) / 640))
        draw_poses(frame_bgr, poses, self.min_keypoint_score, thickness=2 * scale,
                   radius=3 * scale, show_scores=True)

    def _run_image(self, path: Path, name: str) -> str:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise InputReadError(f'cannot read image {path} (missing, unsupported or corrupt)')
        poses, total_ms = self._estimate(image)
        json_path = self.output_dir / f'{name}.json'
        _write_json(json_path, [pose_to_tfjs(pose) for pose in poses])
        written = [json_path]
        if self.annotate:
            self._draw(image, poses)
            suffix = '.png' if path.suffix.lower() == '.png' else '.jpg'
            image_path = self.output_dir / f'{name}_poses{suffix}'
            if not cv2.imwrite(str(image_path), image):
                raise InputReadError(f'cannot write {image_path}')
            written.append(image_path)
        return (f'{path}: {len(poses)} pose(s) in {total_ms:.1f} ms -> '
                + ', '.join(str(p) for p in written))

    def _run_video(self, path: Path, name: str) -> str:
        records = []
        writer = None
        video_path = self.output_dir / f'{name}_poses.mp4'
        total_ms = 0.0
        try:
            for index, frame in _video_frames(path, self.max_frames):
                poses, frame_ms = self._estimate(frame)
                total_ms += frame_ms
                records.append({'frame': index, 'poses': [pose_to_tfjs(p) for p in poses]})
                if self.annotate:
                    if writer is None:
                        writer = _open_writer(video_path, path, frame.shape)
                    self._draw(frame, poses)
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


def _video_frames(path: Path, max_frames: int) -> Iterator[tuple[int, np.ndarray]]:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputReadError(f'cannot open video {path} with OpenCV')
    try:
        index = 0
        while not max_frames or index < max_frames:
            ok, frame = capture.read()
            if not ok:
                return
            yield index, frame
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
    parser.add_argument('--keep-aspect-ratio', action='store_true',
                        help='letterbox instead of stretching the image to the model input')
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
            flip_horizontal=args.flip_horizontal, keep_aspect_ratio=args.keep_aspect_ratio)
        check_score('--min-keypoint-score', args.min_keypoint_score)
        config = EngineConfig(
            model_path=_model_argument(args.model), delegate=args.delegate,
            delegate_device=args.delegate_device,
            delegate_library=args.delegate_library, delegate_fallback=not args.no_fallback,
            num_threads=args.num_threads)
        if args.max_frames < 0:
            raise ValueError(f'--max-frames must be >= 0, got {args.max_frames}')
        inputs = collect_inputs(args.inputs)
        engine = PoseEngine(config)
    except (PoseNetError, ValueError, InputReadError, OSError) as error:
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
    failed = 0
    with engine:
        try:
            estimator = Estimator(engine, options, args.interpolation, args.output_dir,
                                  not args.no_annotate, args.max_frames,
                                  args.min_keypoint_score)
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
        print(f'posenet_estimate: {failed} of {len(inputs)} input(s) failed', file=sys.stderr)
        return EXIT_INPUT_FAILED
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
