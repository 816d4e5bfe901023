"""Where models, images and reference data are looked up: one setting for the whole project.

Order: the ``POSENET_DATA_DIR`` environment variable (the Makefile sets it to ``../shared/data``
in a development checkout); else the user cache directory (``$XDG_CACHE_HOME/ros2_posenet``,
default ``~/.cache/ros2_posenet``), where ``make models`` and ``posenet_download_models`` put
downloaded models under ``models/``. Nothing is looked up relative to the current directory, so
an installed node resolves ``model_path`` the same way whatever folder it was started from.
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
    return user_cache_dir()


def model_search_dirs() -> tuple[Path, ...]:
    """Return the folders a relative model name is looked up in, in order.

    ``$POSENET_DATA_DIR/models`` and ``$POSENET_DATA_DIR`` when the variable is set, then the
    user cache's ``models/`` and the cache itself.
    """
    folders: list[Path] = []
    for base in dict.fromkeys((data_dir(), user_cache_dir())):
        folders += [base / 'models', base]
    return tuple(folders)


def resolve_model_path(model_path: str) -> Path:
    """Resolve a model name or path.

    Absolute paths (``~`` expanded) are used as given; a relative name is looked up in
    :func:`model_search_dirs`, never relative to the current directory.

    Args:
        model_path: A file name such as ``posenet_mobilenet_v1_075_481_641_quant.tflite``, a
            relative path under a data folder, or an absolute path.

    Returns:
        The resolved path; an absolute path may not exist (the loader reports it).

    Raises:
        ModelError: A relative name found in no search folder (the message lists them), a
            path that cannot be looked up (``~user`` of an unknown user, a name too long for
            the file system), or something that cannot be read as a file (a device, FIFO or
            socket, which would block or never end).
    """
    try:
        path = Path(model_path).expanduser()
    except RuntimeError as error:  # pathlib: unknown user or no home directory
        raise ModelError(f'Model path {model_path!r} cannot be expanded: {error}') from None
    if path.is_absolute():
        return _checked_kind(path, model_path)
    folders = model_search_dirs()
    for folder in folders:
        if _exists(folder / path, model_path):
            return _checked_kind(folder / path, model_path)
    raise ModelError(
        f'Model {model_path!r} not found; looked in {", ".join(str(f) for f in folders)}. '
        f'Give an absolute path, set {DATA_DIR_ENV} to a folder with a models/ subfolder, or '
        'download the models with posenet_download_models.')


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
