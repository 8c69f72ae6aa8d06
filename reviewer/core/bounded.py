"""Run tasks in a child process under a time and memory limit; a breach is a value, not a hang.

One forked child runs a list of tasks in order and sends each result back over a pipe. The parent
gives every task group (a scan) a wall-clock budget shared by its tasks, and the child runs with
``RLIMIT_AS`` (address space: what it had at fork plus the memory limit) and ``RLIMIT_CPU`` (a
backstop to the parent's clock). When a task overruns its group's budget, or the child dies
(memory exhausted, killed, crashed), that task is reported as breached, the child is killed
with its whole process group (tools it started die with it) and a new child takes the tasks
that were not run yet. Tasks whose group has no budget left are reported as not run.

Why ``fork`` and not ``spawn`` or ``forkserver``: the tasks are closures over configured
analyzer objects (rule tables loaded, test doubles, wrappers) that need not be picklable, and a
fork costs milliseconds where a fresh interpreter costs a second per scan. Forking from a
threaded worker copies only the calling thread; the child therefore runs nothing but the tasks
(pure computation on the text it was given), never logs, never touches the parent's sockets or
database connections, and leaves with ``os._exit`` so that no finaliser or ``atexit`` hook of
the parent runs in it. CPython re-initialises the locks the child can meet (the GIL, the import
lock, logging's handler locks). Should the child still block on a lock another thread held at
fork time, the parent's clock ends it and the scan reports a time-out: never a silent pass.

Results come back pickled. The bytes are produced by this module's own child from values the
task returned; nothing else can write to the pipe.
"""

from __future__ import annotations

import enum
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Breach", "Limits", "Outcome", "Task", "run_bounded", "supported"]

T = TypeVar("T")

_HEADER = struct.Struct("!Q")
_KILL_GRACE_S = 5.0


class Breach(enum.StrEnum):
    """Why a task did not give a result."""

    TIMED_OUT = "timed out"
    MEMORY = "memory limit"
    CRASHED = "crashed"
    NOT_RUN = "not run"
    ERROR = "raised"  # the task raised an exception (``detail`` has its traceback)


@dataclass(frozen=True)
class Limits:
    """Wall-clock seconds per task group (shared by its tasks) and bytes of memory per child.

    A value of 0 turns that limit off.
    """

    time_s: float = 60.0
    memory_bytes: int = 1 << 30


@dataclass(frozen=True)
class Task(Generic[T]):
    """A unit of work: ``run`` is called in the child; ``group`` shares one time budget."""

    run: Callable[[], T]
    group: Hashable = 0


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of one task: its value, or the breach and a sentence about it."""

    value: T | None = None
    breach: Breach | None = None
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.breach is None


def supported() -> bool:
    """True where a child process with resource limits can be forked (POSIX)."""
    return hasattr(os, "fork") and sys.platform != "win32"


def run_bounded(tasks: Sequence[Task[T]], *, limits: Limits) -> list[Outcome[T]]:
    """Run ``tasks`` in forked children under ``limits``; one outcome per task, in order."""
    outcomes: dict[int, Outcome[T]] = {}
    used: dict[Hashable, float] = {}
    pending = list(range(len(tasks)))
    while pending:
        runnable = []
        for i in pending:
            if limits.time_s and used.get(tasks[i].group, 0.0) >= limits.time_s:
                outcomes[i] = Outcome(
                    breach=Breach.NOT_RUN,
                    detail=f"the scan's {limits.time_s:g}-second time limit was used up",
                )
            else:
                runnable.append(i)
        if not runnable:
            break
        _Child(tasks, runnable, limits, used, outcomes).run()
        pending = [i for i in runnable if i not in outcomes]
    return [outcomes[i] for i in range(len(tasks))]


class _Child(Generic[T]):
    """One forked child running ``indices`` in order; fills ``outcomes`` and ``used``."""

    def __init__(
        self,
        tasks: Sequence[Task[T]],
        indices: list[int],
        limits: Limits,
        used: dict[Hashable, float],
        outcomes: dict[int, Outcome[T]],
    ) -> None:
        self.tasks, self.indices, self.limits = tasks, indices, limits
        self.used, self.outcomes = used, outcomes
        self.current: int | None = None
        self.started = 0.0

    # -- parent side -----------------------------------------------------------------

    def run(self) -> None:
        read_fd, write_fd = os.pipe()
        with warnings.catch_warnings():  # 3.12+ warns about forking a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which leaves with os._exit
            os.close(read_fd)
            _child_main(self.tasks, self.indices, self.limits, self.used, write_fd)
        os.close(write_fd)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass  # the child already did it (or already left)
        try:
            timed_out = self._collect(read_fd)
        finally:
            os.close(read_fd)
        if timed_out:
            _kill(pid)
        status = _reap(pid)
        self._account(timed_out, status)

    def _deadline(self) -> float | None:
        if not self.limits.time_s:
            return None
        if self.current is None:  # between tasks: the child only pickles and writes
            return time.monotonic() + self.limits.time_s
        left = self.limits.time_s - self.used.get(self.tasks[self.current].group, 0.0)
        return self.started + max(left, 0.0)

    def _collect(self, fd: int) -> bool:
        """Read the child's messages until it closes the pipe (False) or overruns (True)."""
        buf = bytearray()
        while True:
            deadline = self._deadline()
            wait = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return True
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return False
            buf += chunk
            while len(buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(buf)
                if len(buf) < _HEADER.size + size:
                    break
                message = pickle.loads(bytes(buf[_HEADER.size : _HEADER.size + size]))
                del buf[: _HEADER.size + size]
                self._message(message)

    def _message(self, message: tuple[Any, ...]) -> None:
        kind, index = message[0], message[1]
        now = time.monotonic()
        if kind == "start":
            self.current, self.started = index, now
            return
        spent = now - self.started
        group = self.tasks[index].group
        self.used[group] = self.used.get(group, 0.0) + spent
        self.current = None
        if kind == "done":
            self.outcomes[index] = Outcome(value=message[2], seconds=spent)
        elif kind == "memory":
            self.outcomes[index] = Outcome(
                breach=Breach.MEMORY, seconds=spent, detail=self._memory_detail()
            )
        else:
            self.outcomes[index] = Outcome(
                breach=Breach.ERROR, seconds=spent, detail=str(message[2])
            )

    def _memory_detail(self) -> str:
        return f"used more than the {self.limits.memory_bytes // (1 << 20)} MiB memory limit"

    def _account(self, timed_out: bool, status: int) -> None:
        """Give the task the child was running when it stopped (if any) its breach."""
        index = self.current
        if index is None:
            if not any(i in self.outcomes for i in self.indices):
                # The child died before it started anything: do not retry forever.
                for i in self.indices:
                    self.outcomes[i] = Outcome(
                        breach=Breach.CRASHED,
                        detail=f"the analysis process failed ({_describe(status)})",
                    )
            return
        spent = time.monotonic() - self.started
        group = self.tasks[index].group
        self.used[group] = self.used.get(group, 0.0) + spent
        if timed_out or _signalled(status, "SIGXCPU"):
            self.outcomes[index] = Outcome(
                breach=Breach.TIMED_OUT,
                seconds=spent,
                detail=f"did not finish within the scan's {self.limits.time_s:g}-second limit",
            )
        elif (
            _signalled(status, "SIGKILL")
            or _signalled(status, "SIGSEGV")
            or _signalled(status, "SIGABRT")
        ):
            # The kernel's OOM killer, or an allocation failing where Python could not raise.
            self.outcomes[index] = Outcome(
                breach=Breach.MEMORY,
                seconds=spent,
                detail=f"{self._memory_detail()} ({_describe(status)})",
            )
        else:
            self.outcomes[index] = Outcome(
                breach=Breach.CRASHED,
                seconds=spent,
                detail=f"the analysis process stopped ({_describe(status)})",
            )


# -- child side ----------------------------------------------------------------------


def _child_main(
    tasks: Sequence[Task[Any]],
    indices: list[int],
    limits: Limits,
    used: dict[Hashable, float],
    fd: int,
) -> None:  # pragma: no cover - in the child
    code = 0
    try:
        try:
            os.setpgid(0, 0)
        except OSError:
            pass
        # Only the pipe and the standard streams: no socket, database connection or another
        # child's pipe of the parent stays open here (a sibling child holding this pipe's write
        # end would keep the parent waiting for an end of file).
        os.closerange(3, fd)
        os.closerange(fd + 1, _max_fd())
        _limit_child(limits, tasks, indices, used)
        for i in indices:
            _send(fd, ("start", i))
            try:
                value = tasks[i].run()
            except MemoryError:
                value = None
                _send(fd, ("memory", i))
                continue
            except BaseException:  # noqa: BLE001 - reported to the parent as data
                _send(fd, ("error", i, traceback.format_exc(limit=-8)[-4000:]))
                continue
            try:
                _send(fd, ("done", i, value))
            except MemoryError:
                _send(fd, ("memory", i))
    except BaseException:  # noqa: BLE001 - the parent sees the missing results
        code = 70
    finally:
        os._exit(code)


def _limit_child(
    limits: Limits, tasks: Sequence[Task[Any]], indices: list[int], used: dict[Hashable, float]
) -> None:  # pragma: no cover - in the child
    import resource

    if limits.memory_bytes:
        ceiling = _address_space() + limits.memory_bytes
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    if limits.time_s:
        groups = {tasks[i].group for i in indices}
        cpu = sum(max(limits.time_s - used.get(g, 0.0), 0.0) for g in groups)
        soft = (
            int(
                resource.getrusage(resource.RUSAGE_SELF).ru_utime
                + resource.getrusage(resource.RUSAGE_SELF).ru_stime
                + cpu
            )
            + 2
        )
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _max_fd() -> int:
    try:
        return max(int(os.sysconf("SC_OPEN_MAX")), 1024)
    except (OSError, ValueError):
        return 65536


def _address_space() -> int:
    """Bytes of address space this process has mapped now (0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _send(fd: int, message: tuple[Any, ...]) -> None:  # pragma: no cover - in the child
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# -- process helpers -------------------------------------------------------------------


def _kill(pid: int) -> None:
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


def _reap(pid: int) -> int:
    """The child's wait status; kills it if it has not left within a grace period."""
    end = time.monotonic() + _KILL_GRACE_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > end:
            _kill(pid)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.01)


def _signalled(status: int, name: str) -> bool:
    sig = getattr(signal, name, None)
    return sig is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            return f"signal {signal.Signals(sig).name}"
        except ValueError:
            return f"signal {sig}"
    return f"exit status {os.WEXITSTATUS(status)}"
