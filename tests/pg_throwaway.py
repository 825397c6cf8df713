"""A throwaway PostgreSQL + PostGIS server for the store tests, from Debian's packages.

:func:`throwaway_postgis` runs ``initdb`` into a fresh temporary folder, starts the
server on a free loopback port (``127.0.0.1`` only, its unix socket inside that
folder, ``fsync`` off), creates a ``template_care`` database with the ``postgis``
extension, yields the server, then stops it and removes the folder, also when the
tests fail. ``root`` cannot run PostgreSQL, so as root the server runs as the
``postgres`` OS user (``runuser -u postgres --``) in a folder it owns.

Run it by hand to get a server for a while::

    .venv/bin/python -m tests.pg_throwaway     # prints a URL; Ctrl-C stops and removes it

The binaries come from ``postgresql-15`` and ``postgresql-15-postgis-3`` (``make
postgis`` installs them; ``make test`` depends on it).
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "PostgreSQL/PostGIS server binaries not found ({what}); run `make test` (its `postgis` "
    "target installs Debian's postgresql and postgresql-postgis, i.e. postgresql-15 and "
    "postgresql-15-postgis-3 on Debian 12), or `make postgis`."
)
TEMPLATE = "template_care"


class PostgisUnavailableError(RuntimeError):
    """The Debian PostgreSQL/PostGIS packages are not installed."""


@dataclass(frozen=True)
class Server:
    """A running throwaway server."""

    port: int
    folder: Path
    bindir: Path

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of one database on this server (user ``postgres``, trust auth)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database with PostGIS (a copy of the template); return its URL."""
        name = f"care_{uuid.uuid4().hex[:12]}"
        _admin(
            self.port,
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE)
            ),
        )
        return self.url(name)


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with PostGIS beside it.

    Raises
    ------
    PostgisUnavailableError
        No server binaries, or no PostGIS extension for them.
    """
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parents[1].name) if Path(p).parents[1].name.isdigit() else 0,
    )
    if not candidates:
        raise PostgisUnavailableError(
            INSTALL_HINT.format(what="no /usr/lib/postgresql/*/bin/initdb")
        )
    bindir = Path(candidates[-1]).parent
    version = bindir.parent.name
    control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
    if not control.exists():
        raise PostgisUnavailableError(INSTALL_HINT.format(what=f"no {control}"))
    return bindir


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    """Prefix a command so that it runs as ``postgres`` when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], *, what: str) -> None:
    done = subprocess.run(_as_server_user(args), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _admin(port: int, statement: sql.SQL | sql.Composed, *, database: str = "postgres") -> None:
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True
    ) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def throwaway_postgis(*, start_timeout_s: float = 30.0) -> Iterator[Server]:
    """Start a private PostgreSQL + PostGIS server; stop and remove it afterwards.

    Raises
    ------
    PostgisUnavailableError
        The Debian packages are missing (run ``make test`` or ``make postgis``).
    """
    bindir = find_bindir()
    folder = Path(tempfile.mkdtemp(prefix="care-atlas-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise PostgisUnavailableError(INSTALL_HINT.format(what="no 'postgres' user")) from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    started = False
    port = _free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            what="initdb",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                str(int(start_timeout_s)),
                "start",
            ],
            what="pg_ctl start",
        )
        started = True
        _admin(port, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        _admin(port, sql.SQL("CREATE EXTENSION postgis"), database=TEMPLATE)
        log.info("Throwaway PostGIS on 127.0.0.1:%s (%s)", port, folder)
        yield Server(port=port, folder=folder, bindir=bindir)
    finally:
        if started:
            with contextlib.suppress(RuntimeError):
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    what="pg_ctl stop",
                )
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Start a server, print a database URL, wait for Ctrl-C."""
    logging.basicConfig(level=logging.INFO)
    with throwaway_postgis() as server:
        log.info("CARE_ATLAS_DATABASE_URL=%s", server.new_database())
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            log.info("Stopping")


if __name__ == "__main__":
    main()
