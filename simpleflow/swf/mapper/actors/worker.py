"""simpleflow 0.x's ``simpleflow.swf.mapper.actors.worker``."""

from simpleflow.swf.mapper.actors import ActivityWorker

__all__ = ["ActivityWorker"]
