"""User-facing errors: the CLI prints their message on one line and exits non-zero."""


class BisumError(Exception):
    """An error caused by input or setup, explained in one line."""

    exit_code = 2


class InputError(BisumError):
    """The input cannot be read: binary, too large, undecodable, missing."""


class ModelError(BisumError):
    """A model is missing, unverified or cannot be loaded."""

    exit_code = 3


class EngineUnavailable(ModelError):
    """The requested engine cannot run here (package or weights missing)."""


class ConfigError(InputError):
    """A setting (flag, BISUM_* variable or web input) has a value that is not allowed."""


class RequestStopped(BisumError):
    """A request stopped before its work was done: its client went away or its time limit passed."""

    exit_code = 4


class RequestCancelled(RequestStopped):
    """The client that asked went away; the request's remaining work was dropped."""


class TimeLimitExceeded(RequestStopped):
    """The request ran past its time limit (`request_timeout`)."""
