"""The bearing quaternion of the person follower: a yaw of the optical axis (no ROS)."""

import math

import numpy as np
import pytest

from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.following import bearing_quaternion, Quaternion


def test_straight_ahead_is_the_identity():
    q = bearing_quaternion((0.0, 0.0, 3.0))
    assert (q.x, q.y, q.z, q.w) == pytest.approx((0, 0, 0, 1))


@pytest.mark.parametrize('x, z', [(1.0, 1.0), (-2.0, 1.0), (0.5, -3.0), (3.0, 0.0)])
def test_optical_axis_turns_onto_the_horizontal_bearing(x, z):
    q = bearing_quaternion((x, 0.7, z))  # 0.7 m below the optical axis: elevation dropped
    assert math.hypot(q.x, q.y, q.z, q.w) == pytest.approx(1.0)
    assert q.x == pytest.approx(0.0) and q.z == pytest.approx(0.0)  # about the y axis only
    expected = np.array([x, 0.0, z]) / math.hypot(x, z)
    assert q.rotate((0, 0, 1)) == pytest.approx(expected)
    assert q.rotate((0, 1, 0)) == pytest.approx([0, 1, 0])  # down stays down


def test_person_to_the_right_is_a_positive_rotation_about_y():
    q = bearing_quaternion((1.0, 0.0, 1.0))
    angle = 2 * math.atan2(q.y, q.w)
    assert angle == pytest.approx(math.radians(45))


def test_no_horizontal_part_gives_the_identity():
    assert bearing_quaternion((0.0, 0.0, 0.0)) == Quaternion()
    assert bearing_quaternion((0.0, -2.0, 0.0)) == Quaternion()


def test_other_axes_and_sign_of_up():
    # REP-103 body frame: x forward, z up; a point to the left (+y) is a +90 degree yaw
    q = bearing_quaternion((0.0, 2.0, 0.0), forward=(1, 0, 0), up=(0, 0, 1))
    assert q.rotate((1, 0, 0)) == pytest.approx([0, 1, 0])
    assert 2 * math.atan2(q.z, q.w) == pytest.approx(math.pi / 2)
    flipped = bearing_quaternion((1.0, 0.0, 2.0), up=(0, 1, 0))
    assert flipped.rotate((0, 0, 1)) == pytest.approx(
        bearing_quaternion((1.0, 0.0, 2.0)).rotate((0, 0, 1)))


def test_bad_axes_are_refused():
    with pytest.raises(InputError, match='parallel'):
        bearing_quaternion((1, 0, 1), forward=(0, 1, 0))
    with pytest.raises(InputError, match='zero'):
        bearing_quaternion((1, 0, 1), up=(0, 0, 0))
    with pytest.raises(InputError, match='finite'):
        bearing_quaternion((math.nan, 0, 1))
