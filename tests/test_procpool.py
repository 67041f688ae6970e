"""The ordered process pool: results in task order, errors carried across, and a worker
that dies is an error, never a hang (multiprocessing.Pool waits for a dead worker's
result forever)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from stemcheck.errors import WorkerDied
from stemcheck.procpool import OrderedPool, RemoteTraceback

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="forked workers and POSIX signals")


def _setup(scale: float, barrier=None):
    """The work function a worker builds once: sleep (task seconds × scale), then answer."""

    def work(task):
        kind, value = task
        if kind == "meet":  # returns only when another worker is meeting too
            barrier.wait(timeout=30)
            return os.getpid()
        if kind == "sleep":
            time.sleep(value * scale)
            return value
        if kind == "raise":
            raise ValueError(value)
        if kind == "unpicklable-error":
            raise _Unpicklable(value)
        if kind == "unpicklable-result":
            return lambda: value
        if kind == "die":
            os._exit(value)
        if kind == "pid":
            return os.getpid()
        raise AssertionError(kind)

    return work


class _Unpicklable(Exception):
    def __init__(self, value):
        super().__init__(value)
        self.handle = lambda: value  # a lambda cannot be pickled

    def __reduce__(self):
        raise TypeError("not picklable")


def _all_gone(pids, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_results_come_back_in_task_order_whatever_order_they_finish_in():
    pool = OrderedPool(3, _setup, (0.01,)).start()
    try:
        delays = [5, 0, 3, 1, 4, 0, 2, 0]
        tickets = [pool.submit(("sleep", d)) for d in delays]
        assert [pool.result(t) for t in tickets] == delays
    finally:
        pool.close()


def test_tasks_are_shared_between_the_workers():
    import multiprocessing

    pool = OrderedPool(2, _setup, (0.0, multiprocessing.get_context("fork").Barrier(2))).start()
    try:
        pids = {pool.result(t) for t in [pool.submit(("meet", None)), pool.submit(("meet", None))]}
    finally:
        pool.close()
    assert len(pids) == 2 and os.getpid() not in pids


def test_an_exception_in_a_worker_is_raised_by_result_with_the_workers_traceback():
    pool = OrderedPool(2, _setup, (0.0,)).start()
    try:
        bad = pool.submit(("raise", "no such thing"))
        good = pool.submit(("sleep", 0))
        with pytest.raises(ValueError, match="no such thing") as info:
            pool.result(bad)
        assert isinstance(info.value.__cause__, RemoteTraceback)
        assert "in work" in str(info.value.__cause__)
        assert pool.result(good) == 0  # the pool goes on
    finally:
        pool.close()


def test_what_cannot_be_pickled_comes_back_as_an_error_not_a_hang():
    pool = OrderedPool(1, _setup, (0.0,)).start()
    try:
        with pytest.raises(RuntimeError, match="_Unpicklable: x"):
            pool.result(pool.submit(("unpicklable-error", "x")))
        with pytest.raises(Exception, match="pickle|lambda"):
            pool.result(pool.submit(("unpicklable-result", "y")))
        assert pool.result(pool.submit(("sleep", 0))) == 0
        with pytest.raises(Exception, match="pickle|lambda"):
            pool.submit(lambda: None)  # a task that cannot be sent fails in the caller
    finally:
        pool.close()


def _broken_setup():
    raise ImportError("no module named 'nothing'")


def test_a_setup_that_fails_answers_every_task_with_its_error(capfd):
    pool = OrderedPool(2, _broken_setup).start()
    try:
        tickets = [pool.submit(("sleep", 0)) for _ in range(3)]
        for t in tickets:
            with pytest.raises(ImportError, match="nothing"):
                pool.result(t)
    finally:
        pool.close()
    assert "Traceback" not in capfd.readouterr().err  # reported by the parent, not printed by a worker


def test_a_worker_that_exits_is_an_error_naming_its_exit_code():
    pool = OrderedPool(2, _setup, (0.0,)).start()
    try:
        ticket = pool.submit(("die", 7))
        with pytest.raises(WorkerDied, match=r"exit code 7"):
            pool.result(ticket)
    finally:
        pool.terminate()


def test_a_worker_killed_mid_task_is_an_error_naming_the_signal():
    pool = OrderedPool(2, _setup, (1.0,)).start()
    try:
        pid_ticket = pool.submit(("pid", None))
        victim = pool.result(pid_ticket)
        tickets = [pool.submit(("sleep", 0.5)) for _ in range(4)]
        time.sleep(0.2)
        os.kill(victim, signal.SIGKILL)
        with pytest.raises(WorkerDied, match="SIGKILL"):
            for t in tickets:
                pool.result(t)
    finally:
        pool.terminate()


def test_after_seal_idle_workers_end_and_every_result_still_arrives():
    pool = OrderedPool(4, _setup, (0.01,)).start()
    try:
        tickets = [pool.submit(("sleep", d)) for d in (30, 0, 0, 0, 0)]  # one slow task, four quick
        pool.seal()
        with pytest.raises(RuntimeError, match="after seal"):
            pool.submit(("sleep", 0))
        assert [pool.result(t) for t in tickets] == [30, 0, 0, 0, 0]
    finally:
        pool.close()


def test_a_worker_that_dies_holding_a_task_after_seal_is_still_an_error():
    """After seal() workers end, and say goodbye first: one that ends without a goodbye,
    holding a task, still died, and is reported as such."""
    pool = OrderedPool(2, _setup, (0.0,)).start()
    try:
        tickets = [pool.submit(("sleep", 0)), pool.submit(("die", 9)), pool.submit(("sleep", 0))]
        pool.seal()
        with pytest.raises(WorkerDied, match=r"exit code 9"):
            for t in tickets:
                pool.result(t)
    finally:
        pool.terminate()


def test_a_worker_killed_after_seal_is_an_error_at_once_not_after_the_others_finish():
    """A worker told there are no more tasks says goodbye before it ends: a result pipe
    that ends without one is a death, even after seal(), and is reported at once."""
    import multiprocessing

    pool = OrderedPool(3, _setup, (1.0, multiprocessing.get_context("fork").Barrier(3))).start()
    try:
        pids = {pool.result(t) for t in [pool.submit(("meet", None)) for _ in range(3)]}
        tickets = [pool.submit(("sleep", 20)), pool.submit(("sleep", 20))]
        pool.seal()  # the third worker takes a stop message and ends
        time.sleep(0.5)
        busy = [p for p in pids if _alive(p)]
        assert len(busy) == 2
        os.kill(busy[0], signal.SIGKILL)
        t0 = time.monotonic()
        with pytest.raises(WorkerDied, match="SIGKILL"):
            for t in tickets:
                pool.result(t)
        assert time.monotonic() - t0 < 10  # not after the other worker's 20 s task
    finally:
        pool.terminate()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is not alive: the supervisor may not have reaped it yet
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def test_close_and_terminate_leave_no_worker_behind():
    for stop in ("close", "terminate"):
        pool = OrderedPool(2, _setup, (1.0,)).start()
        pids = {pool.result(pool.submit(("pid", None))) for _ in range(6)}
        if stop == "terminate":
            pool.submit(("sleep", 30))  # terminate does not wait for work in progress
            t0 = time.monotonic()
            pool.terminate()
            assert time.monotonic() - t0 < 10
        else:
            pool.close()
        assert _all_gone(pids, timeout=1.0), stop


def test_workers_end_when_the_parent_dies_without_closing_the_pool():
    script = textwrap.dedent(
        """
        import os, sys
        sys.path.insert(0, sys.argv[1])
        from test_procpool import _setup
        from stemcheck.procpool import OrderedPool
        pool = OrderedPool(2, _setup, (0.0,)).start()
        pids = {pool.result(pool.submit(("pid", None))) for _ in range(6)}
        print(" ".join(map(str, sorted(pids))), flush=True)
        os._exit(0)  # no close(): as if the parent were killed
        """
    )
    out = subprocess.run([sys.executable, "-c", script, os.path.dirname(__file__)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    pids = [int(p) for p in out.stdout.split()]
    assert pids and _all_gone(pids)


def test_a_preforked_pool_is_configured_later_and_works_like_a_started_one():
    pool = OrderedPool.prefork(warm="json:dumps")  # any importable function: a head start
    try:
        pool.configure(2, _setup, (0.001,))
        tickets = [pool.submit(("sleep", d)) for d in (3, 0, 2, 1)]
        assert [pool.result(t) for t in tickets] == [3, 0, 2, 1]
    finally:
        pool.close()
    assert pool._status == 0  # the supervisor ended cleanly, and was reaped


def test_a_preforked_pool_dismissed_leaves_nothing_behind():
    pool = OrderedPool.prefork(warm="json:dumps")
    pid = pool._pid
    pool.dismiss()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already: no zombie


def test_a_preforked_pool_whose_setup_fails_raises_at_the_first_result():
    pool = OrderedPool.prefork()
    try:
        pool.configure(2, _broken_setup, ())
        with pytest.raises(ImportError, match="nothing"):
            pool.result(pool.submit(("sleep", 0)))
    finally:
        pool.close()



def test_more_workers_than_one_message_can_pass_descriptors_for():
    pool = OrderedPool(201, _setup, (0.0,)).start()
    try:
        tickets = [pool.submit(("sleep", i)) for i in range(5)]
        assert [pool.result(t) for t in tickets] == list(range(5))
        assert len(pool._readers) == 201
    finally:
        pool.close()
