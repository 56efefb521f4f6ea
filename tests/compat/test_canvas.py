"""Upstream's canvas, timers, signals and markers, on both engines (see flows_canvas.py)."""

from __future__ import annotations

FLOWS = "tests.compat.flows_canvas"


def test_canvas_items_as_upstream_writes_them(run):
    assert run(f"{FLOWS}.CanvasFormsWorkflow").result == {
        "product": 24,
        "mixed": [7, 9, 11, 8, 10, 16],
        "limited": [0, 2, 4, 6, 8],
        "fanned": [3, [0, 2, 4]],
        "empty": [],
        "future_classes": ["ChainFuture", "GroupFuture"],
    }


def test_failure_shapes_and_bubbling_are_upstreams(run):
    assert run(f"{FLOWS}.CanvasFailuresWorkflow").result == {
        "broken": [None],
        "ignoring": [None, 2, 6],
        "sub": [[None], 2, 6],
        "subsub": [[[None]], 6],
        "group": [2, None],
        "group_error": "AggregateError",
        "group_failures": 1,
        "broken_bubbles": True,
    }


def test_raises_on_failure_on_a_group_fails_the_run(run):
    outcome = run(f"{FLOWS}.RaisingGroupWorkflow")
    assert outcome.returncode != 0
    assert "Failure on CPU intensive operation" in outcome.stderr + outcome.stdout
    assert "not reached" not in outcome.stdout


def test_default_future_class_on_subclasses(run, engine):
    outcome = run(f"{FLOWS}.CustomFutureWorkflow")
    assert outcome.result == ["CustomGroupFuture", [2, [None]]]
    if engine == "local":  # standalone's decider is a process of its own: its prints stay there
        assert "CustomGroupFuture.result: [2, [None]]" in outcome.printed


def test_signals_in_chains_and_submitted(run):
    assert run(f"{FLOWS}.SignalsInCanvasWorkflow").result == {
        "both": [[2, None], [{"args": [42], "kwargs": {}}, 6]],
        "direct": {"args": [1], "kwargs": {}},
        "waited": {"args": [], "kwargs": {"x": 2}},
    }


def test_timers_in_canvas_and_submitted(run):
    assert run(f"{FLOWS}.TimersInCanvasWorkflow").result == {
        "timer 2 cancelled": True,
        "timer 3": None,
        "cancel of a fired timer": False,
        "timer 4": None,
    }


def test_markers_and_list_markers_all(run):
    assert run(f"{FLOWS}.MarkersWorkflow").result == {
        "latest": [["marker 1", "some details"], ["marker 2", "2nd marker's details"], ["in chain", 2]],
        "all": [
            ["marker 1", None],
            ["marker 1", "some details"],
            ["marker 2", "2nd marker's details"],
            ["in chain", 1],
            ["in chain", 2],
        ],
        "chain": [1, 2],
        "marker result": "some details",
    }


def test_upstream_canvas_example(run):
    assert run("examples.canvas_upstream.ShippingWorkflow", ["box"]).result == {
        "prepared": "box prepared",
        "parts": ["box lid prepared", "box labelled for courier"],
        "packed": "packed after preparation: box lid, box",
    }
