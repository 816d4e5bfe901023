"""posenet_accuracy: COCO keypoint AP of a model and settings on annotated photos (pycocotools).

Runs the engine on every image of a COCO-format person-keypoint annotation file (default: the
data folder's ``annotated/person_keypoints.json``, 8 photos, 19 annotated people) and scores the
poses with ``pycocotools`` ``COCOeval`` (``iouType='keypoints'``): COCO's rules, COCO's
per-keypoint sigmas (OKS), annotations with no labelled keypoint ignored, at most 20 detections
per image. It prints AP (OKS 0.50:0.95), AP50, AP75, AR, the mean ``estimate`` time per image
and that of its decode stage alone (``--repeats N`` keeps each image's fastest of N runs: the
machine may be shared).

``--single-person`` scores only the images with exactly one annotated person (with keypoints),
where MoveNet SinglePose can be compared with PoseNet. ``--all`` prints the whole table: every
PoseNet model of ``<data dir>/models`` that runs on the CPU, in ``multi`` mode on all images with
stretch / letterbox / auto and ``tfjs`` / ``accurate`` refinement, then, on the single-person
images, each MoveNet model beside every PoseNet model in ``single`` and ``multi`` mode.

Each image is estimated on its own: the engine is ``reset`` first (MoveNet's crop region never
carries over from another image). Keypoint coordinates are written as the engine returns them
(pixel centres at integers, as COCO's keypoint labels are pixel positions).

Usage: posenet_accuracy --model posenet_mobilenet_v1_075_481_641_quant_decoder.tflite
           --mode multi --keep-aspect-ratio auto --decoder-refinement accurate
       posenet_accuracy --all
"""

import argparse
from collections.abc import Iterable, Sequence
import contextlib
from dataclasses import dataclass, replace
import io
from pathlib import Path
import statistics
import sys

import cv2
import numpy as np

from ros2_posenet.posenet import (data_dir, DecodeOptions, DECODER_REFINEMENTS, DEFAULT_MODEL,
                                  DETECTION_MODES, EngineConfig, KEEP_ASPECT_RATIO_CHOICES,
                                  ModelError, PoseEngine, PoseNetError)

DEFAULT_ANNOTATIONS = Path('annotated') / 'person_keypoints.json'
"""The annotated set under the data folder."""

PERSON_CATEGORY = 1
"""COCO's person category id."""

ASPECT_NAMES = {'false': 'stretch', 'true': 'letterbox', 'auto': 'auto'}
"""Table names of the ``keep_aspect_ratio`` settings."""


@dataclass(frozen=True)
class Scores:
    """COCO keypoint scores of one run (fractions in [0, 1]; -1 when nothing to score).

    Attributes:
        ap: Average precision over OKS thresholds 0.50:0.05:0.95.
        ap50: Average precision at OKS 0.50.
        ap75: Average precision at OKS 0.75.
        ar: Average recall over OKS 0.50:0.95.
    """

    ap: float
    ap50: float
    ap75: float
    ar: float


@dataclass(frozen=True)
class Setting:
    """One row of the table: a model and how it is run.

    Attributes:
        model: Model path or file name.
        options: Decoding options (mode, aspect ratio, refinement, thresholds).
        single_person: Score only the images with one annotated person.
    """

    model: str
    options: DecodeOptions
    single_person: bool = False


@dataclass(frozen=True)
class Result:
    """A setting's scores and mean time per image.

    Attributes:
        setting: What was run.
        scores: COCO keypoint scores.
        ms_per_image: Mean ``estimate`` time per image in milliseconds.
        images: Number of images scored.
        family: The model family that ran.
        decode_ms_per_image: Mean time of the decode stage per image (``StageTimings``).
    """

    setting: Setting
    scores: Scores
    ms_per_image: float
    images: int
    family: str
    decode_ms_per_image: float = 0.0


class AnnotatedSet:
    """A COCO-format keypoint annotation file and the images it names."""

    def __init__(self, annotation_file: Path, image_root: Path | None = None) -> None:
        """Load the annotations (quietly: pycocotools prints while loading).

        Args:
            annotation_file: COCO keypoint annotations (``images``, ``annotations``,
                ``categories``).
            image_root: Folder the images' ``file_name`` is relative to (default: the
                annotation file's folder).

        Raises:
            ValueError: The file cannot be read as COCO annotations.
        """
        from pycocotools.coco import COCO  # imported here: only this tool needs it
        self.annotation_file = annotation_file
        self.image_root = annotation_file.parent if image_root is None else image_root
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                self.coco = COCO(str(annotation_file))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f'cannot read COCO annotations {annotation_file}: {error}') \
                from None
        self.image_ids = sorted(self.coco.getImgIds())

    def image_path(self, image_id: int) -> Path:
        """Return the file of one image."""
        return self.image_root / self.coco.imgs[image_id]['file_name']

    def single_person_image_ids(self) -> list[int]:
        """Return the images with exactly one annotated person that has labelled keypoints."""
        ids = []
        for image_id in self.image_ids:
            people = [annotation for annotation in self.coco.imgToAnns[image_id]
                      if annotation.get('num_keypoints', 0) > 0
                      and annotation.get('category_id') == PERSON_CATEGORY]
            if len(people) == 1 and not people[0].get('iscrowd', 0):
                ids.append(image_id)
        return ids

    def read_images(self, image_ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Return the BGR pixels of the images.

        Raises:
            ValueError: An image cannot be read.
        """
        images = {}
        for image_id in image_ids:
            path = self.image_path(image_id)
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError(f'cannot read image {path} (image id {image_id})')
            images[image_id] = image
        return images


def coco_detections(engine: PoseEngine, options: DecodeOptions, images: dict[int, np.ndarray],
                    repeats: int = 1) -> tuple[list[dict], list[float], list[float]]:
    """Estimate every image on its own and return COCO results and per-image times.

    Args:
        engine: The engine (reset before each image and run).
        options: Decoding options.
        images: BGR images by image id.
        repeats: Runs per image; the fastest run's time is kept (poses are the same).

    Returns:
        ``(results, times_ms, decode_times_ms)``: one COCO result per pose (``image_id``,
        ``category_id``, ``keypoints`` as x, y, score triples, ``score``), and the total and
        decode-stage time of each image.
    """
    results: list[dict] = []
    times: list[float] = []
    decode_times: list[float] = []
    for image_id, image in images.items():
        best = best_decode = float('inf')
        for _ in range(max(1, repeats)):
            engine.reset()
            result = engine.estimate(image, 'bgr', options)
            best = min(best, result.timings.total_ms)
            best_decode = min(best_decode, result.timings.decode_ms)
        times.append(best)
        decode_times.append(best_decode)
        arrays = result.arrays
        for xy, keypoint_scores, score in zip(arrays.keypoints_xy, arrays.keypoint_scores,
                                              arrays.pose_scores):
            triples = np.column_stack((xy, keypoint_scores)).reshape(-1)
            results.append({'image_id': image_id, 'category_id': PERSON_CATEGORY,
                            'keypoints': [round(float(v), 3) for v in triples],
                            'score': float(score)})
    return results, times, decode_times


def coco_keypoint_scores(dataset: AnnotatedSet, results: Sequence[dict],
                         image_ids: Sequence[int]) -> Scores:
    """Score detections with pycocotools ``COCOeval`` (keypoints) on some images.

    Args:
        dataset: The annotations.
        results: COCO keypoint results (``coco_detections``).
        image_ids: The images to score.

    Returns:
        AP, AP50, AP75 and AR; all 0 when there is no detection at all.
    """
    from pycocotools.cocoeval import COCOeval
    if not results:
        return Scores(0.0, 0.0, 0.0, 0.0)
    with contextlib.redirect_stdout(io.StringIO()):
        detections = dataset.coco.loadRes(list(results))
        evaluation = COCOeval(dataset.coco, detections, iouType='keypoints')
        evaluation.params.imgIds = list(image_ids)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    stats = evaluation.stats
    return Scores(ap=float(stats[0]), ap50=float(stats[1]), ap75=float(stats[2]),
                  ar=float(stats[5]))


def run_setting(dataset: AnnotatedSet, setting: Setting, images: dict[int, np.ndarray],
                repeats: int = 1, num_threads: int = 2,
                engine: PoseEngine | None = None) -> Result:
    """Run and score one setting (the model is loaded unless ``engine`` is given)."""
    image_ids = dataset.single_person_image_ids() if setting.single_person \
        else dataset.image_ids
    subset = {image_id: images[image_id] for image_id in image_ids}
    owned = engine is None
    if engine is None:
        engine = PoseEngine(EngineConfig(setting.model, num_threads=num_threads))
    try:
        results, times, decode_times = coco_detections(engine, setting.options, subset,
                                                       repeats)
        family = engine.model_info.family
    finally:
        if owned:
            engine.close()
    return Result(setting, coco_keypoint_scores(dataset, results, image_ids),
                  statistics.fmean(times) if times else 0.0, len(image_ids), family,
                  statistics.fmean(decode_times) if decode_times else 0.0)


def _aspect_name(options: DecodeOptions) -> str:
    value = options.keep_aspect_ratio
    return ASPECT_NAMES[value if isinstance(value, str) else str(value).lower()]


def format_header() -> str:
    """Return the table's header line."""
    return (f'{"images":<8} {"model":<44} {"mode":<6} {"aspect":<9} {"refine":<8} '
            f'{"AP":>5} {"AP50":>5} {"AP75":>5} {"AR":>5} {"ms/img":>7} {"decode":>6}')


def format_row(result: Result) -> str:
    """Return one table line (scores in percent)."""
    setting = result.setting
    options = setting.options
    movenet = result.family == 'movenet_singlepose'
    scores = result.scores
    return (f'{("single" if setting.single_person else "all") + str(result.images):<8} '
            f'{Path(setting.model).name[:44]:<44} {options.detection_mode:<6} '
            f'{"square" if movenet else _aspect_name(options):<9} '
            f'{"-" if movenet else options.decoder_refinement:<8} '
            f'{100 * scores.ap:5.1f} {100 * scores.ap50:5.1f} {100 * scores.ap75:5.1f} '
            f'{100 * scores.ar:5.1f} {result.ms_per_image:7.1f} '
            f'{result.decode_ms_per_image:6.2f}')


def cpu_models(models_dir: Path, num_threads: int = 2) -> tuple[list[str], list[str], list[str]]:
    """Return the PoseNet and MoveNet models of a folder that load on the CPU, and the others.

    Returns:
        ``(posenet, movenet, skipped)``: file paths (small inputs first) and ``'name: why'``.
    """
    posenet: list[tuple[int, str]] = []
    movenet: list[str] = []
    skipped: list[str] = []
    for path in sorted(models_dir.glob('*.tflite')):
        try:
            with PoseEngine(EngineConfig(str(path), num_threads=num_threads,
                                         delegate_fallback=False)) as engine:
                info = engine.model_info
        except PoseNetError as error:
            skipped.append(f'{path.name}: {str(error).splitlines()[0][:100]}')
            continue
        if info.family == 'movenet_singlepose':
            movenet.append(str(path))
        else:
            posenet.append((info.input_height * info.input_width, str(path)))
    return [path for _, path in sorted(posenet)], movenet, skipped


def table_settings(posenet: Sequence[str], movenet: Sequence[str],
                   base: DecodeOptions) -> list[Setting]:
    """Return the ``--all`` table's rows (see the module docstring)."""
    settings = []
    for model in posenet:
        for aspect in ('false', 'true', 'auto'):
            for refinement in DECODER_REFINEMENTS:
                settings.append(Setting(model, replace(
                    base, detection_mode='multi', keep_aspect_ratio=aspect,
                    decoder_refinement=refinement)))
    for model in movenet:
        settings.append(Setting(model, replace(base, detection_mode='single'), True))
    for model in posenet:
        for mode in ('single', 'multi'):
            for refinement in DECODER_REFINEMENTS:
                settings.append(Setting(model, replace(
                    base, detection_mode=mode, keep_aspect_ratio='auto',
                    decoder_refinement=refinement), True))
    return settings


def run_table(dataset: AnnotatedSet, settings: Sequence[Setting], repeats: int,
              num_threads: int, out: io.TextIOBase | None = None) -> list[Result]:
    """Run every setting, printing each row as it is done; one engine per model."""
    stream = sys.stdout if out is None else out
    images = dataset.read_images(dataset.image_ids)
    engines: dict[str, PoseEngine] = {}
    results = []
    print(format_header(), file=stream, flush=True)
    try:
        for setting in settings:
            engine = engines.get(setting.model)
            if engine is None:
                engine = engines[setting.model] = PoseEngine(
                    EngineConfig(setting.model, num_threads=num_threads))
            result = run_setting(dataset, setting, images, repeats, num_threads, engine)
            results.append(result)
            print(format_row(result), file=stream, flush=True)
    finally:
        for engine in engines.values():
            engine.close()
    return results


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    defaults = DecodeOptions()
    parser = argparse.ArgumentParser(prog='posenet_accuracy',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('--annotations', type=Path, default=None,
                        help='COCO keypoint annotation file (default: <data dir>/'
                        f'{DEFAULT_ANNOTATIONS})')
    parser.add_argument('--images', type=Path, default=None,
                        help="folder the images' file_name is relative to (default: the "
                        "annotation file's folder)")
    parser.add_argument('--model', default=DEFAULT_MODEL,
                        help=f'.tflite path or file name under <data dir>/models '
                        f'(default {DEFAULT_MODEL})')
    parser.add_argument('--mode', choices=DETECTION_MODES, default=defaults.detection_mode)
    parser.add_argument('--keep-aspect-ratio', choices=KEEP_ASPECT_RATIO_CHOICES,
                        default='auto', help='letterbox (true), stretch (false) or auto')
    parser.add_argument('--decoder-refinement', choices=DECODER_REFINEMENTS,
                        default=defaults.decoder_refinement)
    parser.add_argument('--max-detections', type=int, default=defaults.max_detections)
    parser.add_argument('--score-threshold', type=float, default=defaults.score_threshold)
    parser.add_argument('--nms-radius', type=float, default=defaults.nms_radius)
    parser.add_argument('--min-pose-score', type=float, default=defaults.min_pose_score)
    parser.add_argument('--single-person', action='store_true',
                        help='score only the images with exactly one annotated person')
    parser.add_argument('--all', action='store_true',
                        help='run the whole table (every CPU model and setting)')
    parser.add_argument('--repeats', type=int, default=1,
                        help='runs per image; the fastest time is reported')
    parser.add_argument('--num-threads', type=int, default=2)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        annotations = args.annotations or data_dir() / DEFAULT_ANNOTATIONS
        dataset = AnnotatedSet(annotations, args.images)
        base = DecodeOptions(
            detection_mode=args.mode, max_detections=args.max_detections,
            score_threshold=args.score_threshold, nms_radius=args.nms_radius,
            min_pose_score=args.min_pose_score, keep_aspect_ratio=args.keep_aspect_ratio,
            decoder_refinement=args.decoder_refinement)
        print(f'{annotations}: {len(dataset.image_ids)} images, '
              f'{len(dataset.single_person_image_ids())} with one annotated person')
        if args.all:
            posenet, movenet, skipped = cpu_models(data_dir() / 'models', args.num_threads)
            for line in skipped:
                print(f'skipped {line}')
            run_table(dataset, table_settings(posenet, movenet, base), args.repeats,
                      args.num_threads)
        else:
            run_table(dataset, [Setting(args.model, base, args.single_person)], args.repeats,
                      args.num_threads)
    except (PoseNetError, ModelError, ValueError, OSError) as error:
        print(f'posenet_accuracy: error: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
