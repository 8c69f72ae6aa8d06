"""Files only the service's user may read.

The data folder is 0700, the SQLite store and queue 0600.

The store holds webhook bodies, findings and dismissals; the queue tells workers what to run.
Neither may depend on the process's umask (022 makes new files world-readable), so folders and
database files are created with their final mode, and a database file left readable by an
earlier version is tightened. SQLite creates its ``-wal`` and ``-shm`` files with the mode of
the database file, so they follow.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_file"]

logger = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700. A folder that already exists keeps its
    mode, because it may be shared on purpose; a warning names it when others can enter it."""
    path = Path(path).expanduser()
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    if not missing:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            logger.warning(
                "the data folder %s is open to other users (mode %o): run "
                "`chmod 700 %s` unless it is shared on purpose",
                path,
                mode,
                path,
            )
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` as an empty 0600 file if it does not exist; tighten it to 0600 if it
    does (and belongs to this user)."""
    path = Path(path).expanduser()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            info = candidate.stat()
        except FileNotFoundError:
            continue
        if stat.S_IMODE(info.st_mode) & 0o077 and info.st_uid == os.getuid():
            os.chmod(candidate, FILE_MODE)
    return path
