"""Where models, images and reference data are looked up: one setting for the whole project.

Order: the ``POSENET_DATA_DIR`` environment variable; else ``../shared/data`` seen from the
current directory (a development checkout); else the user cache directory
(``$XDG_CACHE_HOME/ros2_posenet``, default ``~/.cache/ros2_posenet``), where ``make models`` and
``ros2_posenet.posenet.model_download`` put downloaded models under ``models/``.
"""

import os
from pathlib import Path
import stat

from ..errors import ModelError

DATA_DIR_ENV = 'POSENET_DATA_DIR'


def user_cache_dir() -> Path:
    """Return the per-user cache directory of the project (may not exist yet)."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(Path.home(), '.cache')
    return Path(base) / 'ros2_posenet'


def data_dir() -> Path:
    """Return the data directory (see the module docstring for the lookup order)."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        try:
            return Path(configured).expanduser().resolve()
        except RuntimeError:  # '~user' of an unknown user: taken literally (and not found)
            return Path(configured).resolve()
    checkout_data = Path.cwd().parent / 'shared' / 'data'
    if checkout_data.is_dir():
        return checkout_data.resolve()
    return user_cache_dir()


def resolve_model_path(model_path: str) -> Path:
    """Resolve a model name or path.

    Absolute paths and paths that exist relative to the current directory are used as given;
    any other relative name resolves against ``<data dir>/models/`` and then ``<data dir>/``.

    Args:
        model_path: A file name such as ``posenet_mobilenet_v1_075_481_641_quant.tflite``, a
            relative path, or an absolute path.

    Returns:
        The resolved path; it may not exist (callers report that with the candidates tried).

    Raises:
        ModelError: The path cannot be looked up (``~user`` of an unknown user, a name too long
            for the file system) or names something that cannot be read as a file (a device,
            FIFO or socket, which would block or never end).
    """
    try:
        path = Path(model_path).expanduser()
    except RuntimeError as error:  # pathlib: unknown user or no home directory
        raise ModelError(f'Model path {model_path!r} cannot be expanded: {error}') from None
    if path.is_absolute() or _exists(path, model_path):
        return _checked_kind(path, model_path)
    base = data_dir()
    for candidate in (base / 'models' / path, base / path):
        if _exists(candidate, model_path):
            return _checked_kind(candidate, model_path)
    return base / 'models' / path


def _exists(path: Path, model_path: str) -> bool:
    try:
        return path.exists()
    except OSError as error:  # e.g. ENAMETOOLONG; exists() only hides "not found" errors
        raise ModelError(f'Model path {model_path!r} cannot be looked up: '
                         f'{error.strerror or error}') from None


def _checked_kind(path: Path, model_path: str) -> Path:
    """Return ``path`` unless it exists as something other than a file or directory."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return path  # missing: the model loader reports it with the candidates tried
    except OSError as error:  # e.g. ENAMETOOLONG, EACCES on a parent folder
        raise ModelError(f'Model path {model_path!r} cannot be looked up: '
                         f'{error.strerror or error}') from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ModelError(f'Model path {path} (from {model_path!r}) is not a regular file '
                         '(a device, FIFO or socket); expected a .tflite file.')
    return path
