"""The service's settings: one table, with help, passed to the app factory (never read at
import time). `jig serve` builds them from its options."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class Settings(BaseModel):
    data_dir: Path = Field(Path("jig-data"), description="Folder for the SQLite file and the "
                           "spooled bulk uploads.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite file "
                                     "`jig.db` in data_dir. PostgreSQL: postgresql://user@host/db")
    timezone: str = Field("UTC", description="How zone-less times are read while the store "
                          "holds no agreement (afterwards: the agreement's timezone).")
    log_key: Path | None = Field(None, description="The server's Ed25519 key (PEM) that signs "
                                 "the log's heads; default: log-key.pem in data_dir, created "
                                 "with mode 0600. Parties' keys are in data_dir/party-keys.")
    sqlite_synchronous: str = Field("FULL", description="SQLite synchronous level; FULL puts "
                                    "every acknowledged write on disk before answering.")
    page_limit: int = Field(1000, ge=1, description="Largest page a query may ask for.")
    bulk_batch: int = Field(1000, ge=1, description="Records per transaction in bulk jobs.")
    agreements: list[Path] = Field(default_factory=list, description="Agreement files to load "
                                   "at start (stored as versions; unchanged ones are not "
                                   "stored again).")
    gazetteer: list[Path] = Field(default_factory=list, description="Gazetteer files for bulk "
                                  "files whose rows give only place names.")
    keys_dir: Path | None = Field(None, description="Folder of workspaces' at-rest keys "
                                  "(`<party>.key`): a party's withheld fields are stored "
                                  "encrypted under its key.")
    run_jobs: bool = Field(True, description="Run background jobs in this process.")
    tile_url: str | None = Field(None, description="A raster tile URL template for the map "
                                 "(https://host/{z}/{x}/{y}.png); without one the map draws the "
                                 "shipped administrative boundaries only.")
    tile_attribution: str | None = Field(None, description="Attribution shown with the tiles.")

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'jig.db').resolve()}"
