"""``TargetSelector``: whom to follow, image after image, with hysteresis, a lock and a timeout.

Time comes only from the image stamps (seconds), never from the wall clock or frame counts, so
replayed bags, sim time and irregular rates behave as live cameras do. Per image:

1. A stamp earlier than the previous one (a bag loop) resets the target state (the lock stays).
2. Locked (``lock(id)``): the target is that track whenever it is seen, whatever the policy. A
   locked track unseen for more than ``target_timeout`` is reported lost (``LOST``, once) but
   the lock is kept: nothing else becomes the target until the track comes back or the lock
   is released. Following someone else without being asked is the worse failure for a robot
   told whom to follow; the tracker never reuses ids, so a person lost for longer than its
   ``max_age`` comes back under a new id and the lock must then be released or set again.
3. Automatic (no lock): with no target, the best-scoring tracked person becomes the target at
   once (``ACQUIRED``). A target unseen is kept, with nobody replacing it, for up to
   ``target_timeout``; after that it is lost and the policy picks again in the same image. A
   target seen is replaced only by a person who has been better by ``switch_margin``
   (``Policy.is_better``) in every image where both were seen over at least ``switch_time``
   (the best such person wins: ``SWITCHED``); a person whose lead lapses for one image starts
   again. A target the policy cannot score (``nearest`` without a position in this image) is
   beaten by anyone it can score, after the same ``switch_time``.

Only tracked people (id > 0) are ever targets.
"""

from dataclasses import dataclass, replace
import enum
from typing import Final

import numpy as np

from ..errors import InputError
from .candidates import Candidates
from .config import MAX_TRACK_ID, SelectorConfig
from .policies import POLICY_TABLE, POSITION_POLICIES

STAMP_TOLERANCE_S: Final[float] = 1e-6
"""Slack, in seconds, of every comparison of a duration with ``switch_time`` or
``target_timeout``: a present-day stamp in float seconds is only precise to about 0.24 us, and a
duration equal to a setting must count as equal whatever the rounding."""


class TargetEvent(enum.Enum):
    """What changed in one update."""

    ACQUIRED = 'acquired'
    """A target where there was none (or where one was lost in this very image), or a locked
    track seen again after it was lost."""
    SWITCHED = 'switched'
    """The automatic target passed to a better person (hysteresis satisfied)."""
    LOST = 'lost'
    """The target went unseen for more than ``target_timeout`` (locked: the lock is kept)."""


@dataclass(frozen=True)
class Selection:
    """The outcome of one ``TargetSelector.update``.

    Attributes:
        target_id: Track id of the target, 0 when there is none. While locked it is the locked
            id even when that track is not seen.
        index: Row of the target in this update's ``Candidates``; ``None`` when the target is
            not seen in this image (nothing fresh to publish).
        locked: Whether a lock chose the target.
        event: What changed in this update, ``None`` when nothing did.
        previous_id: The target before this update (0 = none).
        target_seen_s: Stamp (seconds) the target was last seen, ``None`` if never.
        needs_positions: True when the policy needs 3D positions (``nearest``) and tracked
            people were seen but none had one: nobody could be chosen.
        reset_reason: Why the state was reset before this update, else ``None``.
    """

    target_id: int
    index: int | None
    locked: bool
    event: TargetEvent | None = None
    previous_id: int = 0
    target_seen_s: float | None = None
    needs_positions: bool = False
    reset_reason: str | None = None


class TargetSelector:
    """Chooses the person to follow from the ``Candidates`` of each image."""

    def __init__(self, config: SelectorConfig, locked_id: int = 0) -> None:
        """Start without a target.

        Args:
            config: Policy and timing.
            locked_id: A track to lock onto from the start (0 = automatic); it needs not have
                been seen (the lock waits for it).

        Raises:
            InputError: ``locked_id`` is not a track id (0 to 2**32 - 1).
        """
        self._config = config
        self._locked_id = 0
        self._last_stamp: float | None = None
        self._last_seen: dict[int, float] = {}  # track id -> stamp, seen within the timeout
        self._target_id = 0
        self._target_seen_s: float | None = None
        self._target_lost = False
        self._better_since: dict[int, float] = {}  # challenger id -> first stamp it led
        self._clear_target()
        if locked_id:
            self.lock(locked_id, require_seen=False)

    # --- state --------------------------------------------------------------------------
    @property
    def config(self) -> SelectorConfig:
        """The settings in use."""
        return self._config

    @property
    def locked_id(self) -> int:
        """The locked track id, 0 when the choice is automatic."""
        return self._locked_id

    @property
    def target_id(self) -> int:
        """The current target's track id, 0 when there is none."""
        return self._target_id

    def seen_ids(self) -> tuple[int, ...]:
        """Return the tracks seen within ``target_timeout`` of the newest stamp, ascending."""
        return tuple(sorted(i for i in self._last_seen if self.recently_seen(i)))

    def recently_seen(self, track_id: int) -> bool:
        """Return whether ``track_id`` was seen within ``target_timeout`` of the newest stamp."""
        seen = self._last_seen.get(track_id)
        return (seen is not None and self._last_stamp is not None
                and self._last_stamp - seen <= self._config.target_timeout + STAMP_TOLERANCE_S)

    def _clear_target(self) -> None:
        self._target_id = self._locked_id
        self._target_seen_s = None
        self._target_lost = bool(self._locked_id)  # a lock not (yet) seen is "lost"
        self._better_since = {}

    # --- commands -----------------------------------------------------------------------
    def configure(self, config: SelectorConfig) -> None:
        """Use new settings from the next update; a policy change restarts the hysteresis."""
        if config.policy != self._config.policy:
            self._better_since = {}
        self._config = config

    def lock(self, track_id: int, require_seen: bool = True) -> None:
        """Follow ``track_id`` whatever the policy, until ``release``.

        Args:
            track_id: Track id, 1 to 2**32 - 1.
            require_seen: Refuse a track not seen within ``target_timeout`` of the newest
                stamp (what a user picking someone visible means); False lets the lock wait
                for a track to appear.

        Raises:
            InputError: The id is out of range, or (``require_seen``) not seen recently;
                the message lists the tracks that are.
        """
        if isinstance(track_id, bool) or not isinstance(track_id, (int, np.integer)) or not (
                1 <= track_id <= MAX_TRACK_ID):
            raise InputError(f'a track id to lock must be in [1, {MAX_TRACK_ID}], '
                             f'got {track_id!r}')
        track_id = int(track_id)
        if require_seen and not self.recently_seen(track_id):
            raise InputError(
                f'track {track_id} was not seen within target_timeout '
                f'({self._config.target_timeout:g} s); tracks seen: {list(self.seen_ids())}')
        self._locked_id = track_id
        if track_id != self._target_id:
            self._target_id = track_id
            self._target_seen_s = self._last_seen.get(track_id)
            self._target_lost = not self.recently_seen(track_id)
        self._better_since = {}

    def release(self) -> None:
        """Return to the automatic choice; the current target stays until the policy says."""
        if not self._locked_id:
            return
        self._locked_id = 0
        if self._target_lost:
            self._clear_target()
        self._better_since = {}

    def reset(self) -> None:
        """Forget the target and every track seen (the lock stays, waiting for its track)."""
        self._last_stamp = None
        self._last_seen = {}
        self._clear_target()

    # --- one image ----------------------------------------------------------------------
    def update(self, candidates: Candidates, stamp_s: float) -> Selection:
        """Choose the target for one image.

        Args:
            candidates: Everyone seen in the image.
            stamp_s: The image stamp, seconds (any epoch, non-decreasing).

        Returns:
            The choice; ``index`` is the target's row in ``candidates`` when it is seen.
        """
        reset_reason = None
        if self._last_stamp is not None and stamp_s < self._last_stamp:
            reset_reason = (f'stamp went backwards ({stamp_s:.3f} s after '
                            f'{self._last_stamp:.3f} s): target forgotten')
            self.reset()
        self._last_stamp = stamp_s
        timeout = self._config.target_timeout
        for track_id in candidates.ids[candidates.ids > 0].tolist():
            self._last_seen[track_id] = stamp_s
        self._last_seen = {i: s for i, s in self._last_seen.items()
                           if stamp_s - s <= timeout + STAMP_TOLERANCE_S}
        policy = POLICY_TABLE[self._config.policy]
        scores = policy.scores(candidates)
        needs_positions = (policy.name in POSITION_POLICIES and bool(np.any(candidates.ids > 0))
                           and not bool(np.any(np.isfinite(scores))))
        previous_id = self._target_id
        if self._locked_id:
            selection = self._update_locked(candidates, stamp_s)
        else:
            selection = self._update_automatic(candidates, scores, stamp_s)
        return replace(selection, previous_id=previous_id, target_seen_s=self._target_seen_s,
                       needs_positions=needs_positions, reset_reason=reset_reason)

    def _update_locked(self, candidates: Candidates, stamp_s: float) -> Selection:
        index = candidates.index_of(self._locked_id)
        event = None
        if index is not None:
            if self._target_lost:
                event = TargetEvent.ACQUIRED
            self._target_seen_s = stamp_s
            self._target_lost = False
        elif not self._target_lost and self._unseen_too_long(stamp_s):
            event = TargetEvent.LOST
            self._target_lost = True
        return Selection(self._locked_id, index, locked=True, event=event)

    def _update_automatic(self, candidates: Candidates, scores: np.ndarray,
                          stamp_s: float) -> Selection:
        policy = POLICY_TABLE[self._config.policy]
        event = None
        index = candidates.index_of(self._target_id)
        if self._target_id and index is None:
            self._better_since = {}
            if not self._unseen_too_long(stamp_s):
                return Selection(self._target_id, None, locked=False)  # held
            self._clear_target()
            event = TargetEvent.LOST
        if not self._target_id:
            best = policy.best_index(scores)
            if best is None:
                return Selection(0, None, locked=False, event=event)
            self._target_id = int(candidates.ids[best])
            self._target_seen_s = stamp_s
            return Selection(self._target_id, best, locked=False, event=TargetEvent.ACQUIRED)
        assert index is not None
        self._target_seen_s = stamp_s
        target_score = float(scores[index])
        margin = self._config.switch_margin
        leading: dict[int, float] = {}
        ready = np.full(len(candidates), np.nan)  # scores of those who led long enough
        for row in np.flatnonzero(np.isfinite(scores)).tolist():
            if row == index or not policy.is_better(float(scores[row]), target_score, margin):
                continue
            track_id = int(candidates.ids[row])
            since = leading[track_id] = self._better_since.get(track_id, stamp_s)
            if stamp_s - since >= self._config.switch_time - STAMP_TOLERANCE_S:
                ready[row] = scores[row]
        self._better_since = leading
        best = policy.best_index(ready)
        if best is None:
            return Selection(self._target_id, index, locked=False)
        self._target_id = int(candidates.ids[best])
        self._better_since = {}
        return Selection(self._target_id, best, locked=False, event=TargetEvent.SWITCHED)

    def _unseen_too_long(self, stamp_s: float) -> bool:
        seen = self._target_seen_s
        return seen is None or stamp_s - seen > self._config.target_timeout + STAMP_TOLERANCE_S
