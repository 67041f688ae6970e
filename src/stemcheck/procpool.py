"""A small pool of forked worker processes whose results are collected in task order.

The parent forks one *supervisor*, which runs `setup(*setup_args)` once (building what the
work needs: imports, the checker) and then forks the workers, which inherit it. Tasks go
through one shared pipe that idle workers take turns reading (load balancing); each worker
answers on its own pipe, whose read end the supervisor hands to the parent over a Unix
socket. The supervisor then only waits for its workers and reports any that die.

Why a supervisor: it can be forked at the very start of the process (`prefork`), before
the command-line framework loads, and import the engine on another CPU meanwhile; the
workers then start with everything in place instead of each importing it after the parent
is ready. A cold `stemcheck scan` spends about a third of its time starting up.

Why not `multiprocessing.Pool`: a worker that dies (the out-of-memory killer, a crash in an
extension) takes its task with it and `Pool` waits for that result forever, so a CI lint
hangs until the runner's timeout; here a dead worker closes its result pipe and is an
error. `Pool` also keeps three threads in the parent, one of which spins while a result
sits unread; this pool has one, the feeder (a large task may block on a full pipe while
results still need reading), and reads results in the caller's thread.

Stopping: the parent sends SIGTERM to the supervisor, its own unreaped child, which sends
it on to its workers, its own unreaped children, and reaps them: no pid that could have
been reused is ever signalled, and no zombie is left for an init that may not reap it.
Workers and supervisor stay in the caller's process group, so a signal to the whole group
(`timeout`, a CI runner cancelling a job) reaches them as it reaches the parent; they
ignore SIGINT, which is the parent's to handle.
"""

from __future__ import annotations

import os
import signal
import struct
from collections.abc import Callable
from typing import Any

from stemcheck.errors import WorkerDied

_STOP = b""  # the feeder's "no more tasks" (workers get a pickled None)
_BYE = b""  # a worker's last message: an empty frame, never a pickled result
_READY, _FAILED = b"R", b"E"  # the supervisor's first message: workers started, or setup failed
_FDS_PER_MESSAGE = 200  # Linux passes at most 253 descriptors in one message


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, attached as its __cause__."""

    def __str__(self) -> str:
        return str(self.args[0])


def can_fork() -> bool:
    return hasattr(os, "fork")


def _hold_standard_fds() -> None:
    """Put /dev/null on any of descriptors 0-2 that is closed (`stemcheck scan ... >&-`):
    a pipe or socket opened at start-up would otherwise take that number, and the
    supervisor, which points its standard input and output at /dev/null, would replace it."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def usable_cpus() -> int:
    """The CPUs this process may use, the default number of workers: its affinity mask
    (taskset, cpusets) and a cgroup CPU quota (docker --cpus, Kubernetes limits), where the
    OS has them. os.cpu_count() alone counts the host's CPUs, and a CI container limited to
    2 of 64 would fork 64 workers to share 2."""
    import math

    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    return max(1, min(n, math.ceil(quota))) if quota else max(1, n)


CGROUP_FILES = ("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")


def _cgroup_cpu_quota() -> float | None:
    """CPUs' worth of time the process's cgroup may use per period, or None when unlimited
    or unknown: cgroup v2 `cpu.max` ("max 100000" or "150000 100000"), else v1's
    cfs_quota_us (-1 when unlimited) over cfs_period_us."""
    v2, v1 = CGROUP_FILES
    try:
        with open(v2, encoding="ascii") as fh:
            quota, period = fh.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open(v1, encoding="ascii") as fh:
            quota = int(fh.read())
        with open(v1.replace("quota", "period"), encoding="ascii") as fh:
            period = int(fh.read())
        return None if quota <= 0 else quota / period
    except (OSError, ValueError, ZeroDivisionError):
        return None


class OrderedPool:
    """`jobs` worker processes, each with the work function `setup(*setup_args)` returned
    (run once, in the supervisor). `submit(task)` returns a ticket; `result(ticket)` waits
    for that task's value (or re-raises its exception), collecting others meanwhile."""

    def __init__(self, jobs: int = 0, setup: Callable[..., Callable[[Any], Any]] | None = None, setup_args: tuple = ()) -> None:
        self.jobs = jobs
        self._setup = (setup, setup_args)
        self._pid: int | None = None  # the supervisor: this process's child, the workers' parent
        self._ctl = None  # Unix socket to the supervisor
        self._task_w: int | None = None
        self._readers: list | None = None  # the workers' result pipes, once the supervisor sent them
        self._done: dict[int, tuple[bool, Any]] = {}
        self._next = 0
        self._queue = None
        self._feeder = None
        self._ended = False
        self._status: int | None = None  # the supervisor's wait status, once reaped
        self._failure: BaseException | None = None  # the setup's error, raised by every result()
        self._sealed = False  # the workers have been told there are no more tasks

    # ------------------------------------------------------------------ starting

    @classmethod
    def prefork(cls, warm: str | None = None) -> OrderedPool:
        """Fork the supervisor now, before the caller knows how many workers it wants or
        with what. It imports and runs `warm` ("module:function", resolved there, so this
        process imports nothing for it) while the caller starts up, then waits for
        `configure` (or `dismiss`)."""
        _hold_standard_fds()
        pool = cls()
        pool._fork(warm, None)
        return pool

    def start(self) -> OrderedPool:
        """Fork the supervisor with the jobs, setup and arguments given at construction:
        they reach it by inheritance, never through a pipe."""
        self._fork(None, (self.jobs, *self._setup))
        self._start_feeder()
        return self

    def configure(self, jobs: int, setup: Callable[..., Callable[[Any], Any]], setup_args: tuple = ()) -> OrderedPool:
        """Tell a preforked supervisor how many workers to start and with what (pickled:
        keep the arguments small). Returns at once; setup runs there while this process
        goes on, and a setup error is raised by the first `result` (or by `close`)."""
        import pickle

        self.jobs = jobs
        _send_msg(self._ctl, pickle.dumps((jobs, setup, setup_args), pickle.HIGHEST_PROTOCOL))
        self._start_feeder()
        return self

    def dismiss(self) -> None:
        """A preforked supervisor that is not needed after all: stop it."""
        self.terminate()

    def _fork(self, warm: str | None, config: tuple | None) -> None:
        parent_end, child_end = _socketpair()
        task_r, task_w = os.pipe()
        can_block = hasattr(signal, "pthread_sigmask")
        if can_block:  # a Ctrl-C now waits, and reaches this process once the child exists
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        def supervisor() -> None:
            parent_end.close()
            os.close(task_w)
            _supervise(child_end, task_r, warm, config)

        try:
            pid = _fork_into(supervisor)
        finally:
            if can_block:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        child_end.close()
        os.close(task_r)
        self._pid, self._ctl, self._task_w = pid, parent_end, task_w

    def _start_feeder(self) -> None:
        import queue
        import threading

        self._queue = queue.SimpleQueue()
        self._feeder = threading.Thread(target=_feed, args=(self._queue, self._task_w), name="stemcheck-feeder", daemon=True)
        self._feeder.start()

    # ------------------------------------------------------------------ tasks and results

    def submit(self, task: Any) -> int:
        """Queue a task; it is pickled here, so an unpicklable task fails in the caller."""
        import pickle

        if self._sealed:
            raise RuntimeError("submit() after seal()")
        ticket = self._next
        self._next += 1
        self._queue.put(pickle.dumps((ticket, task), pickle.HIGHEST_PROTOCOL))
        return ticket

    def seal(self) -> None:
        """No more tasks: each worker ends once the tasks before this are taken. Workers
        left without work end (and are reaped) while the others finish theirs, instead of
        after the last result, when the caller is waiting to exit."""
        if self._sealed or self._queue is None:
            return
        import pickle

        self._sealed = True
        for _ in range(self.jobs):
            self._queue.put(pickle.dumps(None))

    def result(self, ticket: int) -> Any:
        while ticket not in self._done:
            self._collect()
        ok, value = self._done.pop(ticket)
        if ok:
            return value
        raise value

    def _connect(self) -> None:
        """Receive the workers' result pipes, or the setup's error (raised again by every
        later call: no worker will ever answer)."""
        if self._failure is not None:
            raise self._failure
        fds: list[int] = []
        while True:
            try:
                msg, more = _recv_fds(self._ctl, 1, _FDS_PER_MESSAGE)
            except OSError:
                msg, more = b"", []
            fds.extend(more)
            if msg != _READY or len(fds) >= self.jobs:
                break
        if msg == _READY:
            self._readers = fds
            return
        for fd in fds:
            os.close(fd)
        error = _recv_msg(self._ctl) if msg == _FAILED else None
        if not isinstance(error, BaseException):
            error = WorkerDied(f"the worker processes' supervisor {_how_it_ended(self._reap(timeout=1.0))} before starting them")
        self._failure = error
        raise error

    def _collect(self) -> None:
        """Wait for at least one result. A worker whose pipe ends while results are owed
        raises WorkerDied, named by what the supervisor saw of it."""
        import pickle

        if self._readers is None:
            self._connect()
        if not self._readers:  # every worker has said goodbye, and a result is still owed
            raise self._worker_died()
        for fd in _readable(self._readers):
            try:
                data = _read_frame(fd)
            except OSError:
                data = None
            if data is None:  # the pipe ended without a goodbye: the worker died
                raise self._worker_died()
            if data == _BYE:  # told there are no more tasks (seal), it ended
                self._readers.remove(fd)
                os.close(fd)
                continue
            ticket, ok, value = pickle.loads(data)
            self._done[ticket] = (ok, value)

    def _worker_died(self) -> WorkerDied:
        return WorkerDied(f"a worker process {self._death_notice()} before its work was done; rerun with --jobs 1 to work in one process")

    def _death_notice(self) -> str:
        """How a worker ended, as its supervisor reports it (waiting up to a second)."""
        import select

        if select.select([self._ctl], [], [], 1.0)[0]:
            notice = _recv_msg(self._ctl)
            if isinstance(notice, tuple) and notice[:1] == ("died",):
                return _how_status_ended(notice[2])
        return "ended"

    # ------------------------------------------------------------------ stopping

    def close(self) -> None:
        """Let the workers finish (every result should have been collected) and wait for
        them. A setup error not yet raised (no task was submitted) is raised here."""
        if self._ended:
            return
        if self._queue is None or self._failure is not None:  # never configured, or already failed
            self.terminate()
            return
        if self._readers is None:
            try:
                self._connect()
            except BaseException:
                self.terminate()
                raise
        self.seal()
        self._queue.put(_STOP)
        self._feeder.join()
        self._reap()
        self._release()

    def terminate(self) -> None:
        """Stop the supervisor and the workers now (Ctrl-C, an error on its way up, or a
        preforked pool not needed)."""
        if self._ended or self._pid is None:
            return
        if self._status is None:  # not yet reaped, so never a reused pid
            try:
                os.kill(self._pid, signal.SIGTERM)  # it stops and reaps its workers, then ends
            except OSError:
                pass
        self._reap()
        if self._queue is not None:
            self._queue.put(_STOP)
            self._feeder.join(timeout=5)
        self._release()

    def _reap(self, timeout: float | None = None) -> int | None:
        """Wait for the supervisor to end (once); its wait status, or None if it is still
        running at the timeout."""
        if self._status is not None:
            return self._status
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                pid, status = os.waitpid(self._pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:  # reaped by the system already (SIGCHLD ignored by whoever started us)
                pid, status = self._pid, 0
            if pid:
                self._status = status
                return status
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)

    def _release(self) -> None:
        self._ended = True
        for fd in self._readers or ():
            os.close(fd)
        self._ctl.close()
        if self._queue is None and self._task_w is not None:
            os.close(self._task_w)  # the feeder never took it over


# --------------------------------------------------------------------------- the supervisor


def _fork_into(body: Callable[[], None]) -> int:
    """Fork; the child runs `body` and ends there (exit 70 if it raised, silently: nothing
    may escape into the caller's code, or print a second traceback). The parent gets the pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            body()
        except BaseException:  # noqa: BLE001 - see above
            code = 70
        finally:
            os._exit(code)
    return pid


def _supervise(ctl, task_r: int, warm: str | None, config: tuple | None) -> None:
    """The supervisor's life: warm up, learn the configuration, set up, fork the workers,
    hand their result pipes over, wait for them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # never read the parent's input, never hold its output pipe open
    os.dup2(devnull, 1)
    os.close(devnull)
    if config is None:
        if warm:
            try:
                module, _, name = warm.partition(":")
                getattr(__import__(module, fromlist=[name]), name)()
            except Exception:  # noqa: BLE001 - only a head start: setup raises what matters
                pass
        raw = _recv_msg(ctl, raw=True)
        if raw is None:  # dismissed, or the parent is gone
            return
        import pickle

        config = pickle.loads(raw)
    jobs, setup, setup_args = config
    import gc

    gc.disable()  # what setup builds lives as long as the workers: not worth collecting
    try:
        work = setup(*setup_args)
    except Exception as e:  # noqa: BLE001 - the parent raises it
        _send_fds(ctl, _FAILED, [])
        _send_msg(ctl, _portable(e))
        return
    gc.freeze()  # and out of the collector's reach: the workers share it without touching it
    gc.enable()
    lock = _PipeLock()  # one reader of the task pipe at a time
    readers: list[int] = []
    pids: set[int] = set()
    # SIGTERM (the parent stopping the pool) waits until the workers exist and the handler
    # that stops and reaps them is in place: a supervisor that died first would leave them
    # running, then as zombies where the container's init does not reap them
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    for _ in range(jobs):
        r, w = os.pipe()

        def worker() -> None:  # runs at once, in the child: r and w are this iteration's
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # and its default: end at once
            ctl.close()
            for fd in (r, *readers):
                os.close(fd)
            _serve(task_r, lock, w, work)

        pid = _fork_into(worker)
        os.close(w)  # the worker holds the only write end: its death is end-of-file to the parent
        readers.append(r)
        pids.add(pid)
    os.close(task_r)
    signal.signal(signal.SIGTERM, _stop_supervising)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    try:
        for i in range(0, len(readers), _FDS_PER_MESSAGE):
            _send_fds(ctl, _READY, readers[i : i + _FDS_PER_MESSAGE])
        for fd in readers:
            os.close(fd)
        while pids:
            pid, status = os.waitpid(-1, 0)
            pids.discard(pid)
            if status != 0:
                try:
                    _send_msg(ctl, ("died", pid, status))
                except OSError:
                    pass
    except _Stopped:  # SIGTERM: stop the workers and reap them
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)  # not yet reaped, so never a reused pid
            except OSError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


class _Stopped(Exception):
    pass


def _stop_supervising(signum, frame) -> None:
    raise _Stopped


def _serve(task_r: int, lock: _PipeLock, res_w: int, work: Callable[[Any], Any]) -> None:
    """A worker's life: answer tasks until told to stop."""
    import pickle

    while True:
        with lock:  # one reader at a time: a message is read whole by one worker
            try:
                data = _read_frame(task_r)
            except OSError:
                data = None
        if data is None:  # the parent is gone
            return
        item = pickle.loads(data)
        if item is None:  # no more tasks: say so, so that the parent can tell ending from dying
            try:
                _write_frame(res_w, _BYE)
            except OSError:
                pass
            return
        ticket, task = item
        try:
            answer = (ticket, True, work(task))
        except Exception as e:  # noqa: BLE001 - handed to the parent, which raises it
            answer = (ticket, False, _portable(e))
        try:
            out = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 - a result that cannot be pickled
            out = pickle.dumps((ticket, False, _portable(e)), pickle.HIGHEST_PROTOCOL)
        try:
            _write_frame(res_w, out)
        except OSError:  # the parent is gone
            return


def _feed(tasks, fd: int) -> None:
    """Write queued tasks to the shared task pipe, in order, until told to stop."""
    while (data := tasks.get()) != _STOP:
        try:
            _write_frame(fd, data)
        except OSError:  # the workers are gone: the caller learns why from result()
            break
    os.close(fd)


# --------------------------------------------------------------------------- pipes
# Plain descriptors, not multiprocessing's Connection and Lock: importing multiprocessing
# (and with it socket) took 7-8 ms of the supervisor's start, after the parent had sent
# its configuration, when nothing else was left to do.

_FRAME = struct.Struct("!Q")


def _write_frame(fd: int, data: bytes) -> None:
    """One message on a pipe: its length, then its bytes (os.write may take part of them)."""
    view = memoryview(_FRAME.pack(len(data)))
    for part in (view, memoryview(data)):
        while part:
            part = part[os.write(fd, part) :]


def _read_frame(fd: int) -> bytes | None:
    """The next message on a pipe; None at end of file, or if the writer stopped mid-message."""
    head = _read_exactly(fd, _FRAME.size)
    return None if head is None else _read_exactly(fd, _FRAME.unpack(head)[0])


def _read_exactly(fd: int, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(fd, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _readable(fds: list[int]) -> list[int]:
    """The descriptors among `fds` that can be read (or are at end of file), waiting for one.
    poll, not select: select cannot wait on descriptors numbered above 1023."""
    import select

    if not hasattr(select, "poll"):
        return select.select(fds, [], [])[0]
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    return [fd for fd, _ in poller.poll()]


class _PipeLock:
    """A lock shared by forked processes: one token in a pipe, taken by reading it and put
    back by writing it (as make's jobserver does). The workers hold it while they read a
    task, so each message is read whole by one of them."""

    def __init__(self) -> None:
        self._r, self._w = os.pipe()
        os.write(self._w, b".")

    def __enter__(self) -> None:
        os.read(self._r, 1)

    def __exit__(self, *exc) -> None:
        os.write(self._w, b".")


# --------------------------------------------------------------------------- messages and errors


def _socketpair():
    """A connected pair of Unix stream sockets, from the C module. `import socket` builds
    its enums (AddressFamily, SocketKind, ...) from the module's constants: 3-5 ms before
    the supervisor can be forked, on the critical path of every parallel scan. The C
    objects have every method used here (sendmsg, recvmsg, fileno, close)."""
    import _socket

    return _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)


def _send_fds(sock, data: bytes, fds: list[int]) -> None:
    """socket.send_fds, on a socket from _socketpair."""
    import _socket
    import array

    sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))] if fds else [])


def _recv_fds(sock, bufsize: int, maxfds: int) -> tuple[bytes, list[int]]:
    """socket.recv_fds, on a socket from _socketpair: (data, descriptors)."""
    import _socket
    import array

    fds = array.array("i")
    msg, ancdata, _, _ = sock.recvmsg(bufsize, _socket.CMSG_LEN(maxfds * fds.itemsize))
    for level, kind, data in ancdata:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return msg, list(fds)


def _send_msg(sock, obj) -> None:
    """One message on the control socket (bytes as they are, else pickled), framed as
    the pipes' messages are."""
    import pickle

    _write_frame(sock.fileno(), obj if isinstance(obj, bytes) else pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def _recv_msg(sock, raw: bool = False):
    """The next message on the control socket (None at end of file)."""
    try:
        data = _read_frame(sock.fileno())
    except OSError:
        return None
    if data is None or raw:
        return data
    import pickle

    return pickle.loads(data)


def _portable(e: BaseException) -> _WithCause:
    """The exception to send to the parent, carrying the worker's traceback as its cause;
    one that cannot be pickled is replaced by a RuntimeError with its type and message."""
    import pickle
    import traceback

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


def _how_status_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            return f"was killed by signal {sig}"
        return f"was killed by {name}" + (" (out of memory?)" if sig == signal.SIGKILL else "")
    return f"exited unexpectedly (exit code {os.WEXITSTATUS(status)})"


def _how_it_ended(status: int | None) -> str:
    return "ended" if status is None else _how_status_ended(status)


__all__ = ["OrderedPool", "RemoteTraceback", "can_fork", "usable_cpus"]
