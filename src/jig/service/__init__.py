"""The HTTP service: FastAPI over the store. `create_app(Settings(...))`."""

from jig.service.app import create_app
from jig.service.settings import Settings

__all__ = ["Settings", "create_app"]
