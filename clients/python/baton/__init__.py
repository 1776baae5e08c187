"""Baton's Python client: :class:`Client` for the HTTP API, :class:`Worker` for agents,
:class:`BackgroundTaskManager` for fire-and-track. Standard library only."""

from .client import BatonError, BatonUnavailable, Client, EventStream, RUNNING, TERMINAL
from .manager import BackgroundTaskManager, TaskHandle
from .worker import NonRetryable, TaskContext, Worker

__version__ = "0.1.0"
__all__ = ["BackgroundTaskManager", "BatonError", "BatonUnavailable", "Client", "EventStream",
           "NonRetryable", "RUNNING", "TERMINAL", "TaskContext", "TaskHandle", "Worker"]
