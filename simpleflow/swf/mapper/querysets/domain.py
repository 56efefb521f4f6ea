"""simpleflow 0.x's ``simpleflow.swf.mapper.querysets.domain``."""

from simpleflow.swf.mapper.querysets import DomainQuerySet

__all__ = ["DomainQuerySet"]
