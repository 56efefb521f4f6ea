"""simpleflow 0.x's ``simpleflow.swf.mapper.models.history``: :class:`simpleflow.history.History`."""

from simpleflow.history import History

__all__ = ["History"]
