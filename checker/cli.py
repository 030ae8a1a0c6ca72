"""The `kata` command (also `python -m checker`).

Learners:     kata list | kata progress | kata check ID | kata hint ID [NAME] | kata watch | kata reset ID
Instructors:  kata new ID NAME... | kata build [--check] | kata validate
Course staff: kata grade DIR | kata grade --batch ROOT --out-dir DIR [--shard K/N] | kata merge DIR... --out DIR
              | kata report DIR [--html PAGE] | kata export ...

torch is imported only by the commands that grade, so `kata hint` and `kata list` answer at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from checker import ROOT, emitters, manifest

STATE_DIR = ROOT / ".torchkata"


# ---------------------------------------------------------------------------------------------
# Learner commands
# ---------------------------------------------------------------------------------------------

def cmd_list(args) -> int:
    chapter = None
    for kata in manifest.load():
        if kata.chapter != chapter:
            chapter = kata.chapter
            print(f"\n{chapter}  {kata.chapter_title}")
        print(f"  {kata.id:<32} {kata.title}")
    return 0


def _hint_state() -> dict:
    path = STATE_DIR / "hints.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _save_hint_state(state: dict) -> None:
    STATE_DIR.mkdir(exist_ok=True)
    (STATE_DIR / "hints.json").write_text(json.dumps(state, indent=2))


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
    state = _hint_state()
    if args.all:
        shown = len(ladder)
    elif args.level:
        shown = min(max(args.level, 1), len(ladder))
    else:
        shown = min(state.get(key, 0) + 1, len(ladder))
    state[key] = max(state.get(key, 0), shown)
    _save_hint_state(state)
    print(f"{kata.id}: {kata.title} ({name})")
    for number, hint in enumerate(ladder[:shown], start=1):
        print(f"\nhint {number} of {len(ladder)}: {hint}")
    if shown < len(ladder):
        print(f"\n(run `kata hint {kata.id} {name}` again for the next step)")
    return 0


def _grade_in_process(katas, root: Path, device: str, seed: int = 0):
    from checker import runner
    executor = runner.InProcess(time_limit_s=runner.NAME_TIME_LIMIT_S)
    devices = runner.devices_for(device)
    return [runner.grade_kata(k, runner.Target.from_file(root / k.relpath), executor, seed=seed, devices=devices)
            for k in katas]


def _mark(result) -> str:
    return "✓" if result.passed else "✗"


def cmd_progress(args) -> int:
    results = _grade_in_process(manifest.load(), Path(args.dir), args.device)
    for result in results:
        states = "  ".join(f"{t.name}:{'ok' if t.status.passed else t.status.value}" for t in result.tests)
        print(f"{_mark(result)} {result.kata_id:<32} {states}")
    solved = sum(r.passed for r in results)
    todo = [r for r in results if not r.passed]
    if todo:
        print(f"\nnext kata: {Path(args.dir) / todo[0].kata_id}.py  (kata check {todo[0].kata_id})")
    print(f"katas solved: {solved}/{len(results)}")
    return 0 if solved == len(results) else 1


def _print_result(result) -> None:
    print(f"{_mark(result)} {result.kata_id}: {result.title}")
    for test in result.tests:
        print(f"  {'ok' if test.status.passed else test.status.value:<16} {test.name}")
        if not test.status.passed and test.status.value != "not-implemented":
            print("    " + test.message.replace("\n", "\n    "))


def cmd_check(args) -> int:
    kata = _kata_or_exit(args.kata)
    [result] = _grade_in_process([kata], Path(args.dir), args.device, args.seed)
    _print_result(result)
    return 0 if result.passed else 1


def cmd_watch(args) -> int:
    """Re-check a kata the moment its file is saved (file-system notification, or a poll)."""
    from checker.watching import file_changes
    root = Path(args.dir)
    katas = [_kata_or_exit(args.kata)] if args.kata else list(manifest.load())
    by_path = {(root / k.relpath).resolve(): k for k in katas}
    print(f"watching {len(katas)} kata file(s) under {root}/ (Ctrl-C to stop)", flush=True)

    def check(kata, path):
        print(f"\n--- {time.strftime('%H:%M:%S')} {path}", flush=True)
        _print_result(_grade_in_process([kata], root, args.device)[0])
        sys.stdout.flush()

    rounds = 0
    try:
        if args.kata:   # the named kata is checked once at the start, then on every save
            rounds += 1
            check(katas[0], root / katas[0].relpath)
        changes = file_changes(list(by_path), poll_interval=args.interval, force_poll=args.poll)
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
    backup = authoring.reset(kata)
    state = _hint_state()   # a fresh start climbs the hint ladders from the bottom again
    _save_hint_state({k: v for k, v in state.items() if not k.startswith(kata.id + "::")})
    print(f"{kata.exercise_path.relative_to(ROOT)} is a fresh stub again"
          + (f"; your version was saved to {backup}" if backup else ""))
    return 0


# ---------------------------------------------------------------------------------------------
# Instructor commands
# ---------------------------------------------------------------------------------------------

def cmd_build(args) -> int:
    from checker import authoring
    katas = [_kata_or_exit(k) for k in args.katas] or None
    try:
        changed = authoring.build(katas, check=args.check)
    except authoring.BuildError as exc:
        print(f"kata build: {exc}", file=sys.stderr)
        return 1
    if args.check:
        for path in changed:
            print(f"stale: {path.relative_to(ROOT)}")
        print("generated files are up to date" if not changed else "run `kata build` to regenerate them")
        return 1 if changed else 0
    for path in changed:
        print(f"wrote {path.relative_to(ROOT)}")
    print(f"{len(changed)} file(s) changed")
    return 0


def cmd_new(args) -> int:
    from checker import scaffold
    try:
        written = scaffold.new_kata(args.kata, args.names)
    except scaffold.ScaffoldError as error:
        print(f"kata new: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kata", description="torchkata: learn PyTorch by doing katas.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def device(p):
        p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                       help="where the katas run (default auto: cuda, then mps, then cpu)")

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
    p.add_argument("--dir", default=str(ROOT / "exercises"), help="exercises directory (default: the repo's)")
    device(p)

    p = add("check", cmd_check, "grade one kata and explain any failure")
    p.add_argument("kata")
    p.add_argument("--dir", default=str(ROOT / "exercises"))
    p.add_argument("--seed", type=int, default=0, help="seed for the hidden inputs")
    device(p)

    p = add("watch", cmd_watch, "re-check katas each time you save")
    p.add_argument("kata", nargs="?", help="only this kata (default: all)")
    p.add_argument("--dir", default=str(ROOT / "exercises"))
    p.add_argument("--poll", action="store_true", help="poll for changes instead of file-system notification")
    p.add_argument("--interval", type=float, default=0.5, help="with --poll: seconds between file checks")
    p.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)  # tests stop the loop
    device(p)

    p = add("reset", cmd_reset, "restore a kata's stub (your version is backed up in .torchkata/backup/)")
    p.add_argument("kata")

    p = add("build", cmd_build, "render stubs (exercises/) and notebooks (notebooks/) from solutions/")
    p.add_argument("katas", nargs="*", help="only these katas (default: all)")
    p.add_argument("--check", action="store_true", help="write nothing; fail if generated files are stale")

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
    p.add_argument("-j", "--jobs", type=int, default=1, help="with --batch: parallel workers")
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
    p.add_argument("--seed", type=int, default=None, help="seed for hidden inputs (default: fixed per course)")
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
    p.add_argument("dest", help="gradescope: OUT.zip; github-classroom: a directory")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
