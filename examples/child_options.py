"""Child workflow options per submit: workflow id, timeouts, tags, parent close policy.

simpleflow workflow.start --local examples.child_options.DailyReports --input '[["mon", "tue"]]'
"""

from simpleflow import Workflow, futures


class Report(Workflow):
    """One day's report; the class gives every start of it a default execution timeout."""

    name = "report"
    version = "example"
    task_list = "example"
    execution_timeout = 3600

    def run(self, day):
        return f"report for {day}"


class Watcher(Workflow):
    """Runs until it is told to stop, or canceled."""

    name = "watcher"
    version = "example"
    task_list = "example"

    def run(self):
        return self.wait_signal("stop").result


class DailyReports(Workflow):
    name = "daily-reports"
    version = "example"
    task_list = "example"

    def run(self, days):
        # Not waited for: when this parent closes, its decider asks the watcher to cancel.
        self.submit(Watcher, __workflow_id="reports-watcher", __parent_close_policy="REQUEST_CANCEL")
        reports = [
            self.submit(Report, day, __workflow_id=f"report-{day}", __execution_timeout=600, __tag_list=[day])
            for day in days
        ]
        return futures.wait(*reports)
