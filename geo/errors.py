"""Domain exceptions: small, subclassing builtins, with messages a person can act on."""

from __future__ import annotations


class LayerError(ValueError):
    """A layer (file, registry entry or frame) is not usable as it is.

    The message names the file, the feature and the field where it can, and says
    what to do about it.
    """


class RegistryError(LayerError):
    """The layer registry (``data/layers.toml``) is malformed or names a missing layer."""
