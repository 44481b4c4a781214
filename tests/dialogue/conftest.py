"""Shared fixtures of the dialogue tests: the shipped engine and moderation, loaded once per module
(a module that needs another engine defines its own `d`)."""
import pytest

from nodes.dialogue.policy import Dialogue
from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def d():
    return Dialogue(None)


@pytest.fixture(scope="module")
def mod():
    return Moderator()
