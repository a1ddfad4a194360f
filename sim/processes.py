"""Local worker processes: how they are started, that they leave Ctrl-C to the process that
started them, and that they end with it.

Workers are forked where the platform can (they start at once, share the parent's loaded
modules and need no import guard in the calling script); elsewhere they are spawned, which
needs the usual ``if __name__ == "__main__":`` guard in scripts.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.context import BaseContext

PARENT_CHECK_SECONDS = 0.5
"""How often a worker checks that the process that started it is still alive."""


def start_context() -> BaseContext:
    """The multiprocessing context of local workers: ``fork`` where available, else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def end_with_parent() -> None:
    """Make this worker process exit as soon as the process that started it is gone.

    A pool's workers otherwise wait for work forever when their parent is killed (``kill -9``,
    an out-of-memory kill), each holding its memory. Call it first thing in a worker (the
    ``initializer`` of a ``ProcessPoolExecutor``): a daemon thread compares the parent's
    process id every :data:`PARENT_CHECK_SECONDS` and ends the worker at once when it changes
    (an orphan is adopted by another process).
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def start_worker() -> None:
    """Set up a local worker process (the ``initializer`` of a ``ProcessPoolExecutor``).

    Ctrl-C is left to the parent: a terminal sends SIGINT to every process of the foreground
    group, and each worker would otherwise print its own ``KeyboardInterrupt`` traceback. The
    parent, interrupted, ends its workers itself. And the worker ends with its parent
    (:func:`end_with_parent`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent()
