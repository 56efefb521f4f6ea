"""simpleflow 0.x's ``simpleflow.swf.mapper.actors.decider``."""

from simpleflow.swf.mapper.actors import Decider

__all__ = ["Decider"]
