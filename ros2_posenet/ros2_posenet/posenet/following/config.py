"""Settings of ``TargetSelector``, validated at construction against one table of limits."""

from dataclasses import dataclass
import math
from typing import Final

from ..errors import InputError
from .policies import POLICIES

SELECTOR_LIMITS: Final[dict[str, tuple[float, float]]] = {
    'switch_margin': (0.0, 10.0),
    'switch_time': (0.0, 60.0),
    'target_timeout': (0.0, 60.0),
}
"""Inclusive (low, high) of each numeric ``SelectorConfig`` field, in the field's units; the
ROS node derives its parameter ranges from this table."""

MAX_TRACK_ID: Final[int] = 2**32 - 1
"""Largest track id (``PersonPose.id`` is a uint32)."""


@dataclass(frozen=True)
class SelectorConfig:
    """How the target is chosen and kept.

    Attributes:
        policy: One of ``POLICIES``.
        switch_margin: Relative margin another person must beat the target by before a
            switch, >= 0 (0.2 = 20 % better; see ``Policy.is_better``).
        switch_time: Seconds (of image stamps) the same other person must stay better by the
            margin, in every image where both are seen, before the target switches to them;
            0 switches on the first such image.
        target_timeout: Seconds (of image stamps) the target may go unseen and still be the
            target (nobody replaces it meanwhile); after that it is lost and the policy picks
            again. Also how recently a track must have been seen to be locked. The default
            matches the tracker's ``max_age`` (1 s): a person unseen for longer comes back
            under a new track id anyway.

    Raises:
        InputError: (a ``ValueError``) at construction, naming the field, the bad value and
            what is allowed.
    """

    policy: str = 'nearest'
    switch_margin: float = 0.2
    switch_time: float = 1.0
    target_timeout: float = 1.0

    def __post_init__(self) -> None:
        """Reject an unknown policy and values outside ``SELECTOR_LIMITS``."""
        if self.policy not in POLICIES:
            raise InputError(f'policy must be one of {POLICIES}, got {self.policy!r}')
        for name, (low, high) in SELECTOR_LIMITS.items():
            value = getattr(self, name)
            if (not isinstance(value, (int, float)) or isinstance(value, bool)
                    or not math.isfinite(value) or not low <= value <= high):
                raise InputError(f'{name} must be a number in [{low}, {high}], got {value!r}')
