"""simpleflow 0.x's ``simpleflow.swf.mapper.models.activity``."""

from simpleflow.swf.mapper.models import ActivityType

__all__ = ["ActivityType"]
