"""simpleflow 0.x's ``simpleflow.swf.mapper.querysets.activity``."""

from simpleflow.swf.mapper.querysets import ActivityTypeQuerySet

__all__ = ["ActivityTypeQuerySet"]
