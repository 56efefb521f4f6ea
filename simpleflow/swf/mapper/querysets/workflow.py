"""simpleflow 0.x's ``simpleflow.swf.mapper.querysets.workflow``."""

from simpleflow.swf.mapper.querysets import WorkflowExecutionQuerySet, WorkflowTypeQuerySet

__all__ = ["WorkflowExecutionQuerySet", "WorkflowTypeQuerySet"]
