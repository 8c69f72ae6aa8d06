"""The production job configuration: which function processes a delivery, and so on.

This is the one place that joins the job machinery (``jobs``) to the GitHub side
(``handlers``), so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from reviewer.service.context import get_context
from reviewer.service.handlers import give_up, process_delivery
from reviewer.service.jobs import JobConfig

__all__ = ["job_config"]


def job_config(**overrides: Any) -> JobConfig:
    """The production ``JobConfig``; keyword arguments replace single fields (tests, workers)."""
    fields: dict[str, Any] = {
        "processor": process_delivery,
        "give_up": give_up,
        "context": get_context,
    }
    fields.update(overrides)
    return JobConfig(**fields)
