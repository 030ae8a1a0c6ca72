"""File-change notification for `kata watch`: the save itself wakes the grader (inotify on Linux,
FSEvents on macOS, ReadDirectoryChangesW on Windows, through watchdog), instead of a poll that
finds it up to half a second later. Where watchdog cannot run, a poll takes over."""
from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Iterator

# Editors save in bursts (write, chmod, rename over the original): events closer together than
# this are one save.
SETTLE_S = 0.02
# What a save looks like to watchdog. Opening and closing without writing are not saves: the
# check itself reads the file, and counting that would start the next check, forever.
SAVE_EVENTS = frozenset({"created", "modified", "moved", "closed"})


def _resolved(path) -> Path:
    return Path(path).resolve()


def file_changes(files: list[Path], *, poll_interval: float = 0.5, force_poll: bool = False) -> Iterator[set[Path]]:
    """An endless iterator of the sets of `files` that changed, one set per save. Watching starts
    when this returns, not at the first `next()`: a save made while the caller is still busy
    (with its first check, say) is waiting there, never lost."""
    files = [_resolved(f) for f in files]
    if not force_poll:
        try:
            return _notified(files)
        except (ImportError, OSError):
            pass
    return _polled(files, poll_interval)


def _notified(files: list[Path]) -> Iterator[set[Path]]:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    wanted = set(files)
    events: queue.Queue = queue.Queue()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            for attribute in ("src_path", "dest_path"):
                path = getattr(event, attribute, None)
                if path and event.event_type in SAVE_EVENTS and _resolved(path) in wanted:
                    events.put(_resolved(path))

    observer = Observer()
    for folder in {f.parent for f in files if f.parent.is_dir()}:
        observer.schedule(Handler(), str(folder), recursive=False)
    observer.start()
    return _batches(events, observer)


def _batches(events: queue.Queue, observer) -> Iterator[set[Path]]:
    try:
        while True:
            batch = {events.get()}
            while True:               # until the files have been quiet for SETTLE_S
                try:
                    batch.add(events.get(timeout=SETTLE_S))
                except queue.Empty:
                    break
            yield batch
    finally:
        observer.stop()
        observer.join(timeout=2)


def _stamp(path: Path):
    try:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size
    except FileNotFoundError:
        return None


def _polled(files: list[Path], interval: float) -> Iterator[set[Path]]:
    return _poll_from({f: _stamp(f) for f in files}, interval)


def _poll_from(seen: dict, interval: float) -> Iterator[set[Path]]:
    while True:
        time.sleep(interval)
        changed = {f for f in seen if _stamp(f) != seen[f]}
        for f in changed:
            seen[f] = _stamp(f)
        if changed:
            yield changed
