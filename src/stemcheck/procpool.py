"""A small pool of forked worker processes whose results are collected in task order.

Why not `multiprocessing.Pool`: a worker that dies (the out-of-memory killer, a crash in
an extension) takes its task with it and `Pool` waits for that result forever, so a CI
lint hangs until the runner's timeout. And `Pool` keeps three threads in the parent, one
of which spins while a result sits unread in the pipe, competing with the workers for the
CPU. This pool has one thread (the feeder: a large task may block on a full pipe while
results still need reading) and reads results in the caller's thread, waiting on the
result pipes and the worker processes together: a dead worker is an error, not a hang.

Tasks go through one shared pipe that idle workers take turns reading (load balancing);
each worker answers on its own pipe. The worker builds its work function once, from
`setup(*setup_args)`, so nothing it holds is global state or crosses a pipe. Workers never
see Ctrl-C: the parent handles it and terminates them.
"""

from __future__ import annotations

import pickle
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from stemcheck.errors import WorkerDied

_STOP = b""  # the feeder's "no more tasks" (workers get a pickled None)


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, attached as its __cause__."""

    def __str__(self) -> str:
        return str(self.args[0])


class OrderedPool:
    """`jobs` worker processes, each running `setup(*setup_args)` once to get its work
    function. `submit(task)` returns a ticket; `result(ticket)` waits for that task's value
    (or re-raises its exception), collecting others that arrive meanwhile."""

    def __init__(self, jobs: int, setup: Callable[..., Callable[[Any], Any]], setup_args: tuple = ()) -> None:
        import multiprocessing as mp

        self.jobs = jobs
        self._ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self._setup = (setup, setup_args)
        self._procs: list = []
        self._readers: list = []
        self._done: dict[int, tuple[bool, Any]] = {}
        self._next = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None

    def start(self) -> OrderedPool:
        """Fork the workers. SIGINT is blocked while they are forked (a Ctrl-C then waits and
        reaches this process once they exist, not a worker half-born)."""
        ctx = self._ctx
        task_r, task_w = ctx.Pipe(duplex=False)
        lock = ctx.Lock()
        can_block = hasattr(signal, "pthread_sigmask")
        if can_block:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for i in range(self.jobs):
                res_r, res_w = ctx.Pipe(duplex=False)
                p = ctx.Process(
                    target=_serve,
                    args=(task_r, task_w, lock, res_w, *self._setup),
                    name=f"stemcheck-worker-{i + 1}",
                    daemon=True,
                )
                p.start()
                res_w.close()  # the worker's end: closed here, so its death shows as end-of-file
                self._procs.append(p)
                self._readers.append(res_r)
        finally:
            if can_block:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        task_r.close()  # only workers read tasks: once they are gone, the feeder's writes fail
        self._feeder = threading.Thread(target=_feed, args=(self._queue, task_w), name="stemcheck-feeder", daemon=True)
        self._feeder.start()
        return self

    def submit(self, task: Any) -> int:
        """Queue a task; it is pickled here, so an unpicklable task fails in the caller."""
        ticket = self._next
        self._next += 1
        self._queue.put(pickle.dumps((ticket, task), pickle.HIGHEST_PROTOCOL))
        return ticket

    def result(self, ticket: int) -> Any:
        while ticket not in self._done:
            self._collect()
        ok, value = self._done.pop(ticket)
        if ok:
            return value
        raise value

    def _collect(self) -> None:
        """Wait for at least one result; a worker that has ended (while results are owed)
        raises WorkerDied."""
        sentinels = {p.sentinel: p for p in self._procs}
        ready = wait([*self._readers, *sentinels])
        for conn in self._readers:
            if conn in ready:
                try:
                    ticket, ok, value = conn.recv()
                except EOFError:
                    continue  # the worker is gone: its sentinel says how
                self._done[ticket] = (ok, value)
        dead = [sentinels[s] for s in ready if s in sentinels]
        if dead:
            raise WorkerDied(f"a worker process {_how_it_ended(dead[0])} before its work was done; rerun with --jobs 1 to work in one process")

    def close(self) -> None:
        """Let the workers finish (every result should have been collected) and wait for them."""
        for _ in self._procs:
            self._queue.put(pickle.dumps(None))
        self._queue.put(_STOP)
        for p in self._procs:
            p.join()
        self._finish()

    def terminate(self) -> None:
        """Stop the workers now (Ctrl-C, or an error on its way up)."""
        for p in self._procs:
            if p.exitcode is None:
                p.terminate()
        for p in self._procs:
            p.join()
        self._queue.put(_STOP)
        self._finish()

    def _finish(self) -> None:
        if self._feeder is not None:
            self._feeder.join(timeout=5)
        for conn in self._readers:
            conn.close()


def _feed(tasks: queue.SimpleQueue, conn) -> None:
    """Write queued tasks to the shared task pipe, in order, until told to stop."""
    while (data := tasks.get()) != _STOP:
        try:
            conn.send_bytes(data)
        except OSError:  # every worker has ended: the caller learns why from result()
            break
    conn.close()


def _serve(task_r, task_w, lock, res_w, setup, setup_args) -> None:
    """A worker's life: build the work function, then answer tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while forking
    task_w.close()  # the parent's end: if the parent dies, reading tasks ends here instead of hanging
    try:
        work, failure = setup(*setup_args), None
    except Exception as e:  # noqa: BLE001 - every task is answered with it: one line in the parent, no traceback here
        work, failure = None, _portable(e)
    while True:
        with lock:  # one reader at a time: a message is read whole by one worker
            try:
                data = task_r.recv_bytes()
            except EOFError:
                return
        item = pickle.loads(data)
        if item is None:
            return
        ticket, task = item
        if failure is not None:
            answer = (ticket, False, failure)
        else:
            try:
                answer = (ticket, True, work(task))
            except Exception as e:  # noqa: BLE001 - handed to the parent, which raises it
                answer = (ticket, False, _portable(e))
        try:
            res_w.send(answer)
        except OSError:  # the parent is gone
            return
        except Exception as e:  # noqa: BLE001 - a result that cannot be pickled
            res_w.send((ticket, False, _portable(e)))


def _portable(e: BaseException) -> _WithCause:
    """The exception to send to the parent, carrying the worker's traceback as its cause;
    one that cannot be pickled is replaced by a RuntimeError with its type and message."""
    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    try:
        e = pickle.loads(pickle.dumps(e))
    except Exception:  # noqa: BLE001 - any failure to round-trip means "not portable"
        e = RuntimeError(f"{type(e).__name__}: {e}")
    e.__cause__ = RemoteTraceback(f'\n"""\n{tb}"""')
    return _WithCause(e)


class _WithCause:
    """Pickles an exception together with its __cause__ (pickle drops it otherwise)."""

    def __init__(self, e: BaseException) -> None:
        self.e = e

    def __reduce__(self):
        return _rebuild, (self.e, self.e.__cause__)


def _rebuild(e: BaseException, cause: BaseException | None) -> BaseException:
    e.__cause__ = cause
    return e


def _how_it_ended(p) -> str:
    p.join(timeout=1)
    code = p.exitcode
    if code is not None and code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited unexpectedly (exit code {code})"


__all__ = ["OrderedPool", "RemoteTraceback"]
