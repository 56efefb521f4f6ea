"""simpleflow 0.x's ``simpleflow.swf.mapper.models.workflow``."""

from simpleflow.swf.mapper.models import WorkflowExecution, WorkflowType

__all__ = ["WorkflowExecution", "WorkflowType"]
