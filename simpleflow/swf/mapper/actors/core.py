"""simpleflow 0.x's ``simpleflow.swf.mapper.actors.core``."""

from simpleflow.swf.mapper.actors import Actor

__all__ = ["Actor"]
