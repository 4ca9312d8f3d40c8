"""A warm parent for the fault test: it imports the server (or the worker) once, then forks a
fresh child each time it reads `spawn` on stdin and prints the child's pid. The test kills the
child with SIGKILL and asks for another: a restart costs a fork, not the imports (seconds on a
loaded machine), the way a pre-forking server master replaces a dead worker.

    python -m tests.fault_zygote server FD    # FD: the listening socket, inherited
    python -m tests.fault_zygote worker
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def _server(fd: int) -> Callable[[], None]:
    import uvicorn

    import jiesu.triage.service  # noqa: F401  (imported by /healthz: once, here)
    from jiesu.app import create_app

    app = create_app()

    def run() -> None:
        config = uvicorn.Config(app, fd=fd, log_level="warning", access_log=False)
        uvicorn.Server(config).run()

    return run


def _worker() -> Callable[[], None]:
    from jiesu.triage.service import warm_up
    from jiesu.worker import run_forever

    warm_up()  # the model and the gazetteer, loaded once in the parent

    def run() -> None:
        run_forever(0.2)

    return run


def main(argv: list[str]) -> None:
    from jiesu.core import db

    run = _server(int(argv[1])) if argv[0] == "server" else _worker()
    # Nothing in the parent may hold a database connection: children would share its socket.
    assert db.get_engine.cache_info().currsize == 0
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # dead children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "spawn":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                run()
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
