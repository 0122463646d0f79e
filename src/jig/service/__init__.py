"""The HTTP service: FastAPI over the store. `create_app(Settings(...))`."""

from typing import Any

from jig.service.settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    # The app (its routes, the report renderer, matplotlib) is imported when asked for: a
    # command that only opens the store with the service's settings (`jig admin`, `jig
    # audit`) took 2 s to import it.
    if name == "create_app":
        from jig.service.app import create_app

        return create_app
    raise AttributeError(f"module 'jig.service' has no attribute {name!r}")
