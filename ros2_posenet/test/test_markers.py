"""Poses to RViz markers: clearing, deterministic layout, projection, score filtering."""

import math

import pytest

pytest.importorskip('visualization_msgs')
from rclpy.serialization import deserialize_message, serialize_message  # noqa: E402
from sensor_msgs.msg import CameraInfo  # noqa: E402
from std_msgs.msg import Header  # noqa: E402
from visualization_msgs.msg import Marker, MarkerArray  # noqa: E402

from ros2_posenet.markers import (  # noqa: E402
    BONES_MARKER_ID, FALLBACK_HORIZONTAL_FOV_DEG, image_intrinsics, JOINT_DIAMETER_PX,
    JOINTS_MARKER_ID, MarkerOptions, person_namespace, poses_to_markers, SIDE_COLORS,
    TEXT_MARKER_ID)
from ros2_posenet.posenet.keypoints import (  # noqa: E402
    CONNECTED_PART_IDS, KeypointId, NUM_KEYPOINTS, PART_NAMES, PART_SIDES)
from ros2_posenet.posenet.pose import Keypoint, Pose  # noqa: E402

WIDTH, HEIGHT = 640, 480
FX, FY, CX, CY = 500.0, 520.0, 330.0, 250.0
OPTIONS = MarkerOptions(marker_depth=2.0, marker_lifetime_s=0.25, min_keypoint_score=0.3)


def make_header() -> Header:
    """Header with a distinctive stamp and the camera optical frame."""
    header = Header(frame_id='camera_color_optical_frame')
    header.stamp.sec = 1700000123
    header.stamp.nanosec = 456789012
    return header


def make_camera_info(k=None, p=None, width: int = WIDTH, height: int = HEIGHT) -> CameraInfo:
    """Return a CameraInfo of the given size with optional K (9) and P (12) values."""
    info = CameraInfo(width=width, height=height)
    if k is not None:
        info.k = [float(value) for value in k]
    if p is not None:
        info.p = [float(value) for value in p]
    return info


def calibrated() -> CameraInfo:
    """Return a CameraInfo with K = (FX, FY, CX, CY) at the image size."""
    return make_camera_info(k=[FX, 0, CX, 0, FY, CY, 0, 0, 1])


def make_pose(offset: float = 0.0, scores=None, score: float = 0.8) -> Pose:
    """Pose with spread-out keypoints, ``scores`` per part (default 0.9)."""
    scores = scores or [0.9] * NUM_KEYPOINTS
    keypoints = tuple(
        Keypoint(id=i, name=PART_NAMES[i], x=200.0 + offset + 7.0 * (i % 5),
                 y=100.0 + 15.0 * i, score=scores[i])
        for i in range(NUM_KEYPOINTS))
    return Pose(score=score, keypoints=keypoints)


def with_keypoint(pose: Pose, part: int, x: float, y: float, score: float = 0.9) -> Pose:
    """Return ``pose`` with keypoint ``part`` moved to ``(x, y)``."""
    keypoints = list(pose.keypoints)
    keypoints[part] = Keypoint(part, PART_NAMES[part], x=x, y=y, score=score)
    return Pose(pose.score, tuple(keypoints))


def find(array: MarkerArray, namespace: str, marker_id: int) -> Marker:
    """Return the only marker with ``namespace`` and ``marker_id``."""
    matches = [m for m in array.markers if m.ns == namespace and m.id == marker_id]
    assert len(matches) == 1, f'{namespace}/{marker_id}: {len(matches)} markers'
    return matches[0]


def joint_points(array: MarkerArray, person: int = 0) -> list[tuple[float, float, float]]:
    """Joint sphere centres of person ``person``, metres."""
    joints = find(array, person_namespace(person), JOINTS_MARKER_ID)
    return [(p.x, p.y, p.z) for p in joints.points]


def test_nobody_seen_gives_a_single_deleteall():
    """Nobody seen gives a single DELETEALL."""
    array = poses_to_markers([], make_header(),
                             image_intrinsics(None, WIDTH, HEIGHT), OPTIONS)
    assert len(array.markers) == 1
    marker = array.markers[0]
    assert marker.action == Marker.DELETEALL
    assert marker.ns == ''
    assert marker.header == make_header()


def test_every_array_starts_with_deleteall_then_one_namespace_per_person():
    """Every array starts with DELETEALL then one namespace per person."""
    poses = [make_pose(0.0), make_pose(150.0), make_pose(300.0)]
    array = poses_to_markers(poses, make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    assert array.markers[0].action == Marker.DELETEALL
    assert array.markers[0].ns == ''
    rest = array.markers[1:]
    assert all(m.action == Marker.ADD for m in rest)
    assert [(m.ns, m.id, m.type) for m in rest] == [
        (person_namespace(i), marker_id, marker_type)
        for i in range(3)
        for marker_id, marker_type in ((JOINTS_MARKER_ID, Marker.SPHERE_LIST),
                                       (BONES_MARKER_ID, Marker.LINE_LIST),
                                       (TEXT_MARKER_ID, Marker.TEXT_VIEW_FACING))]
    assert [person_namespace(i) for i in range(3)] == ['person_0', 'person_1', 'person_2']
    # RViz flags duplicate (ns, id) pairs within one array as an error.
    assert len({(m.ns, m.id) for m in array.markers}) == len(array.markers)


def test_markers_are_deterministic_across_calls():
    """Markers are deterministic across calls."""
    poses = [make_pose(0.0), make_pose(150.0)]
    first = poses_to_markers(poses, make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    second = poses_to_markers(poses, make_header(),
                              image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    assert first == second


def test_header_lifetime_and_orientation_of_every_marker():
    """Header lifetime and orientation of every marker."""
    array = poses_to_markers([make_pose()], make_header(),
                             image_intrinsics(None, WIDTH, HEIGHT), OPTIONS)
    for marker in array.markers:
        assert marker.header == make_header()
    for marker in array.markers[1:]:
        assert (marker.lifetime.sec, marker.lifetime.nanosec) == (0, 250_000_000)
        assert marker.pose.orientation.w == 1.0
        assert marker.frame_locked is False


def test_principal_point_projects_onto_the_optical_axis():
    """Principal point projects onto the optical axis."""
    pose = with_keypoint(make_pose(), KeypointId.NOSE, CX, CY)
    pose = with_keypoint(pose, KeypointId.LEFT_EYE, CX + FX, CY - 2 * FY)
    array = poses_to_markers([pose], make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    points = joint_points(array)
    assert points[KeypointId.NOSE] == pytest.approx((0.0, 0.0, 2.0))
    assert points[KeypointId.LEFT_EYE] == pytest.approx((2.0, -4.0, 2.0))
    for keypoint, point in zip(pose.keypoints, points):
        assert point == pytest.approx(
            ((keypoint.x - CX) * 2.0 / FX, (keypoint.y - CY) * 2.0 / FY, 2.0))


def test_projection_uses_p_when_k_is_zero():
    """Projection uses P when K is zero."""
    info = make_camera_info(p=[FX, 0, CX, 0, 0, FY, CY, 0, 0, 0, 1, 0])
    intrinsics = image_intrinsics(info, WIDTH, HEIGHT)
    assert (intrinsics.fx, intrinsics.fy, intrinsics.cx, intrinsics.cy) == (FX, FY, CX, CY)
    assert intrinsics.source == 'camera_info.p'
    assert image_intrinsics(calibrated(), WIDTH, HEIGHT).source == 'camera_info.k'


def test_intrinsics_scale_with_the_image_size():
    """Intrinsics scale with the image size."""
    info = make_camera_info(k=[FX, 0, CX, 0, FY, CY, 0, 0, 1], width=2 * WIDTH,
                            height=4 * HEIGHT)
    intrinsics = image_intrinsics(info, WIDTH, HEIGHT)
    assert (intrinsics.fx, intrinsics.cx) == (FX / 2, CX / 2)
    assert (intrinsics.fy, intrinsics.cy) == (FY / 4, CY / 4)


@pytest.mark.parametrize('camera_info', [None, make_camera_info(),
                                         make_camera_info(k=[math.nan] * 9)])
def test_fallback_is_a_60_degree_pinhole_centred_on_the_image(camera_info):
    """Fallback is a 60 degree pinhole centred on the image."""
    intrinsics = image_intrinsics(camera_info, WIDTH, HEIGHT)
    assert intrinsics.source == 'fallback'
    focal = WIDTH / 2 / math.tan(math.radians(FALLBACK_HORIZONTAL_FOV_DEG / 2))
    assert (intrinsics.fx, intrinsics.fy) == pytest.approx((focal, focal))
    assert (intrinsics.cx, intrinsics.cy) == (WIDTH / 2, HEIGHT / 2)
    # The image centre lies on the axis, the right edge at the half field of view.
    pose = with_keypoint(make_pose(), KeypointId.NOSE, WIDTH / 2, HEIGHT / 2)
    pose = with_keypoint(pose, KeypointId.LEFT_EYE, WIDTH, HEIGHT / 2)
    points = joint_points(poses_to_markers(
        [pose], make_header(), image_intrinsics(camera_info, WIDTH, HEIGHT), OPTIONS))
    assert points[KeypointId.NOSE] == pytest.approx((0.0, 0.0, 2.0))
    assert points[KeypointId.LEFT_EYE] == pytest.approx((2.0 * math.tan(math.radians(30)),
                                                         0.0, 2.0))


def test_sizes_follow_pixels_at_the_marker_depth():
    """Sizes follow pixels at the marker depth."""
    array = poses_to_markers([make_pose()], make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    joints = find(array, 'person_0', JOINTS_MARKER_ID)
    assert joints.scale.x == pytest.approx(JOINT_DIAMETER_PX * 2.0 / FX)
    assert joints.scale.x == joints.scale.y == joints.scale.z


def test_low_score_keypoints_and_their_bones_are_left_out():
    """Low score keypoints and their bones are left out."""
    scores = [0.9] * NUM_KEYPOINTS
    scores[KeypointId.LEFT_WRIST] = 0.29
    scores[KeypointId.RIGHT_HIP] = 0.0
    scores[KeypointId.NOSE] = 0.3  # at the threshold: kept
    pose = make_pose(scores=scores)
    array = poses_to_markers([pose], make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    joints = find(array, 'person_0', JOINTS_MARKER_ID)
    assert len(joints.points) == len(joints.colors) == NUM_KEYPOINTS - 2
    expected_x = [(k.x - CX) * 2.0 / FX for k in pose.keypoints
                  if k.id not in (KeypointId.LEFT_WRIST, KeypointId.RIGHT_HIP)]
    assert [p.x for p in joints.points] == pytest.approx(expected_x)
    bones = find(array, 'person_0', BONES_MARKER_ID)
    kept = [bone for bone in CONNECTED_PART_IDS
            if not {KeypointId.LEFT_WRIST, KeypointId.RIGHT_HIP} & set(bone)]
    assert len(kept) == len(CONNECTED_PART_IDS) - 4
    assert len(bones.points) == len(bones.colors) == 2 * len(kept)


def test_person_with_no_keypoint_above_threshold_gets_only_text():
    """Person with no keypoint above threshold gets only text."""
    pose = make_pose(scores=[0.1] * NUM_KEYPOINTS, score=0.1)
    array = poses_to_markers([pose], make_header(),
                             image_intrinsics(None, WIDTH, HEIGHT), OPTIONS)
    assert [(m.ns, m.id) for m in array.markers[1:]] == [('person_0', TEXT_MARKER_ID)]


def test_colours_follow_body_side_and_alpha_grows_with_score():
    """Colours follow body side and alpha grows with score."""
    scores = [0.5 + 0.5 * i / (NUM_KEYPOINTS - 1) for i in range(NUM_KEYPOINTS)]
    array = poses_to_markers([make_pose(scores=scores)], make_header(),
                             image_intrinsics(None, WIDTH, HEIGHT), OPTIONS)
    joints = find(array, 'person_0', JOINTS_MARKER_ID)
    for part, color in enumerate(joints.colors):
        assert (color.r, color.g, color.b) == pytest.approx(SIDE_COLORS[PART_SIDES[part]])
    alphas = [color.a for color in joints.colors]
    assert alphas == sorted(alphas) and alphas[0] < alphas[-1] <= 1.0 and alphas[0] > 0.0
    bones = find(array, 'person_0', BONES_MARKER_ID)
    for bone_index, (first, second) in enumerate(CONNECTED_PART_IDS):
        sides = {PART_SIDES[first], PART_SIDES[second]}
        side = sides.pop() if len(sides) == 1 else 'centre'
        for color in bones.colors[2 * bone_index:2 * bone_index + 2]:
            assert (color.r, color.g, color.b) == pytest.approx(SIDE_COLORS[side])
    assert SIDE_COLORS['left'] != SIDE_COLORS['right'] != SIDE_COLORS['centre']


def test_text_shows_index_and_score_above_the_head():
    """Text shows index and score above the head."""
    poses = [make_pose(0.0, score=0.8), make_pose(200.0, score=0.55)]
    array = poses_to_markers(poses, make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    for index, pose in enumerate(poses):
        text = find(array, person_namespace(index), TEXT_MARKER_ID)
        assert text.text == f'person {index} {pose.score:.2f}'
        assert text.scale.z > 0.0 and text.color.a == 1.0
        joint_ys = [p[1] for p in joint_points(array, index)]
        assert text.pose.position.y < min(joint_ys)  # y down: smaller is higher
        assert text.pose.position.z == 2.0


def test_markers_serialize():
    """The array survives serialization."""
    array = poses_to_markers([make_pose(), make_pose(100.0)], make_header(),
                             image_intrinsics(calibrated(), WIDTH, HEIGHT), OPTIONS)
    copy = deserialize_message(serialize_message(array), MarkerArray)
    assert len(copy.markers) == len(array.markers)
    assert copy.markers[1].points[0].x == pytest.approx(array.markers[1].points[0].x)


@pytest.mark.parametrize('kwargs, field', [
    ({'marker_depth': 0.0}, 'marker_depth'),
    ({'marker_depth': math.inf}, 'marker_depth'),
    ({'marker_lifetime_s': -1.0}, 'marker_lifetime_s'),
    ({'marker_lifetime_s': math.nan}, 'marker_lifetime_s'),
    ({'min_keypoint_score': 1.5}, 'min_keypoint_score'),
])
def test_options_are_validated(kwargs, field):
    """Options are validated."""
    values = {'marker_depth': 2.0, 'marker_lifetime_s': 0.5, 'min_keypoint_score': 0.2}
    values.update(kwargs)
    with pytest.raises(ValueError, match=field):
        MarkerOptions(**values)


def test_zero_image_size_is_rejected():
    """Zero image size is rejected."""
    with pytest.raises(ValueError, match='image size 0x480'):
        poses_to_markers([], make_header(), image_intrinsics(None, 0, 480), OPTIONS)


def test_tracked_people_get_their_id_namespace_colour_and_text():
    from ros2_posenet.markers import track_namespace  # noqa: E402
    from ros2_posenet.posenet import track_color  # noqa: E402
    poses = [make_pose(), make_pose(100.0), make_pose(200.0)]
    array = poses_to_markers(poses, make_header(), image_intrinsics(None, WIDTH, HEIGHT),
                             OPTIONS, ids=[7, 0, 12])
    namespaces = {marker.ns for marker in array.markers[1:]}
    assert namespaces == {track_namespace(7), person_namespace(1), track_namespace(12)}
    texts = {m.ns: m for m in array.markers if m.type == Marker.TEXT_VIEW_FACING}
    assert texts['track_7'].text.startswith('#7 ')
    assert texts['person_1'].text.startswith('person 1 ')
    blue, green, red = track_color(7)
    bones = next(m for m in array.markers if m.ns == 'track_7' and m.id == BONES_MARKER_ID)
    assert (bones.colors[0].r, bones.colors[0].g, bones.colors[0].b) == pytest.approx(
        (red / 255, green / 255, blue / 255))
    assert track_color(7) == track_color(7) != track_color(8)
