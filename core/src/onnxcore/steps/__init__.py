"""Post-export steps: what runs on the staged folder between export and validation (one interface, one table)."""

from __future__ import annotations

from .base import Step, StepContext

__all__ = ["Step", "StepContext"]
