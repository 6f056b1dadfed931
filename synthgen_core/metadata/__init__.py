"""Column kinds and table metadata: detection, user overrides, JSON round trip."""

from synthgen_core.metadata.kinds import ColumnKind, ColumnSpec
from synthgen_core.metadata.metadata import Metadata

__all__ = ["ColumnKind", "ColumnSpec", "Metadata"]
