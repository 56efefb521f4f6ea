"""The identity deciders and workers poll with: ``host:pid``, or simpleflow 0.x's SIMPLEFLOW_IDENTITY form."""

from __future__ import annotations

import getpass
import json
import os
import socket

import pytest

from simpleflow.swf.actors import default_identity


def test_without_the_variable_it_is_host_and_pid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIMPLEFLOW_IDENTITY", raising=False)
    assert default_identity() == f"{socket.gethostname()}:{os.getpid()}"


def test_simpleflow_identity_adds_overrides_and_removes_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SIMPLEFLOW_IDENTITY", '{"version": "1.2.3", "hostname": "bar.example.com", "user": null}'
    )
    assert json.loads(default_identity()) == {
        "hostname": "bar.example.com",
        "pid": os.getpid(),
        "version": "1.2.3",
    }


def test_a_malformed_simpleflow_identity_adds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", "not json")
    expected = {"user": getpass.getuser(), "hostname": socket.gethostname(), "pid": os.getpid()}
    assert json.loads(default_identity()) == expected
