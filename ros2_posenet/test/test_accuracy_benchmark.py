"""posenet_accuracy: COCO keypoint scoring with pycocotools, and the figures it reaches."""

import json

import pytest

pytest.importorskip('pycocotools')

from ros2_posenet.posenet import DecodeOptions  # noqa: E402
from ros2_posenet.tools.accuracy import (AnnotatedSet, coco_keypoint_scores,  # noqa: E402
                                         DEFAULT_ANNOTATIONS, main, run_setting, Setting,
                                         table_settings)

DEFAULT_MODEL_FILE = 'posenet_mobilenet_v1_075_481_641_quant_decoder.tflite'


@pytest.fixture(scope='module')
def annotated(data_dir) -> AnnotatedSet:
    return AnnotatedSet(data_dir / DEFAULT_ANNOTATIONS)


def _ground_truth_as_detections(dataset: AnnotatedSet) -> list[dict]:
    return [{'image_id': a['image_id'], 'category_id': 1, 'keypoints': a['keypoints'],
             'score': 1.0} for a in dataset.coco.dataset['annotations']
            if a['num_keypoints'] > 0]


def test_the_ground_truth_scores_full_marks_and_nothing_scores_zero(annotated):
    perfect = coco_keypoint_scores(annotated, _ground_truth_as_detections(annotated),
                                   annotated.image_ids)
    assert (perfect.ap, perfect.ap50, perfect.ap75, perfect.ar) == pytest.approx((1, 1, 1, 1))
    assert coco_keypoint_scores(annotated, [], annotated.image_ids).ap == 0.0


def test_annotations_without_keypoints_are_ignored_and_misses_cost_recall(annotated):
    detections = _ground_truth_as_detections(annotated)
    # image 2 has two labelled people and one box without keypoints: drop one labelled person
    kept = [d for d in detections if not (d['image_id'] == 2 and d is next(
        x for x in detections if x['image_id'] == 2))]
    scores = coco_keypoint_scores(annotated, kept, annotated.image_ids)
    labelled = len(detections)
    assert scores.ar == pytest.approx((labelled - 1) / labelled)


def test_single_person_images_are_those_with_one_labelled_person(annotated):
    ids = annotated.single_person_image_ids()
    assert ids == [1, 5]
    for image_id in ids:
        labelled = [a for a in annotated.coco.imgToAnns[image_id] if a['num_keypoints'] > 0]
        assert len(labelled) == 1


def test_the_default_model_scores_as_measured(annotated, models_dir):
    """The node's default model, stretched, TF.js refinement: AP 31.8 when measured."""
    images = annotated.read_images(annotated.image_ids)
    options = DecodeOptions(keep_aspect_ratio=False)
    result = run_setting(annotated, Setting(str(models_dir / DEFAULT_MODEL_FILE), options),
                         images)
    assert result.images == 8 and result.family == 'coral_decoder'
    assert 0.28 <= result.scores.ap <= 0.36, result.scores
    assert result.scores.ar >= 0.44
    letterboxed = run_setting(annotated, Setting(str(models_dir / DEFAULT_MODEL_FILE),
                                                 DecodeOptions(keep_aspect_ratio=True)), images)
    assert letterboxed.scores.ap > result.scores.ap  # 38.1 against 31.8


def test_movenet_beats_posenet_on_the_single_person_images(annotated, models_dir):
    images = annotated.read_images(annotated.single_person_image_ids())
    single = DecodeOptions(detection_mode='single')
    movenet = run_setting(annotated, Setting(
        str(models_dir / 'movenet_singlepose_lightning_int8.tflite'), single, True), images)
    posenet = run_setting(annotated, Setting(str(models_dir / DEFAULT_MODEL_FILE), single,
                                             True), images)
    assert movenet.images == posenet.images == 2
    assert movenet.scores.ap > posenet.scores.ap, (movenet.scores, posenet.scores)


def test_the_table_covers_every_setting():
    settings = table_settings(['a.tflite', 'b.tflite'], ['m.tflite'], DecodeOptions())
    multi_all = [s for s in settings if not s.single_person]
    assert len(multi_all) == 2 * 3 * 2
    assert {(s.options.keep_aspect_ratio, s.options.decoder_refinement) for s in multi_all} == {
        (aspect, refinement) for aspect in (False, True, 'auto')
        for refinement in ('tfjs', 'accurate')}
    single_person = [s for s in settings if s.single_person]
    assert [s.model for s in single_person[:1]] == ['m.tflite']
    assert len(single_person) == 1 + 2 * 2 * 2


def test_the_command_prints_a_row(models_dir, capsys, tmp_path, data_dir):
    status = main(['--model', str(models_dir / DEFAULT_MODEL_FILE), '--mode', 'single',
                   '--single-person', '--decoder-refinement', 'accurate'])
    out = capsys.readouterr().out
    assert status == 0
    assert 'AP50' in out and 'single2' in out and 'accurate' in out
    broken = tmp_path / 'broken.json'
    broken.write_text(json.dumps({'images': 'no'}))
    assert main(['--annotations', str(broken)]) == 2
