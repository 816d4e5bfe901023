"""Exception types of the PoseNet engine; every backend failure is wrapped in one of these."""


class PoseNetError(Exception):
    """Base class of every error raised by ``ros2_posenet.posenet``."""


class RuntimeNotFoundError(PoseNetError):
    """No TFLite runtime (ai-edge-litert, tflite-runtime or tensorflow) can be imported."""


class ModelError(PoseNetError):
    """The model file is missing, unreadable, corrupt, or not a supported PoseNet model."""


class DelegateError(PoseNetError):
    """A requested delegate (Edge TPU, GPU) cannot be loaded or cannot run the model."""


class InputError(PoseNetError, ValueError):
    """An input array or parameter has the wrong shape, dtype, size or value."""


class ModelDownloadError(PoseNetError):
    """A model could not be downloaded (offline, bad URL, checksum mismatch)."""
