"""`jig audit`: the log on the operator's side (show, verify by rebuilding the state) and on
an observer's (save a head, check a determination's proof, check the log extends a head)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from jig.cli.cell import DataOpt, DbOpt, KeysOpt
from jig.cli.common import app, err, open_store

audit_app = typer.Typer(no_args_is_help=True, help="The log: show it, verify it, check proofs.")
app.add_typer(audit_app, name="audit")

UrlOpt = Annotated[str, typer.Option("--url", help="The jig service, e.g. http://host:8000")]
TokenOpt = Annotated[str | None, typer.Option(
    "--token", envvar="JIG_TOKEN", help="Your API token (or set JIG_TOKEN); an observer's "
    "is enough.")]
KeyOpt = Annotated[str | None, typer.Option(
    "--key", help="The server's public key (base64) you trust; default: the one in the saved "
    "head, or the one the service gives (printed so you can pin it).")]


@audit_app.command("log")
def audit_log_cmd(
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    last: Annotated[int, typer.Option(help="Show the last N entries.")] = 50,
) -> None:
    """Show the newest entries of the log: number, time, who, what, on what, leaf hash."""
    from sqlalchemy import select

    from jig.store.tables import AuditEntry

    store = open_store(data, db)
    try:
        with store.sessions() as s:  # type: ignore[attr-defined]
            rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())
                                  .limit(last)))
        for e in reversed(rows):
            print(f"{e.seq}\t{e.at}\t{e.actor}\t{e.action}\t{e.subject}\t{e.leaf_hash[:16]}")
    finally:
        store.close()  # type: ignore[attr-defined]


@audit_app.command("verify")
def audit_verify_cmd(
    data: DataOpt = Path("jig-data"),
    db: DbOpt = None,
    head: Annotated[list[Path] | None, typer.Option(
        "--head", help="A signed head saved earlier (JSON), to check the log against too "
        "(repeatable).")] = None,
    keys: KeysOpt = None,
) -> None:
    """Rebuild the state from the log and report every row that differs, every entry that
    does not hold, and every signed head or determination signature that does not verify.

    Exit status 0 when everything holds, 1 when anything does not.
    """
    from jig.store.rebuild import verify

    saved = [_read_json(p) for p in head or []]
    store = open_store(data, db, keys=keys)
    try:
        with store.sessions() as s:  # type: ignore[attr-defined]
            result = verify(s, store.keys, saved)  # type: ignore[attr-defined]
    finally:
        store.close()  # type: ignore[attr-defined]
    if result.ok:
        err.print(f"[green]the log holds[/]: {result.entries} entries rebuild all "
                  f"{result.rows} state rows; root {result.root}", soft_wrap=True)
        return
    err.print(f"[bold red]the log does not hold[/]: {len(result.problems)} problem(s)")
    for problem in result.problems:
        err.print(f"  {escape(problem)}", soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("recount")
def audit_recount_cmd(data: DataOpt = Path("jig-data"), db: DbOpt = None) -> None:
    """Make the map's counts again from the verdict heads (a derived table, never logged: after
    rows were written into the tables directly, or when `jig audit verify` finds it differs)."""
    from jig.store import mapcounts

    store = open_store(data, db)
    try:
        with store.writing() as s:  # type: ignore[attr-defined]
            n = mapcounts.rebuild(s)
    finally:
        store.close()  # type: ignore[attr-defined]
    err.print(f"the map's counts: {n} rows made from the verdict heads")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        err.print(f"[bold red]error[/] {escape(str(path))}: cannot read: "
                  f"{escape(exc.strerror or str(exc))}")
    except ValueError as exc:
        err.print(f"[bold red]error[/] {escape(str(path))}: not JSON: {escape(str(exc))}")
    raise typer.Exit(2)


def _get(url: str, token: str | None, path: str, **params: Any) -> Any:
    import httpx

    headers = {"authorization": f"Bearer {token}"} if token else {}
    try:
        r = httpx.get(url.rstrip("/") + path, params=params, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        err.print(f"[bold red]error[/] {url}{path}: {escape(str(exc))}")
        raise typer.Exit(2) from None
    if r.status_code != 200:
        err.print(f"[bold red]error[/] {url}{path}: {r.status_code} {escape(r.text[:300])}")
        raise typer.Exit(2)
    return r.json()


def _report(problems: list[str], good: str) -> None:
    if not problems:
        err.print(f"[green]{escape(good)}[/]", soft_wrap=True)
        return
    for p in problems:
        err.print(f"[bold red]fails[/] {escape(p)}", soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("head")
def audit_head_cmd(url: UrlOpt, token: TokenOpt = None,
                   output: Annotated[Path | None, typer.Option(
                       "-o", "--output", help="Save the head here (JSON).")] = None) -> None:
    """Fetch the log's current signed head, to save and check later.

    Example: jig audit head --url http://host:8000 -o saved-head.json
    """
    from jig.signing import head_problem

    head = _get(url, token, "/audit/head")
    problem = head_problem(head)
    if problem is not None:
        err.print(f"[bold red]error[/] {escape(problem)}")
        raise typer.Exit(1)
    text = json.dumps(head, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    err.print(f"head of {head['tree_size']} entries, signed by key {head['public_key']}")


@audit_app.command("check-proof")
def check_proof_cmd(
    url: UrlOpt,
    determination: Annotated[int, typer.Option("--determination", help="The determination's "
                                               "id (in /published).")],
    token: TokenOpt = None,
    key: KeyOpt = None,
) -> None:
    """Check that a determination is in the log: its party's signature, its part of the log
    entry, the entry's inclusion under the head frozen at its publication, and that head's
    signature; and that /published shows the same.

    Example: jig audit check-proof --url http://host:8000 --determination 3
    Exit status 0 when it holds, 1 when it does not, 2 when the service cannot be read.
    """
    from jig.proofcheck import check_determination

    proof = _get(url, token, f"/audit/determinations/{determination}/proof")
    published = _get(url, token, "/published")
    if key is None:
        err.print(f"server key (pin it with --key): {proof['head'].get('public_key')}")
    problems = check_determination(proof, key, published)
    _report(problems, f"determination {determination} ({proof['determination'].get('party')}, "
            f"{proof['determination'].get('outcome')}) is entry {proof['entry']['seq']} of the "
            f"log under the head of {proof['head']['tree_size']} entries signed "
            f"{proof['head']['timestamp']}")


@audit_app.command("check-consistency")
def check_consistency_cmd(
    url: UrlOpt,
    since: Annotated[Path, typer.Option("--since", help="A signed head saved earlier (JSON, "
                                        "from jig audit head or a published determination).")],
    token: TokenOpt = None,
    key: KeyOpt = None,
    save: Annotated[Path | None, typer.Option("--save", help="Save the current head here "
                                              "once it checks.")] = None,
) -> None:
    """Check that today's log extends a head saved earlier (RFC 9162 consistency proof,
    both heads signed by the same key): nothing it covered was changed or removed.

    Example: jig audit check-consistency --url http://host:8000 --since saved-head.json
    """
    from jig.proofcheck import check_consistency

    saved = _read_json(since)
    answer = _get(url, token, "/audit/consistency", first=saved.get("tree_size", 0))
    problems = check_consistency(saved, answer, key)
    _report(problems, f"the log of {answer['second']} entries extends the saved head of "
            f"{saved.get('tree_size')} entries")
    if save is not None:
        tmp = save.with_suffix(".tmp")
        tmp.write_text(json.dumps(answer["head"], indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, save)
