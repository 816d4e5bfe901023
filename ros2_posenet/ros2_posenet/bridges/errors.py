"""The bridges' own exception type."""


class BridgeError(RuntimeError):
    """A bridge cannot start: an address that does not resolve, a port already in use.

    Failures while running (a receiver that is gone, a client that disconnects) are never
    raised: they are counted and reported in the bridge's statistics.
    """
