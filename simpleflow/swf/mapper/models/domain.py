"""simpleflow 0.x's ``simpleflow.swf.mapper.models.domain``."""

from simpleflow.swf.mapper.models import Domain

__all__ = ["Domain"]
