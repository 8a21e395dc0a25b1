"""Throwaway PostgreSQL and Redis servers on loopback, for the test runner and the benchmarks."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_binary(name: str) -> str | None:
    """Path of a server binary, looking in PATH and in Debian's versioned PostgreSQL folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    return candidates[-1] if candidates else None


def _version_key(path: str) -> int:
    try:
        return int(Path(path).parts[4])
    except (IndexError, ValueError):
        return 0


def _wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on 127.0.0.1:{port} within {timeout:.0f}s")


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, trust auth on 127.0.0.1 only."""

    def __init__(self, database: str = "valuedesk"):
        self.database = database
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="valuedesk-pg-"))
        self.data = self.dir / "data"
        self.user = "valuedesk"
        self._run_as = None

    @staticmethod
    def available() -> bool:
        """True when initdb and pg_ctl are installed."""
        return bool(find_binary("initdb") and find_binary("pg_ctl"))

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the test database."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _command(self, *args: str) -> list[str]:
        # initdb refuses to run as root; CI runs as root, so drop to an unprivileged user.
        if self._run_as:
            return ["runuser", "-u", self._run_as, "--", *args]
        return list(args)

    def start(self) -> PostgresServer:
        """Create the cluster, start it and create the database."""
        if os.geteuid() == 0:
            self._run_as = "postgres" if _user_exists("postgres") else "nobody"
            owner = pwd.getpwnam(self._run_as)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            self._command(find_binary("initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
                          "-E", "UTF8", "--no-sync"),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self._command(find_binary("pg_ctl"), "-D", str(self.data), "-o", options,
                          "-l", str(self.dir / "server.log"), "-w", "start"),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        _wait_for_port(self.port, 30, "PostgreSQL")
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.data.exists():
            subprocess.run(
                self._command(find_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class RedisServer:
    """A Redis server with no persistence on 127.0.0.1."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="valuedesk-redis-"))
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        """True when redis-server is installed."""
        return find_binary("redis-server") is not None

    @property
    def url(self) -> str:
        """redis:// URL of the server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        """Start the server and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [find_binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 15, "Redis")
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
