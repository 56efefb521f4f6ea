"""Versioning: change a workflow's code while executions of the old code are still open.

The first release quoted an item without tax. The new release quotes it with tax, behind
``self.patched("tax-included")``: an execution that already quoted without tax keeps that branch when the
new decider replays it, while every execution that reaches the quote with the new code takes the new one.

``SIMPLEFLOW_EXAMPLE_CODE=old`` (read at import) makes this module the first release, so both releases
can be run from one file. A one-shot run of the new code, without waiting for a confirmation::

    simpleflow workflow.start --local examples.versioned.OrderWorkflow \\
        --input '{"args": ["book"], "kwargs": {"confirm": false}}'

A deployment, on the embedded service (each command in its own terminal; ``SWF_DOMAIN=demo`` and
``AWS_ENDPOINT_URL_SWF=http://127.0.0.1:5000`` in each environment)::

    simpleflow localswf.start --db swf.db --port 5000
    simpleflow domain.register demo
    simpleflow worker.start --task-list versioned
    SIMPLEFLOW_EXAMPLE_CODE=old simpleflow decider.start examples.versioned.OrderWorkflow
    simpleflow workflow.start examples.versioned.OrderWorkflow --workflow-id order-1 --input '["book"]'
    # stop the decider (Ctrl-C), then deploy the new code:
    simpleflow decider.start examples.versioned.OrderWorkflow
    simpleflow workflow.signal demo order-1 confirm        # order-1 finishes without tax (100)
    simpleflow workflow.start examples.versioned.OrderWorkflow --workflow-id order-2 --input '["book"]'
    simpleflow workflow.signal demo order-2 confirm        # order-2 is quoted with tax (120)

See ``docs/howto/versioning.md``.
"""

import os

from simpleflow import Workflow, activity, futures

#: Which release this module is: ``old`` (before the patch) or ``new`` (the default).
CODE = os.environ.get("SIMPLEFLOW_EXAMPLE_CODE", "new")

PRICES = {"book": 100, "lamp": 40}


@activity.with_attributes(task_list="versioned", version="example")
def quote(item):
    return {"item": item, "price": PRICES[item]}


@activity.with_attributes(task_list="versioned", version="example")
def quote_with_tax(item):
    return {"item": item, "price": PRICES[item] * 120 // 100}


@activity.with_attributes(task_list="versioned", version="example")
def confirm_order(offer):
    return f"{offer['item']} ordered at {offer['price']}"


class OrderWorkflow(Workflow):
    name = "versioned-order"
    version = "example"
    task_list = "versioned"

    def run_first_release(self, item, confirm=True):
        offer = self.submit(quote, item).result
        if confirm:
            futures.wait(self.wait_signal("confirm"))  # the execution stays open here, across a deployment
        return self.submit(confirm_order, offer).result

    def run_with_tax(self, item, confirm=True):
        if self.patched("tax-included"):
            offer = self.submit(quote_with_tax, item).result
        else:  # an execution that quoted without tax before the deployment
            offer = self.submit(quote, item).result
        if confirm:
            futures.wait(self.wait_signal("confirm"))
        return self.submit(confirm_order, offer).result

    run = run_first_release if CODE == "old" else run_with_tax
