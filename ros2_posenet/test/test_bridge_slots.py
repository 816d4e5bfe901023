"""SlotAssigner: a person keeps its slot while tracked; newcomers take the lowest free slot."""

import numpy as np
import pytest

from ros2_posenet.posenet.serialization import SlotAssigner


def test_new_ids_take_the_lowest_free_slots_in_row_order():
    slots = SlotAssigner()
    assert slots.assign([7, 3, 9], 0.0).tolist() == [0, 1, 2]


def test_a_tracked_person_keeps_its_slot_whatever_the_row_order():
    slots = SlotAssigner()
    slots.assign([7, 3], 0.0)
    assert slots.assign([3, 7], 0.1).tolist() == [1, 0]
    assert slots.assign([3], 0.2).tolist() == [1]  # 7 missed once: slot 0 stays reserved
    assert slots.assign([5, 3], 0.3).tolist() == [2, 1]
    assert slots.assign([7, 5, 3], 0.4).tolist() == [0, 2, 1]


def test_a_slot_is_freed_after_hold_s_and_reused_by_the_next_newcomer():
    slots = SlotAssigner(hold_s=0.5)
    slots.assign([1, 2], 0.0)
    slots.assign([2], 0.4)
    assert slots.assign([2], 0.6).tolist() == [1]  # 1 unseen for 0.6 s > 0.5 s: freed
    assert slots.slots == {2: 1}
    assert slots.assign([2, 8], 0.7).tolist() == [1, 0]


def test_alive_ids_free_a_slot_exactly_when_the_track_dies():
    slots = SlotAssigner(hold_s=100.0)
    slots.assign([1, 2], 0.0, alive_ids=[1, 2])
    assert slots.assign([2], 0.1, alive_ids=[1, 2]).tolist() == [1]  # 1 lost, still alive
    assert slots.slots == {1: 0, 2: 1}
    assert slots.assign([2, 4], 0.2, alive_ids=[2, 4]).tolist() == [1, 0]  # 1 died


def test_untracked_people_take_free_slots_for_one_frame_only():
    slots = SlotAssigner()
    assert slots.assign([0, 4, 0], 0.0).tolist() == [1, 0, 2]
    assert slots.slots == {4: 0}
    assert slots.assign([6, 4], 0.1).tolist() == [1, 0]  # slot 1 was never held by id 0


def test_a_repeated_id_keeps_its_slot_on_its_first_row_only():
    slots = SlotAssigner()
    result = slots.assign([5, 5], 0.0)
    assert sorted(result.tolist()) == [0, 1] and result[0] == 0


def test_a_stamp_going_backwards_frees_every_slot():
    slots = SlotAssigner()
    slots.assign([1, 2], 10.0)
    assert slots.assign([2], 1.0).tolist() == [0]


def test_slots_stay_distinct_and_stable_over_a_random_sequence():
    rng = np.random.default_rng(3)
    slots = SlotAssigner(hold_s=0.3)
    previous: dict[int, int] = {}
    for frame in range(300):
        ids = rng.choice(np.arange(0, 12), size=rng.integers(0, 6), replace=False)
        result = slots.assign(ids, frame * 0.1).tolist()
        assert len(set(result)) == len(result)
        current = {track_id: slot for track_id, slot in zip(ids.tolist(), result) if track_id}
        for track_id, slot in current.items():  # seen in two frames in a row: same slot
            assert previous.get(track_id, slot) == slot
        previous = current


@pytest.mark.parametrize('hold_s', [-1.0, float('nan'), float('inf')])
def test_a_bad_hold_time_is_refused(hold_s):
    with pytest.raises(ValueError, match='hold_s'):
        SlotAssigner(hold_s)
