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
