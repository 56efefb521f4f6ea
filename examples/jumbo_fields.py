"""Jumbo fields: inputs and results over SWF's 32 KB limit go out of band, with no change to the code.

``repeat`` returns 100,000 characters; ``length`` takes them as its input. On one machine
(``--local``, ``standalone --local-swf``) they go to a store in the run's temporary directory. On SWF,
set ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET=my-bucket/some/prefix`` (upstream's variable) for S3, for the
decider and the workers alike.

    simpleflow workflow.start --local examples.jumbo_fields.JumboFieldsWorkflow --input '["ab"]'
    # prints "ab * 50000 has a length of 100000", then {"length": 100000, "head": "ababababab"}
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def repeat(s, times=50_000):
    return s * times


@activity.with_attributes(task_list="quickstart", version="example")
def length(text):
    return len(text)


@activity.with_attributes(task_list="quickstart", version="example")
def head(text, size=10):
    return text[:size]


class JumboFieldsWorkflow(Workflow):
    name = "jumbo_fields"
    version = "example"
    task_list = "example"

    def run(self, string):
        long_string = self.submit(repeat, string)
        # A future as an argument: the 100,000 characters go from one activity to the next by reference.
        size, start = futures.wait(self.submit(length, long_string), self.submit(head, long_string))
        print(f"{string} * 50000 has a length of {size}")
        return {"length": size, "head": start}
