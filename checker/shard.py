"""Grading that scales out: split one batch into shards, and merge the shards back.

`kata grade --batch ROOT --shard K/N` grades the submissions whose name hashes to shard K of N
(1 <= K <= N). The share depends on each submission's name only, never on its position in the
listing, so the N shards cover ROOT exactly once, and a submission added to ROOT later lands in
one shard without moving any other. Any scheduler that can hand a job its index (a Slurm job
array, a Kubernetes Indexed Job, a GitHub Actions matrix) can run the shards side by side, each
into its own results directory.

`kata merge DIR... --out OUT` then writes one set of results: every per-submission results
file, one grades.jsonl, summary.csv, katas.csv and gradebook.html. It says which submissions
are missing (assigned to a shard but not graded, in a shard that was not merged, or, with
`--submissions ROOT`, in ROOT but in no shard) and which were graded more than once; those
problems, and shards graded with different seeds or katas, make its exit status 1.

Nothing here imports torch: merging needs none.
"""
from __future__ import annotations

import hashlib
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checker import insight
from checker.emitters import atomic_write, clean_text


def parse(text: str) -> tuple[int, int]:
    """"K/N" -> (K, N), with 1 <= K <= N; ValueError says what is wrong."""
    k, slash, n = str(text).partition("/")
    try:
        if not slash:
            raise ValueError
        k, n = int(k), int(n)
    except ValueError:
        raise ValueError(f"--shard takes K/N, e.g. 3/8, not {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) that grades the submission called `name`. A hash of the name alone,
    the same on every machine and Python (unlike hash(), which is salted per process)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def submission_name(entry: Path) -> str:
    """What a submission is called in results: a directory's name, an archive's or notebook's stem."""
    return entry.stem if entry.is_file() else entry.name


def submissions(root: Path) -> list[Path]:
    """The submissions under a batch root: directories, .zip archives and notebooks."""
    return sorted(p for p in Path(root).iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.suffix in (".zip", ".ipynb")))


def assigned(entries: list[Path], shard: tuple[int, int] | None) -> list[Path]:
    """The entries shard (K, N) grades; all of them without a shard."""
    if shard is None:
        return list(entries)
    k, n = shard
    return [e for e in entries if shard_of(submission_name(e), n) == k]


def name_clashes(entries: list[Path]) -> dict[str, list[str]]:
    """Names that more than one entry would be graded under (alice/ and alice.zip)."""
    by_name: dict[str, list[str]] = {}
    for entry in entries:
        by_name.setdefault(submission_name(entry), []).append(entry.name)
    return {name: found for name, found in by_name.items() if len(found) > 1}


# ---------------------------------------------------------------------------------------------
# kata merge
# ---------------------------------------------------------------------------------------------

@dataclass
class MergeReport:
    batch: insight.Batch
    shards: int = 0
    missing: dict[str, str] = field(default_factory=dict)           # name -> why it has no result
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # name -> every dir that graded it
    problems: list[str] = field(default_factory=list)               # shards that do not fit together
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicates or self.problems)

    def lines(self) -> list[str]:
        out = [f"merged {self.shards} result director{'y' if self.shards == 1 else 'ies'}: "
               f"{len(self.batch.records)} submission(s) · {len(self.missing)} missing · "
               f"{len(self.duplicates)} duplicated"]
        out += [f"problem: {p}" for p in self.problems]
        out += [f"missing: {name} ({why})" for name, why in sorted(self.missing.items())]
        out += [f"duplicated: {name} graded in {', '.join(dirs)}; kept the first"
                for name, dirs in sorted(self.duplicates.items())]
        out += [f"note: {n}" for n in self.notes]
        return out


def _label(batch: insight.Batch, path: Path) -> str:
    return f"{path} (shard {batch.shard[0]}/{batch.shard[1]})" if batch.shard else str(path)


def merge(dirs: list[Path], out: Path, *, root: Path | None = None) -> MergeReport:
    """Combine the batches in `dirs` into `out` (see the module docstring)."""
    batches: list[tuple[Path, insight.Batch]] = []
    problems = []
    for d in dirs:
        try:
            batches.append((Path(d), insight.read(d)))
        except insight.RecordsError as exc:
            problems.append(str(exc))
    katas: list[str] = []
    titles: dict[str, str] = {}
    for _, b in batches:
        katas += [k for k in b.katas if k not in katas]
        titles.update(b.titles)
    merged = insight.Batch(katas=katas, titles=titles, assigned=[], root=batches[0][1].root if batches else "",
                           format=batches[0][1].format if batches else "json",
                           seed=batches[0][1].seed if batches else None)
    report = MergeReport(merged, shards=len(batches), problems=problems)
    _check_fit(batches, report)

    out.mkdir(parents=True, exist_ok=True)
    graded_in: dict[str, list[str]] = {}
    expected: dict[str, str] = {}
    for path, b in batches:
        for name in b.assigned:
            expected.setdefault(name, f"assigned to {_label(b, path)}, which has no result for it"
                                + ("" if b.complete else ": that run did not finish"))
        for record in b.records:
            name = record["submission"]
            graded_in.setdefault(name, []).append(str(path))
            if len(graded_in[name]) > 1:
                continue
            merged.records.append(record)
            if record.get("results_file"):
                source = path / record["results_file"]
                if source.is_file():
                    shutil.copyfile(source, out / record["results_file"])
                else:
                    report.problems.append(f"{source} is in its grades.jsonl but not on disk")
    absent = _missing_shards(batches, report, named=root is not None)
    if root is not None:
        counts = {b.shard[1] for _, b in batches if b.shard}
        found = set()
        for entry in submissions(root):
            raw = submission_name(entry)          # what picked its shard; records hold it cleaned
            name = clean_text(raw)
            found.add(name)
            shard = next((f"{shard_of(raw, n)}/{n}" for n in counts if (shard_of(raw, n), n) in absent), None)
            expected.setdefault(name, f"in {root}; its shard {shard} was not merged" if shard
                                else f"in {root} but in none of the merged results")
        extra = sorted(set(graded_in) - found)
        if extra:
            report.notes.append(f"{len(extra)} graded submission(s) are not in {root}: {', '.join(extra[:10])}")
    report.missing = {name: why for name, why in expected.items() if name not in graded_in}
    report.duplicates = {name: where for name, where in graded_in.items() if len(where) > 1}
    merged.assigned = sorted(set(expected) | set(graded_in))
    merged.complete = report.ok
    atomic_write(out / insight.RECORDS, insight.dump(merged))
    insight.write_tables(out, merged)
    return report


def _check_fit(batches, report: MergeReport) -> None:
    """Shards of one course run agree on the katas, the seed and the results format."""
    if not batches:
        return
    first_path, first = batches[0]
    for path, b in batches[1:]:
        if b.katas != first.katas:
            report.problems.append(f"{_label(b, path)} graded other katas than {_label(first, first_path)}")
        if b.seed != first.seed:
            report.problems.append(f"{_label(b, path)} used seed {b.seed}, {_label(first, first_path)} seed "
                                   f"{first.seed}: their students were graded on different hidden inputs")
        if b.format != first.format:
            report.problems.append(f"{_label(b, path)} wrote {b.format} results, "
                                   f"{_label(first, first_path)} {first.format}")


def _missing_shards(batches, report: MergeReport, *, named: bool) -> set[tuple[int, int]]:
    """The (K, N) of every shard of a split that was not among the merged directories."""
    absent = set()
    counts = {b.shard[1] for _, b in batches if b.shard}
    if len(counts) > 1:
        report.problems.append(f"the shards split the batch in different ways: N = {sorted(counts)}")
    for n in counts:
        present = {b.shard[0] for _, b in batches if b.shard and b.shard[1] == n}
        gone = [k for k in range(1, n + 1) if k not in present]
        absent |= {(k, n) for k in gone}
        if gone:
            report.problems.append(f"shard(s) {', '.join(f'{k}/{n}' for k in gone)} not merged" + (
                "" if named else ": pass --submissions ROOT to name the submissions they hold"))
    return absent


def merge_command(args) -> int:
    out = Path(args.out)
    dirs = [Path(d) for d in args.dirs]
    for d in dirs:
        if not d.is_dir():
            print(f"kata merge: {d} is not a directory", file=sys.stderr)
            return 2
        if d.resolve() == out.resolve():
            print(f"kata merge: --out {out} is one of the directories to merge", file=sys.stderr)
            return 2
    root = Path(args.submissions) if args.submissions else None
    if root is not None and not root.is_dir():
        print(f"kata merge: --submissions {root} is not a directory", file=sys.stderr)
        return 2
    report = merge(dirs, out, root=root)
    from checker import gradebook
    html = Path(args.html) if args.html else out / "gradebook.html"
    gradebook.write(html, report.batch)
    for line in report.lines():
        print(line)
    print(f"wrote {out}/ ({insight.SUMMARY}, {insight.KATA_SUMMARY}, {insight.RECORDS}) and {html}")
    return 0 if report.ok else 1
