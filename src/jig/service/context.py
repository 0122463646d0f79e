"""What every route needs: the store, the job worker and the settings of this app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from jig.service.jobs import Worker
from jig.service.settings import Settings
from jig.store import Store


@dataclass
class Context:
    settings: Settings
    store: Store
    worker: Worker | None


def context(request: Request) -> Context:
    return request.app.state.jig
