"""simpleflow.swf loads its modules on first use: every export resolves, to the defining module's object."""

from __future__ import annotations

import importlib

import pytest

import simpleflow.swf


@pytest.mark.parametrize("name", simpleflow.swf.__all__, ids=str)
def test_every_export_resolves_to_its_definition(name: str) -> None:
    value = getattr(simpleflow.swf, name)
    module = importlib.import_module(value.__module__)
    assert getattr(module, name) is value
    assert name in dir(simpleflow.swf)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        simpleflow.swf.NoSuchThing  # noqa: B018
