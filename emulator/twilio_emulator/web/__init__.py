"""HTTP layer: routes per API, Twilio error shapes, middleware, control API."""

from .app import EmulatorApp, create_app
from .errors import api_for_path, error_body
from .faults import FAULT_KINDS, Fault, FaultRegistry
from .request_log import LogFilter, RequestLog

__all__ = [
    "FAULT_KINDS",
    "EmulatorApp",
    "Fault",
    "FaultRegistry",
    "LogFilter",
    "RequestLog",
    "api_for_path",
    "create_app",
    "error_body",
]
