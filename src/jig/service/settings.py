"""The service's settings: one table, with help, passed to the app factory (never read at
import time). `jig serve` builds them from its options."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

# The settings that bound what one request may cost (`jig serve --limit NAME=N`).
LIMITS = ("max_body_bytes", "max_agreement_bytes", "max_bulk_bytes", "max_records",
          "max_vertices", "yaml_alias_values", "yaml_depth", "max_rejects_kept")


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
    own_process: bool = Field(False, description="The process only serves (`jig serve` sets "
                              "it): Python's collector is tuned for a server, process-wide. "
                              "Off, the app changes nothing beyond itself in the process "
                              "that embeds it.")
    threads: int = Field(16, ge=1, le=200, description="Requests served at once by each "
                         "process; the PostgreSQL pool holds as many connections, plus two "
                         "(the job worker and start-up), so a request never waits for one.")
    tile_url: str | None = Field(None, description="A raster tile URL template for the map "
                                 "(https://host/{z}/{x}/{y}.png); without one the map draws the "
                                 "shipped administrative boundaries only.")
    tile_attribution: str | None = Field(None, description="Attribution shown with the tiles.")
    # Limits on what a request may make the server do: each stops an attack listed in
    # docs/service.md ("Limits").
    open_agreements: bool = Field(False, description="In a store without users, take "
                                  "agreements (upload, amendment, re-judging) over HTTP from "
                                  "anyone who can reach the server (`jig serve --open`). Off, "
                                  "agreements come from `--agreement` files only until users "
                                  "exist.")
    max_body_bytes: int = Field(16 * 2**20, ge=1, description="Largest JSON request body "
                                "(records, notices, reviews, ...), in bytes.")
    max_agreement_bytes: int = Field(32 * 2**20, ge=1, description="Largest agreement upload "
                                     "(its YAML and GeoJSON files together), in bytes.")
    max_bulk_bytes: int = Field(2**30, ge=1, description="Largest bulk file "
                                "(`POST /incidents/bulk`), in bytes.")
    max_records: int = Field(10_000, ge=1, description="Most records in one JSON request; "
                             "larger sets go to /incidents/bulk.")
    max_vertices: int = Field(1_000_000, ge=4, description="Most vertices in the geometries of "
                              "one agreement upload, or of a `within` query.")
    yaml_alias_values: int = Field(10_000, ge=0, description="Most values YAML aliases (`*a`) "
                                   "may add to an agreement, over what its text holds.")
    yaml_depth: int = Field(64, ge=4, description="Deepest nesting of an agreement's YAML.")
    max_rejects_kept: int = Field(10_000, ge=0, description="Most rejected rows a bulk job "
                                  "keeps (line, reason, raw text); the rest are counted.")

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'jig.db').resolve()}"
