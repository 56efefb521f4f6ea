"""``python -m simpleflow``: the same CLI as the ``simpleflow`` console script.

``standalone`` starts its decider and worker processes this way, so they run with the very interpreter
and package of their parent, whatever ``PATH`` holds.
"""

from simpleflow.cli.main import main

if __name__ == "__main__":
    main(prog_name="simpleflow")
