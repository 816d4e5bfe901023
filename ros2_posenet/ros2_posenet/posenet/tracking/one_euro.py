"""One-Euro filter (Casiez, Roussel and Vogel, CHI 2012), vectorised and driven by stamps.

A first-order low-pass filter whose cutoff rises with the (low-passed) speed of the signal:
slow signals are smoothed hard (little jitter), fast ones lightly (little lag). The
arithmetic is that of the authors' reference implementation (PyPI ``OneEuroFilter`` 0.2.1,
``OneEuroFilter.__call__``), element by element:

* the first sample passes unchanged and the speed estimate starts at 0;
* later samples: ``dx = (x - x_hat_prev) / dt`` (speed from the *filtered* previous value),
  ``dx_hat = lerp(dx_hat_prev, dx, alpha(d_cutoff))``,
  ``cutoff = min_cutoff + beta * |dx_hat|``, ``x_hat = lerp(x_hat_prev, x, alpha(cutoff))``
  with ``alpha(fc) = 1 / (1 + tau / te)``, ``tau = 1 / (2 pi fc)``, ``te = dt``.

Unlike the reference, ``dt`` comes from the caller's stamps only (no nominal frequency), and a
stamp that does not move forward is an error rather than silently reusing the old rate.
"""

from dataclasses import dataclass
import math
import numbers

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class OneEuroParams:
    """Tuning of a One-Euro filter.

    Attributes:
        min_cutoff: Cutoff frequency at rest in Hz (> 0); lower removes more jitter of a
            still signal, at the price of lag when it starts moving.
        beta: Cutoff increase per unit of speed, in Hz per (signal unit / s) (>= 0); for
            pixel coordinates, Hz per px/s. Higher follows fast motion with less lag.
        d_cutoff: Cutoff frequency in Hz of the low-pass on the speed estimate (> 0).
    """

    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0

    def __post_init__(self) -> None:
        """Reject cutoffs that are not positive and a negative or non-finite beta.

        Raises:
            InputError: Naming the bad field and value.
        """
        for name in ('min_cutoff', 'd_cutoff'):
            value = getattr(self, name)
            if not _is_positive_finite(value):
                raise InputError(f'One-Euro {name} must be a finite number > 0 Hz, '
                                 f'got {value!r}')
        if not _is_real(self.beta) or not math.isfinite(self.beta) or self.beta < 0:
            raise InputError(f'One-Euro beta must be a finite number >= 0, got {self.beta!r}')


@dataclass(frozen=True, eq=False)
class OneEuroState:
    """What a One-Euro filter remembers between samples, for an array of signals.

    Attributes:
        value: Float64 array, the last filtered value of each signal (signal units).
        speed: Float64 array of the same shape, the last low-passed speed (signal units/s).
    """

    value: np.ndarray
    speed: np.ndarray


def smoothing_factor(cutoff_hz: np.ndarray | float, dt_s: np.ndarray | float) -> np.ndarray:
    """Return the exponential-smoothing factor of a first-order low-pass.

    Args:
        cutoff_hz: Cutoff frequency in Hz (> 0), any shape broadcastable with ``dt_s``.
        dt_s: Sampling interval in seconds (> 0).

    Returns:
        Float64 array ``alpha = 1 / (1 + tau / te)`` with ``tau = 1 / (2 pi cutoff)`` and
        ``te = dt``, in (0, 1).
    """
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, dtype=np.float64))
    return 1.0 / (1.0 + tau / np.asarray(dt_s, dtype=np.float64))


def one_euro_start(x: np.ndarray) -> OneEuroState:
    """Return the state after the first sample: the value itself, speed 0.

    Args:
        x: Float64 array of signals (any shape).
    """
    value = np.array(x, dtype=np.float64)
    return OneEuroState(value, np.zeros_like(value))


def one_euro_step(state: OneEuroState, x: np.ndarray, dt_s: np.ndarray | float,
                  params: OneEuroParams) -> OneEuroState:
    """Filter one new sample of each signal.

    Args:
        state: State after the previous sample, arrays of the shape of ``x``.
        x: Float64 array, the new raw samples.
        dt_s: Seconds since the previous sample (> 0), a scalar or an array broadcastable to
            ``x`` (e.g. ``[m, 1, 1]`` for ``m`` tracks of ``[17, 2]`` coordinates each).
        params: Filter tuning.

    Returns:
        The new state; its ``value`` is the filtered sample.
    """
    dt = np.asarray(dt_s, dtype=np.float64)
    speed = (x - state.value) / dt
    speed_alpha = smoothing_factor(params.d_cutoff, dt)
    speed_hat = speed_alpha * speed + (1.0 - speed_alpha) * state.speed
    cutoff = params.min_cutoff + params.beta * np.abs(speed_hat)
    alpha = smoothing_factor(cutoff, dt)
    value = alpha * x + (1.0 - alpha) * state.value
    return OneEuroState(value, speed_hat)


class OneEuroFilter:
    """One-Euro filter over an array of signals that share one clock.

    Same results as the reference ``OneEuroFilter(freq, mincutoff, beta, dcutoff)`` called
    with increasing timestamps in seconds, for every element at once.
    """

    def __init__(self, params: OneEuroParams | None = None) -> None:
        """Create a filter that has seen no sample yet.

        Args:
            params: Tuning; ``OneEuroParams()`` (1 Hz, beta 0, 1 Hz) when omitted.
        """
        self.params = params if params is not None else OneEuroParams()
        self._state: OneEuroState | None = None
        self._last_stamp_s: float | None = None

    def __call__(self, x: np.ndarray, stamp_s: float) -> np.ndarray:
        """Filter one sample of each signal.

        Args:
            x: Array of raw samples, the same shape at every call since the last reset.
            stamp_s: Time of the sample in seconds, later than the previous one.

        Returns:
            Float64 array of the shape of ``x``: the filtered samples (a copy).

        Raises:
            InputError: ``x`` changed shape or is not finite, or ``stamp_s`` is not finite or
                not later than the previous stamp.
        """
        samples = np.asarray(x, dtype=np.float64)
        if not np.isfinite(samples).all():
            raise InputError('One-Euro filter input must be finite (no NaN or inf)')
        if not _is_real(stamp_s) or not math.isfinite(stamp_s):
            raise InputError(f'One-Euro filter stamp must be a finite number of seconds, '
                             f'got {stamp_s!r}')
        if self._state is None or self._last_stamp_s is None:
            self._state = one_euro_start(samples)
        else:
            if samples.shape != self._state.value.shape:
                raise InputError(f'One-Euro filter input changed shape from '
                                 f'{self._state.value.shape} to {samples.shape}; reset first')
            if stamp_s <= self._last_stamp_s:
                raise InputError(f'One-Euro filter stamps must increase: {stamp_s} s after '
                                 f'{self._last_stamp_s} s; reset first')
            self._state = one_euro_step(self._state, samples, stamp_s - self._last_stamp_s,
                                        self.params)
        self._last_stamp_s = float(stamp_s)
        return self._state.value.copy()

    def reset(self) -> None:
        """Forget all samples; the next call passes its sample unchanged."""
        self._state = None
        self._last_stamp_s = None


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_positive_finite(value: object) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value) and float(value) > 0)
