"""TargetSelector: acquisition, hysteresis, lock and release, timeouts, all by stamps (no ROS)."""

import numpy as np
import pytest

from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.following import (Candidates, SelectorConfig, TargetEvent,
                                            TargetSelector)

T0 = 1_700_000_000.0  # stamps in seconds, as from a camera


def at(distances: dict[int, float | None]) -> Candidates:
    """People straight ahead at the given distances (None = no 3D position), by track id."""
    ids = list(distances)
    positions = [(0.0, 0.0, d or 0.0) for d in distances.values()]
    has_position = [d is not None for d in distances.values()]
    boxes = [(100.0 * i, 100.0, 100.0 * i + 50.0, 300.0) for i in range(len(ids))]
    return Candidates(np.array(ids, np.int64), np.array(boxes).reshape(-1, 4),
                      np.array(positions).reshape(-1, 3), np.array(has_position, bool),
                      (640, 480))


def selector(**settings) -> TargetSelector:
    config = dict(policy='nearest', switch_margin=0.2, switch_time=1.0, target_timeout=1.0)
    config.update(settings)
    return TargetSelector(SelectorConfig(**config))


def test_first_target_is_chosen_at_once():
    chooser = selector()
    first = chooser.update(at({0: 0.5, 4: 3.0, 2: 2.0}), T0)
    assert (first.target_id, first.index, first.event) == (2, 2, TargetEvent.ACQUIRED)
    assert first.previous_id == 0 and not first.locked and first.target_seen_s == T0
    steady = chooser.update(at({0: 0.5, 4: 3.0, 2: 2.0}), T0 + 0.1)
    assert (steady.target_id, steady.event) == (2, None)


def test_a_switch_needs_the_margin():
    chooser = selector()
    chooser.update(at({1: 3.0}), T0)
    for step in range(1, 40):  # 3.0 / 2.6 = 1.15 < 1.2: never better by the margin
        assert chooser.update(at({1: 3.0, 2: 2.6}), T0 + 0.1 * step).target_id == 1


def test_a_switch_needs_switch_time_of_stamps():
    chooser = selector()
    chooser.update(at({1: 3.0}), T0)
    people = at({1: 3.0, 2: 2.4})  # 3.0 / 2.4 = 1.25: better by 20 %
    assert chooser.update(people, T0 + 1.0).target_id == 1  # 2 leads from here
    assert chooser.update(people, T0 + 1.5).target_id == 1
    assert chooser.update(people, T0 + 1.99).target_id == 1
    switched = chooser.update(people, T0 + 2.0)
    assert (switched.target_id, switched.index) == (2, 1)
    assert (switched.event, switched.previous_id) == (TargetEvent.SWITCHED, 1)


def test_a_lead_that_lapses_starts_again():
    chooser = selector()
    chooser.update(at({1: 3.0}), T0)
    chooser.update(at({1: 3.0, 2: 2.0}), T0 + 0.1)
    chooser.update(at({1: 3.0, 2: 2.0}), T0 + 0.8)
    chooser.update(at({1: 3.0, 2: 2.9}), T0 + 0.9)  # not better: the lead lapses
    assert chooser.update(at({1: 3.0, 2: 2.0}), T0 + 1.2).target_id == 1
    assert chooser.update(at({1: 3.0, 2: 2.0}), T0 + 2.1).target_id == 1
    assert chooser.update(at({1: 3.0, 2: 2.0}), T0 + 2.2).target_id == 2


def test_the_best_of_those_who_led_long_enough_wins():
    chooser = selector()
    chooser.update(at({1: 4.0}), T0)
    # 2 and 3 are both better than 1 all along, and swap places as the nearest
    chooser.update(at({1: 4.0, 2: 2.0, 3: 2.5}), T0 + 0.1)
    chooser.update(at({1: 4.0, 2: 2.5, 3: 2.0}), T0 + 0.6)
    assert chooser.update(at({1: 4.0, 2: 2.0, 3: 2.5}), T0 + 1.1).target_id == 2


def test_zero_switch_time_switches_on_the_first_better_image():
    chooser = selector(switch_time=0.0, switch_margin=0.0)
    chooser.update(at({1: 3.0}), T0)
    assert chooser.update(at({1: 3.0, 2: 2.99}), T0 + 0.1).target_id == 2


def test_an_unseen_target_is_held_then_lost_after_the_timeout():
    chooser = selector()
    chooser.update(at({1: 3.0, 2: 2.9}), T0)
    assert chooser.target_id == 2
    held = chooser.update(at({1: 3.0}), T0 + 0.5)
    assert (held.target_id, held.index, held.event) == (2, None, None)
    assert chooser.update(at({1: 3.0}), T0 + 1.0).target_id == 2  # exactly the timeout
    repicked = chooser.update(at({1: 3.0}), T0 + 1.01)
    assert (repicked.target_id, repicked.index) == (1, 0)
    assert (repicked.event, repicked.previous_id) == (TargetEvent.ACQUIRED, 2)


def test_a_lost_target_with_nobody_left():
    chooser = selector(target_timeout=0.3)
    chooser.update(at({5: 2.0}), T0)
    assert chooser.update(Candidates.empty(), T0 + 0.3).target_id == 5
    lost = chooser.update(Candidates.empty(), T0 + 0.31)
    assert (lost.target_id, lost.event, lost.previous_id) == (0, TargetEvent.LOST, 5)
    assert chooser.update(Candidates.empty(), T0 + 0.4).event is None


def test_nearest_needs_3d_positions():
    chooser = selector()
    blind = chooser.update(at({1: None, 2: None}), T0)
    assert (blind.target_id, blind.needs_positions) == (0, True)
    assert not chooser.update(Candidates.empty(), T0 + 0.1).needs_positions
    assert not chooser.update(at({0: 1.0}), T0 + 0.2).needs_positions  # nobody tracked
    seen = chooser.update(at({1: None, 2: 4.0}), T0 + 0.3)
    assert (seen.target_id, seen.needs_positions) == (2, False)
    assert not selector(policy='largest').update(at({1: None}), T0).needs_positions


def test_a_target_that_loses_its_position_is_beaten_after_switch_time():
    chooser = selector()
    chooser.update(at({1: 2.0, 2: 5.0}), T0)
    assert chooser.update(at({1: None, 2: 5.0}), T0 + 0.5).target_id == 1
    assert chooser.update(at({1: None, 2: 5.0}), T0 + 1.4).target_id == 1
    assert chooser.update(at({1: None, 2: 5.0}), T0 + 1.5).target_id == 2


def test_lock_overrides_the_policy_and_release_hands_back_smoothly():
    chooser = selector()
    chooser.update(at({1: 1.0, 2: 5.0}), T0)
    chooser.lock(2)
    assert (chooser.locked_id, chooser.target_id) == (2, 2)
    for step in range(1, 30):
        selection = chooser.update(at({1: 1.0, 2: 5.0}), T0 + 0.1 * step)
        assert (selection.target_id, selection.index, selection.locked) == (2, 1, True)
    chooser.release()
    assert (chooser.locked_id, chooser.target_id) == (0, 2)
    t = T0 + 3.0
    assert chooser.update(at({1: 1.0, 2: 5.0}), t).target_id == 2  # hysteresis, no jump
    assert chooser.update(at({1: 1.0, 2: 5.0}), t + 1.0).target_id == 1


def test_lock_refuses_a_track_not_seen_recently():
    chooser = selector()
    with pytest.raises(InputError, match=r'track 3 was not seen .*tracks seen: \[\]'):
        chooser.lock(3)
    chooser.update(at({3: 2.0, 4: 2.0}), T0)
    chooser.update(at({4: 2.0}), T0 + 1.5)
    assert chooser.seen_ids() == (4,)
    with pytest.raises(InputError, match=r'tracks seen: \[4\]'):
        chooser.lock(3)
    for bad in (0, -1, 2**32, True, 1.5):
        with pytest.raises(InputError, match='track id'):
            chooser.lock(bad)
    assert chooser.locked_id == 0


def test_a_locked_track_that_times_out_keeps_the_lock():
    chooser = selector(target_timeout=0.5)
    chooser.update(at({1: 1.0, 2: 3.0}), T0)
    chooser.lock(2)
    gone = [chooser.update(at({1: 1.0}), T0 + dt) for dt in (0.2, 0.5, 0.6, 3.0)]
    assert [s.event for s in gone] == [None, None, TargetEvent.LOST, None]
    assert all(s.target_id == 2 and s.index is None and s.locked for s in gone)
    assert gone[-1].target_seen_s == T0
    back = chooser.update(at({1: 1.0, 2: 3.0}), T0 + 4.0)
    assert (back.target_id, back.index, back.event) == (2, 1, TargetEvent.ACQUIRED)


def test_release_of_a_lost_lock_lets_the_policy_pick_at_once():
    chooser = selector(target_timeout=0.5)
    chooser.update(at({1: 1.0, 2: 3.0}), T0)
    chooser.lock(2)
    chooser.update(at({1: 1.0}), T0 + 1.0)
    chooser.release()
    assert chooser.target_id == 0
    picked = chooser.update(at({1: 1.0}), T0 + 1.1)
    assert (picked.target_id, picked.event) == (1, TargetEvent.ACQUIRED)


def test_a_lock_from_the_start_waits_for_its_track():
    chooser = TargetSelector(SelectorConfig(), locked_id=7)
    waiting = chooser.update(at({1: 1.0}), T0)
    assert (waiting.target_id, waiting.index, waiting.event) == (7, None, None)
    found = chooser.update(at({1: 1.0, 7: 6.0}), T0 + 10.0)
    assert (found.target_id, found.index, found.event) == (7, 1, TargetEvent.ACQUIRED)


def test_stamps_going_backwards_reset_all_but_the_lock():
    chooser = selector()
    chooser.update(at({1: 1.0, 2: 3.0}), T0 + 100)
    backwards = chooser.update(at({1: 1.0, 2: 3.0}), T0)
    assert backwards.reset_reason and 'backwards' in backwards.reset_reason
    assert backwards.event is TargetEvent.ACQUIRED and backwards.previous_id == 0
    chooser.lock(2)
    again = chooser.update(at({1: 1.0, 2: 3.0}), T0 - 50)
    assert again.reset_reason and (again.target_id, again.index) == (2, 1)
    assert chooser.update(at({1: 1.0, 2: 3.0}), T0 - 50).reset_reason is None  # repeat: fine


def test_policy_change_applies_with_hysteresis():
    chooser = selector(policy='largest')
    wide = Candidates(np.array([1, 2]), np.array([[0, 0, 100, 100], [0, 0, 10, 10.0]]),
                      np.array([[0, 0, 5.0], [0, 0, 1.0]]), np.array([True, True]), (640, 480))
    assert chooser.update(wide, T0).target_id == 1
    chooser.configure(SelectorConfig(policy='nearest'))
    assert chooser.update(wide, T0 + 0.5).target_id == 1
    assert chooser.update(wide, T0 + 1.5).target_id == 2


def test_oldest_prefers_the_smaller_id_after_switch_time():
    chooser = selector(policy='oldest', switch_margin=5.0)
    chooser.update(at({8: 1.0}), T0)
    assert chooser.update(at({8: 1.0, 3: 1.0}), T0 + 0.1).target_id == 8
    assert chooser.update(at({8: 1.0, 3: 1.0}), T0 + 1.1).target_id == 3


@pytest.mark.parametrize('settings, message', [
    (dict(policy='fastest'), 'policy must be one of'),
    (dict(switch_margin=-0.1), 'switch_margin'),
    (dict(switch_time=float('nan')), 'switch_time'),
    (dict(target_timeout=61.0), 'target_timeout'),
    (dict(target_timeout=True), 'target_timeout'),
])
def test_config_is_validated(settings, message):
    with pytest.raises(InputError, match=message):
        SelectorConfig(**settings)
