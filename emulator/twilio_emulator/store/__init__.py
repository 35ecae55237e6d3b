"""Persistence: SQLite documents, in a file or in memory."""

from .documents import DocumentStore

__all__ = ["DocumentStore"]
