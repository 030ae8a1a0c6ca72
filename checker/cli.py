"""The `kata` command (also `python -m checker`).

Learners:     kata init [DIR] | kata list | kata progress | kata check ID|FILE|--all | kata hint ID [NAME]
              kata watch [ID] | kata reset ID | kata restore [BACKUP] | kata solution ID
Instructors:  kata new ID NAME... | kata build [--check] [--force] | kata validate
Course staff: kata grade DIR | kata grade --batch ROOT --out-dir DIR [--shard K/N] | kata merge DIR... --out DIR
              | kata report DIR [--html PAGE] | kata export ...

Every command works on one course and, for a learner, one workspace (checker.course_root):
`--course DIR`, else $TORCHKATA_COURSE, else the nearest course or workspace at or above the
working directory, else the course installed with torchkata.

torch is imported only by the commands that grade, so `kata hint` and `kata list` answer at once.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from checker import course_root, emitters, learner, manifest


def _shown(path: Path) -> str:
    """A path as learners should see it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except ValueError:
        return str(path)


def _workspace_or_exit(command: str):
    workspace = course_root.current().workspace
    if workspace is None:
        print(f"kata {command}: there is no kata workspace here. `kata init` makes one (then cd into it), "
              f"or pass --dir", file=sys.stderr)
        raise SystemExit(2)
    return workspace


def _exercises(args, command: str) -> Path:
    """The folder of the learner's kata files: --dir, else the workspace's exercises/."""
    if getattr(args, "dir", None):
        return Path(args.dir)
    return _workspace_or_exit(command).exercises


# ---------------------------------------------------------------------------------------------
# Learner commands
# ---------------------------------------------------------------------------------------------

def cmd_init(args) -> int:
    from checker import workspace
    location = course_root.current()
    dest = Path(args.dir)
    try:
        report = workspace.init(dest, location.course)
    except (workspace.WorkspaceError, course_root.CourseError) as error:
        print(f"kata init: {error}", file=sys.stderr)
        return 2
    stubs = sum(1 for p in report.added if p.suffix == ".py")
    if report.created:
        print(f"made a kata workspace in {_shown(report.root)}: {stubs} stubs in exercises/, their notebooks "
              f"in notebooks/, from {location.course.describe()}")
        first = next((p for p in report.added if p.suffix == ".py"), None)   # syllabus order
        print(f"next: cd {_shown(report.root)}, open {first.relative_to(report.root) if first else 'exercises/'} "
              f"and run `pytest` (README.md lists the kata commands)")
    else:
        print(f"{_shown(report.root)} is already a workspace: added {len(report.added)} new kata file(s), "
              f"left {report.kept} as they were")
    return 0


def _chapter_number(chapter: str) -> int:
    return int(chapter.split("_")[0])


def cmd_list(args) -> int:
    katas = manifest.load()
    titles = manifest.chapters()
    by_chapter: dict[str, list] = {}
    for kata in katas:
        by_chapter.setdefault(kata.chapter, []).append(kata)
    order = list(by_chapter)
    for empty in sorted(c for c in titles if c not in by_chapter):   # named, but no katas yet
        later = [i for i, c in enumerate(order) if _chapter_number(c) > _chapter_number(empty)]
        order.insert(later[0] if later else len(order), empty)
    for chapter in order:
        print(f"\n{chapter}  {titles.get(chapter, '')}" + ("" if chapter in by_chapter else "  (no katas yet)"))
        for kata in by_chapter.get(chapter, []):
            print(f"  {kata.id:<32} {kata.title}")
    print(f"\n{len(katas)} katas in {len(by_chapter)} chapters.")
    numbers = [_chapter_number(c) for c in order]
    gaps = [n for n in range(min(numbers, default=1), max(numbers, default=0) + 1)
            if n not in {_chapter_number(c) for c in by_chapter}]
    if gaps:
        print(f"Chapter numbers follow the syllabus and never change, so a kata's id stays the same as the "
              f"course grows; {', '.join(f'{n:02d}' for n in gaps)} "
              f"{'has' if len(gaps) == 1 else 'have'} no katas yet.")
    location = course_root.current()
    print(f"course: {location.course.describe()}"
          + (f"; workspace: {_shown(location.workspace.root)}" if location.workspace else ""))
    return 0


def cmd_hint(args) -> int:
    kata = _kata_or_exit(args.kata)
    names = kata.graded
    if args.name is None and len(names) != 1:
        print(f"{kata.id} grades {len(names)} names, each with its own hint ladder: "
              + ", ".join(names))
        print(f"run `kata hint {kata.id} NAME`, e.g. `kata hint {kata.id} {names[0]}`" if names else "")
        return 0
    name = args.name or names[0]
    if name not in names:
        print(f"{kata.id} has no graded name {name!r}; its names are: {', '.join(names)}", file=sys.stderr)
        return 2
    ladder = kata.hints_for(name)
    key = f"{kata.id}::{name}"
    state = learner.state()
    steps = state.hints()
    if args.all:
        shown = len(ladder)
    elif args.level:
        shown = min(max(args.level, 1), len(ladder))
    else:
        shown = min(steps.get(key, 0) + 1, len(ladder))
    steps[key] = max(steps.get(key, 0), shown)
    state.save_hints(steps)
    print(f"{kata.id}: {kata.title} ({name})")
    for number, hint in enumerate(ladder[:shown], start=1):
        print(f"\nhint {number} of {len(ladder)}: {hint}")
    if shown < len(ladder):
        print(f"\n(run `kata hint {kata.id} {name}` again for the next step)")
    return 0


def cmd_progress(args) -> int:
    folder = _exercises(args, "progress")
    results = learner.grade_files(manifest.load(), folder, device=args.device)
    for result in results:
        states = "  ".join(f"{t.name}:{'ok' if t.status.passed else t.status.value}" for t in result.tests)
        print(f"{learner.mark(result)} {result.kata_id:<32} {states}")
    learner.state().record(results)
    solved = sum(r.passed for r in results)
    todo = [r for r in results if not r.passed]
    if todo:
        print(f"\nnext kata: {_shown(folder / todo[0].kata_id)}.py  (kata check {todo[0].kata_id})")
    print(f"katas solved: {solved}/{len(results)}")
    return 0 if solved == len(results) else 1


def _check_notebook(path: Path, args) -> int:
    from checker import notebook
    try:
        parsed = notebook.read(path.read_text(encoding="utf-8"))
    except (OSError, notebook.NotebookError) as error:
        print(f"kata check: {path} is not a readable notebook: {error}", file=sys.stderr)
        return 2
    cells = notebook.file_cells(parsed, path.name)
    katas = notebook.katas_in(parsed, cells, manifest.load())
    if not katas:
        print(f"kata check: {path} defines none of the graded names of any kata", file=sys.stderr)
        return 2
    from checker import runner
    results = [learner.grade(k, runner.Target(_shown(path), source=notebook.lift(cells, k.graded)),
                             device=args.device, seed=args.seed) for k in katas]
    return _print_checked(results)


def _print_checked(results) -> int:
    for result in results:
        print(learner.report(result))
    for line in learner.after(results):
        print(line)
    return 0 if all(r.passed for r in results) else 1


def cmd_check(args) -> int:
    if args.all:
        if args.target:
            print("kata check: give a kata or --all, not both", file=sys.stderr)
            return 2
        results = learner.grade_files(manifest.load(), _exercises(args, "check"), device=args.device, seed=args.seed)
        code = _print_checked(results)
        print(f"katas solved: {sum(r.passed for r in results)}/{len(results)}")
        return code
    if not args.target:
        print("kata check: name a kata (e.g. `kata check gather`), a kata file or notebook, or --all", file=sys.stderr)
        return 2
    path = Path(args.target)
    if path.suffix == ".ipynb":
        return _check_notebook(path, args)
    from checker import runner
    if path.suffix == ".py" and path.is_file():
        kata = manifest.match_path(path)
        if kata is None:
            print(f"kata check: {path} is not a kata file (expected <chapter>/<module>.py, e.g. "
                  f"04_indexing/gather.py)", file=sys.stderr)
            return 2
    else:
        kata = _kata_or_exit(args.target)
        path = _exercises(args, "check") / kata.relpath
    return _print_checked([learner.grade(kata, runner.Target.from_file(path, _shown(path)),
                                         device=args.device, seed=args.seed)])


def cmd_solution(args) -> int:
    kata = _kata_or_exit(args.kata)
    path = _exercises(args, "solution") / kata.relpath
    from checker import runner
    result = learner.grade(kata, runner.Target.from_file(path, _shown(path)), device=args.device)
    learner.state().record([result])
    if not result.passed:
        print(f"kata solution shows the reference once your {_shown(path)} passes; "
              f"`kata check {kata.id}` shows what is left", file=sys.stderr)
        return 1
    reference = kata.solution_path.read_text(encoding="utf-8")
    # The markers are for the stub builder; the hints are worth reading next to the answer.
    print(re.sub(r"^[ \t]*# (BEGIN|END) SOLUTION[ \t]*\n", "", reference, flags=re.MULTILINE), end="")
    print(f"\n# ^ the reference for {kata.id}; yours ({_shown(path)}) passes too.")
    return 0


def cmd_watch(args) -> int:
    """Re-check a kata the moment its file is saved (file-system notification, or a poll)."""
    from checker.watching import file_changes
    root = _exercises(args, "watch")
    katas = [_kata_or_exit(args.kata)] if args.kata else list(manifest.load())
    by_path = {(root / k.relpath).resolve(): k for k in katas}
    print(f"watching {len(katas)} kata file(s) under {_shown(root)}/ (Ctrl-C to stop)", flush=True)

    def check(kata, path):
        print(f"\n--- {time.strftime('%H:%M:%S')} {_shown(path)}", flush=True)
        _print_checked(learner.grade_files([kata], root, device=args.device))
        sys.stdout.flush()

    rounds = 0
    try:
        # Watching starts before the first check, so a save made during it is not missed.
        changes = file_changes(list(by_path), poll_interval=args.interval, force_poll=args.poll)
        if args.kata:   # the named kata is checked once at the start, then on every save
            rounds += 1
            check(katas[0], root / katas[0].relpath)
        while args.rounds is None or rounds < args.rounds:
            rounds += 1
            for path in sorted(next(changes)):
                if path.is_file():
                    check(by_path[path], path)
    except KeyboardInterrupt:
        print()
    return 0


def cmd_reset(args) -> int:
    from checker import authoring
    kata = _kata_or_exit(args.kata)
    dest = _exercises(args, "reset") / kata.relpath
    backup = authoring.reset(kata, dest)
    learner.state().forget_hints(kata)   # a fresh start climbs the hint ladders from the bottom again
    print(f"{_shown(dest)} is a fresh stub again"
          + (f"; your version was saved to {_shown(backup)} (`kata restore` lists backups)" if backup else ""))
    return 0


def cmd_restore(args) -> int:
    from checker import backups
    workspace = _workspace_or_exit("restore")
    found = backups.listing(workspace.backups)
    if not args.backup:
        if not found:
            print(f"no backups in {_shown(workspace.backups)}/ (kata reset and kata build --force make them)")
            return 0
        print(f"backups in {_shown(workspace.backups)}/, newest first:")
        for backup in found:
            print(f"  {backup.name:<48} {backup.kind} of {backup.kata_id}, {backup.taken:%Y-%m-%d %H:%M:%S}")
        print("restore one with `kata restore NAME` (or a kata id, for its newest); "
              "what it replaces is backed up first")
        return 0
    wanted = args.backup.removeprefix(str(workspace.backups) + os.sep)
    matches = [b for b in found if wanted in (b.name, b.path.name)]
    if not matches:
        try:
            kata = manifest.get(wanted)
        except KeyError:
            kata = None
        matches = [b for b in found if kata is not None and b.kata_id == kata.id and b.kind == "stub"][:1]
    if not matches:
        print(f"kata restore: no backup {args.backup!r}; `kata restore` lists them", file=sys.stderr)
        return 2
    backup = matches[0]
    dest = backup.original(workspace.exercises, workspace.notebooks)
    from checker import authoring
    kata = manifest.get(backup.kata_id)
    source = authoring.read_solution(kata)
    fresh = authoring.render_notebook(kata, source) if backup.kind == "notebook" else authoring.render_stub(kata, source)
    previous = backups.restore(backup, dest, workspace.backups, fresh=fresh.encode("utf-8"))
    print(f"restored {_shown(dest)} from {backup.name}"
          + (f"; what was there is saved as {_shown(previous)}" if previous else ""))
    return 0


# ---------------------------------------------------------------------------------------------
# Instructor commands
# ---------------------------------------------------------------------------------------------

def _course_folder_or_exit(command: str):
    """The course folder an instructor command may write into: never the packaged course, and
    never from inside a learner's workspace (whose stubs it would not touch anyway)."""
    location = course_root.current()
    if location.course.packaged:
        print(f"kata {command}: the course packaged with torchkata is read-only; run this in a course folder "
              f"(one with katas.toml), or pass --course DIR", file=sys.stderr)
        raise SystemExit(2)
    if location.workspace is not None and not location.workspace.is_course:
        print(f"kata {command}: {_shown(location.workspace.root)} is a learner's workspace, and `kata {command}` is "
              f"for course authors. A fresh stub of one kata: `kata reset ID` (yours is backed up first)",
              file=sys.stderr)
        raise SystemExit(2)
    return location.course


def cmd_build(args) -> int:
    from checker import authoring
    course = _course_folder_or_exit("build")
    katas = [_kata_or_exit(k) for k in args.katas] or None
    backed_up: list = []
    try:
        changed = authoring.build(katas, check=args.check, force=args.force, backed_up=backed_up)
    except authoring.OverwriteRefused as refused:
        print(f"kata build: {refused}", file=sys.stderr)
        print("nothing was written. Those bodies are someone's work: `kata build --force` backs each file up "
              "to .torchkata/backup/ before overwriting it (`kata restore` brings it back)", file=sys.stderr)
        return 1
    except authoring.BuildError as exc:
        print(f"kata build: {exc}", file=sys.stderr)
        return 1
    if args.check:
        for path in changed:
            print(f"stale: {_relative(path, course.root)}")
        print("generated files are up to date" if not changed else
              "run `kata build` to regenerate them (it refuses to overwrite written bodies without --force)")
        return 1 if changed else 0
    for path, backup in backed_up:
        print(f"backed up {_relative(path, course.root)} to {_relative(backup, course.root)}")
    for path in changed:
        print(f"wrote {_relative(path, course.root)}")
    print(f"{len(changed)} file(s) changed")
    return 0


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def cmd_new(args) -> int:
    from checker import scaffold
    course = _course_folder_or_exit("new")
    try:
        written = scaffold.new_kata(args.kata, args.names)
    except scaffold.ScaffoldError as error:
        print(f"kata new: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {_relative(path, course.root)}")
    print(f"next: fill in every TODO, then `kata build {args.kata}` and `kata validate {args.kata}` "
          f"(validate lists what is still missing)")
    return 0


def cmd_validate(args) -> int:
    from checker import lint, runner, validate
    katas = [_kata_or_exit(k) for k in args.katas] or list(manifest.load())
    devices = runner.devices_for(args.device)
    orphans = [] if args.katas else lint.orphans()
    for problem in orphans:
        print(f"BAD {problem}")
    reports = []
    for kata in katas:
        report = validate.validate_kata(kata, reseeds=args.reseeds, devices=devices)
        reports.append(report)
        if args.verbose or not report.ok:
            print(f"{'ok ' if report.ok else 'BAD'} {kata.id}")
            for problem in report.problems:
                print(f"    {problem}")
            for label, caught, detail in report.mistakes:
                if args.verbose or not caught:
                    print(f"    mistake {'caught' if caught else 'MISSED'}: {label}" + ("" if caught else f" ({detail})"))
            for label, accepted, detail in report.alternatives:
                if args.verbose or not accepted:
                    print(f"    alternative {'accepted' if accepted else 'REJECTED'}: {label}"
                          + ("" if accepted else f" ({detail})"))
            for seed, ok, detail in report.reseeded:
                if not ok:
                    print(f"    stochastic check failed on the reference with seed {seed}: {detail}")
    print(validate.summary_line(reports))
    return 0 if all(r.ok for r in reports) and not orphans else 1


# ---------------------------------------------------------------------------------------------
# Course-staff commands
# ---------------------------------------------------------------------------------------------

def cmd_grade(args) -> int:
    # Usage errors are answered before torch is imported, so they come back at once.
    problem = None
    if bool(args.dir) == bool(args.batch):
        problem = "give a submission DIR, or --batch ROOT --out-dir DIR"
    elif args.batch and not args.out_dir:
        problem = "--batch needs --out-dir"
    elif args.shard and not args.batch:
        problem = "--shard needs --batch"
    elif args.shard and args.seed is None and not os.environ.get("TORCHKATA_SEED"):
        problem = "--shard needs --seed (or $TORCHKATA_SEED), so that every shard grades on the same hidden inputs"
    elif not Path(args.batch or args.dir).exists():
        problem = f"{args.batch or args.dir} does not exist"
    if problem:
        print(f"kata grade: {problem}", file=sys.stderr)
        return 2
    for kata_id in args.kata:
        _kata_or_exit(kata_id)
    from checker import course_sandbox
    server = course_sandbox.launch(args)        # its `import torch` overlaps the one just below
    from checker import course
    return course.grade_command(args, server)


def cmd_report(args) -> int:
    from checker import gradebook
    return gradebook.report_command(args)


def cmd_merge(args) -> int:
    from checker import shard
    return shard.merge_command(args)


def _shard(text: str):
    from checker import shard
    try:
        return shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_export(args) -> int:
    from checker import export
    return export.export_command(args)


def _kata_or_exit(kata_id: str):
    try:
        return manifest.get(kata_id)
    except KeyError as exc:
        print(f"kata: {exc.args[0]}", file=sys.stderr)
        raise SystemExit(2)


_COURSE_HELP = ("the course (a folder with katas.toml) or workspace to use (default: $TORCHKATA_COURSE, else "
                "the nearest one at or above this folder, else the course installed with torchkata)")


def build_parser() -> argparse.ArgumentParser:
    # --course is accepted before the command and after it (`kata --course D list`, `kata list --course D`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--course", metavar="DIR", default=argparse.SUPPRESS, help=_COURSE_HELP)
    parser = argparse.ArgumentParser(prog="kata", description="torchkata: learn PyTorch by doing katas.")
    parser.add_argument("--course", metavar="DIR", default=None, help=_COURSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    def device(p):
        p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                       help="where the katas run (default auto: cuda, then mps, then cpu)")

    def exercises_dir(p):
        p.add_argument("--dir", default=None, help="the folder of your kata files (default: the workspace's exercises/)")

    p = add("init", cmd_init, "make a learner workspace: stubs, notebooks, a pytest config and a README")
    p.add_argument("dir", nargs="?", default="torchkata",
                   help="where (default ./torchkata); in an existing workspace, adds the katas it lacks")

    add("list", cmd_list, "list every kata in syllabus order")

    p = add("hint", cmd_hint, "show the next hint for a kata (each call reveals one more step)")
    p.add_argument("kata", help="kata id, e.g. 04_indexing/gather (or just gather)")
    p.add_argument("name", nargs="?", help="the graded name whose ladder to climb, e.g. gather_2d")
    p.add_argument("--level", type=int, help="show hints up to this step")
    p.add_argument("--all", action="store_true", help="show every hint")

    p = add("new", cmd_new, "scaffold a new kata: manifest entry, reference, suite and catalogue")
    p.add_argument("kata", help="the new kata's id, <NN_chapter>/<module>, e.g. 04_indexing/selection")
    p.add_argument("names", nargs="+", help="its graded names: functions in snake_case, nn.Module classes in CapWords")

    p = add("progress", cmd_progress, "grade your exercises and show which katas are solved")
    exercises_dir(p)
    device(p)

    p = add("check", cmd_check, "grade a kata and explain any failure, then name the next kata")
    p.add_argument("target", nargs="?", metavar="KATA",
                   help="a kata id (04_indexing/gather, or gather), a kata file, or a notebook (.ipynb)")
    p.add_argument("--all", action="store_true", help="check every kata")
    exercises_dir(p)
    p.add_argument("--seed", type=int, default=0, help="seed for the hidden inputs")
    device(p)

    p = add("solution", cmd_solution, "show a kata's reference solution, once your version passes")
    p.add_argument("kata")
    exercises_dir(p)
    device(p)

    p = add("watch", cmd_watch, "re-check katas each time you save")
    p.add_argument("kata", nargs="?", help="only this kata (default: all)")
    exercises_dir(p)
    p.add_argument("--poll", action="store_true", help="poll for changes instead of file-system notification")
    p.add_argument("--interval", type=float, default=0.5, help="with --poll: seconds between file checks")
    p.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)  # tests stop the loop
    device(p)

    p = add("reset", cmd_reset, "restore a kata's stub (your version is backed up in .torchkata/backup/)")
    p.add_argument("kata")
    exercises_dir(p)

    p = add("restore", cmd_restore, "list the backups of your kata files, or put one back")
    p.add_argument("backup", nargs="?", help="a backup's name as listed, or a kata id for its newest stub backup")

    p = add("build", cmd_build, "render stubs (exercises/) and notebooks (notebooks/) from solutions/")
    p.add_argument("katas", nargs="*", help="only these katas (default: all)")
    p.add_argument("--check", action="store_true", help="write nothing; fail if generated files are stale")
    p.add_argument("--force", action="store_true",
                   help="overwrite stubs and notebooks with written graded bodies, after backing them up")

    p = add("validate", cmd_validate, "prove every suite: reference passes, stub fails, mistakes caught")
    p.add_argument("katas", nargs="*")
    p.add_argument("--reseeds", type=int, default=20, help="fresh seeds for stochastic checks (default 20)")
    p.add_argument("-v", "--verbose", action="store_true")
    device(p)

    p = add("grade", cmd_grade, "grade a submission directory (or a batch of them) for a course")
    p.add_argument("dir", nargs="?", help="a directory laid out like exercises/, a .zip or an .ipynb")
    p.add_argument("--kata", action="append", default=[], help="grade only this kata (repeatable)")
    p.add_argument("--format", default="text", choices=list(emitters.FORMATS),
                   help="; ".join(f"{f.name}: {f.description}" for f in emitters.FORMATS.values()))
    p.add_argument("--out", help="write the results here (atomically) instead of stdout")
    p.add_argument("--batch", metavar="ROOT", help="grade every submission under ROOT")
    p.add_argument("--out-dir", help="with --batch: where per-submission results and summary.csv go")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="with --batch: submissions graded at once (default 1); otherwise: katas of the "
                        "submission run at once (default: one per core, at most 2)")
    p.add_argument("--shard", type=_shard, metavar="K/N",
                   help="with --batch: grade only shard K of N (1 <= K <= N), chosen by a hash of each "
                        "submission's name; needs --seed. Combine the shards with `kata merge`")
    p.add_argument("--isolation", default="sandbox", choices=["sandbox", "none"],
                   help="sandbox (default): learner code runs in a limited child process; "
                        "none: in this process (trusted code only)")
    p.add_argument("--timeout", type=float, default=10.0, help="wall-clock seconds per kata (default 10)")
    p.add_argument("--submission-timeout", type=float, default=120.0,
                   help="wall-clock seconds for a whole submission; katas past it are timeouts (default 120)")
    p.add_argument("--memory-mb", type=int, default=4096, help="memory limit per kata in MiB (default 4096)")
    p.add_argument("--hidden-after-due", action="store_true",
                   help="gradescope: show test details only after the due date")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for hidden inputs (default: $TORCHKATA_SEED, else a fresh random one; "
                        "the results record it)")
    device(p)

    p = add("report", cmd_report, "summarise a batch's results per kata; --html writes the class gradebook")
    p.add_argument("results_dir", metavar="RESULTS_DIR", help="the --out-dir of `kata grade --batch` or `kata merge`")
    p.add_argument("--html", metavar="PAGE", help="write the gradebook here: one self-contained HTML page")
    p.add_argument("--title", help="the page's title (default: torchkata gradebook · RESULTS_DIR)")

    p = add("merge", cmd_merge, "combine the results of `kata grade --batch --shard` runs into one")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="the shards' --out-dir directories")
    p.add_argument("--out", required=True, help="where the merged results, summaries and gradebook go")
    p.add_argument("--submissions", metavar="ROOT", help="the batch root: also report submissions in it "
                                                         "that no shard graded")
    p.add_argument("--html", metavar="PAGE", help="where the gradebook goes (default OUT/gradebook.html)")

    p = add("export", cmd_export, "package the grader for a course platform")
    p.add_argument("platform", choices=["gradescope", "github-classroom"])
    p.add_argument("dest", nargs="?",
                   help="gradescope: OUT.zip, outside the course and any workspace (default "
                        "~/torchkata-exports/gradescope-autograder.zip); github-classroom: the template "
                        "repository's folder")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not args.course:
            course_root.current()   # a course that cannot be found is reported here, before any command
            return args.func(args)
        with course_root.using(course_root.resolve(args.course)):
            return args.func(args)
    except course_root.CourseError as error:
        print(f"kata: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
