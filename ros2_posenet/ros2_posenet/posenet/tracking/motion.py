"""Constant-velocity Kalman filter per keypoint coordinate, vectorised over tracks and parts.

Each coordinate (x and y of each of the 17 keypoints of each track) has the state
``[position px, velocity px/s]``, driven by white-noise acceleration (the discretised
continuous model, process covariance ``q * [[dt^3/3, dt^2/2], [dt^2/2, dt]]``) and observed in
position with noise variance ``r``. x and y of a keypoint share the same noise model and are
observed together, so they share one 2x2 covariance, stored as its three distinct entries.

Only the ratios of the noise constants shape the estimate (the gain is invariant to scaling
``q``, ``r`` and the initial velocity variance together), so they are given in nominal pixels
of a person about 200 px tall; they were chosen by measuring the one-frame prediction error on
the project videos (see ``TrackerConfig``).
"""

from dataclasses import dataclass
from typing import Final

import numpy as np

MEASUREMENT_STD_PX: Final[float] = 3.0
"""Nominal standard deviation of a detected keypoint coordinate (px)."""

ACCELERATION_STD_PX_S2: Final[float] = 500.0
"""Nominal standard deviation of keypoint acceleration (px/s^2), white noise."""

INITIAL_VELOCITY_STD_PX_S: Final[float] = 300.0
"""Standard deviation of the unknown velocity of a newly born track (px/s); its mean is 0."""


@dataclass(frozen=True, eq=False)
class KinematicState:
    """Positions, velocities and covariances of the keypoints of ``t`` tracks at one stamp.

    Attributes:
        position: Float64 ``[t, 17, 2]`` (x, y) in source-image pixels.
        velocity: Float64 ``[t, 17, 2]`` in px/s.
        covariance: Float64 ``[t, 17, 3]``: position variance (px^2), position-velocity
            covariance (px^2/s) and velocity variance (px^2/s^2), shared by x and y.
    """

    position: np.ndarray
    velocity: np.ndarray
    covariance: np.ndarray

    def __len__(self) -> int:
        """Return the number of tracks."""
        return int(self.position.shape[0])

    @classmethod
    def empty(cls, num_keypoints: int = 17) -> 'KinematicState':
        """Return the state of zero tracks."""
        return cls(np.zeros((0, num_keypoints, 2)), np.zeros((0, num_keypoints, 2)),
                   np.zeros((0, num_keypoints, 3)))

    def select(self, indices: np.ndarray) -> 'KinematicState':
        """Return the tracks at ``indices`` (int array or boolean mask), in that order."""
        return KinematicState(self.position[indices], self.velocity[indices],
                              self.covariance[indices])

    def concatenate(self, other: 'KinematicState') -> 'KinematicState':
        """Return the tracks of ``self`` followed by those of ``other``."""
        return KinematicState(np.concatenate((self.position, other.position)),
                              np.concatenate((self.velocity, other.velocity)),
                              np.concatenate((self.covariance, other.covariance)))


def start_motion(keypoints_xy: np.ndarray) -> KinematicState:
    """Return the state of new tracks: at the detected keypoints, at rest, velocity unknown.

    Args:
        keypoints_xy: Float64 ``[t, 17, 2]`` detected (x, y) in pixels.
    """
    position = np.array(keypoints_xy, dtype=np.float64)
    covariance = np.empty(position.shape[:2] + (3,))
    covariance[..., 0] = MEASUREMENT_STD_PX ** 2
    covariance[..., 1] = 0.0
    covariance[..., 2] = INITIAL_VELOCITY_STD_PX_S ** 2
    return KinematicState(position, np.zeros_like(position), covariance)


def predict_motion(state: KinematicState, dt_s: float) -> KinematicState:
    """Move every keypoint ``dt_s`` seconds ahead at constant velocity.

    Args:
        state: Tracks at the previous stamp.
        dt_s: Seconds to predict (>= 0).

    Returns:
        The predicted state (new arrays); covariances grow with the acceleration noise.
    """
    q = ACCELERATION_STD_PX_S2 ** 2
    old = state.covariance
    covariance = np.empty_like(old)
    covariance[..., 2] = old[..., 2] + q * dt_s
    covariance[..., 1] = old[..., 1] + dt_s * old[..., 2] + q * dt_s ** 2 / 2.0
    covariance[..., 0] = (old[..., 0] + dt_s * (2.0 * old[..., 1] + dt_s * old[..., 2])
                          + q * dt_s ** 3 / 3.0)
    return KinematicState(state.position + dt_s * state.velocity, state.velocity, covariance)


def correct_motion(state: KinematicState, keypoints_xy: np.ndarray,
                   observed: np.ndarray) -> KinematicState:
    """Fuse detected keypoint positions into predicted tracks.

    Args:
        state: Predicted state of ``t`` tracks at the stamp of the detections.
        keypoints_xy: Float64 ``[t, 17, 2]`` detected (x, y) in pixels, row ``i`` matched to
            track ``i``.
        observed: Bool ``[t, 17]``: which keypoints were seen; the others keep their
            prediction (position, velocity and covariance).

    Returns:
        The corrected state (new arrays).
    """
    old = state.covariance
    # Kalman gains of position and velocity, zero for unobserved keypoints.
    gains = old[..., :2] * (observed / (old[..., 0] + MEASUREMENT_STD_PX ** 2))[..., None]
    innovation = keypoints_xy - state.position
    covariance = np.empty_like(old)
    covariance[..., :2] = old[..., :2] * (1.0 - gains[..., :1])
    covariance[..., 2] = old[..., 2] - gains[..., 1] * old[..., 1]
    return KinematicState(state.position + gains[..., :1] * innovation,
                          state.velocity + gains[..., 1:] * innovation, covariance)
