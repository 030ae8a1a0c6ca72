"""Build step that puts the course inside the wheel (everything else is in pyproject.toml).

A wheel carries the checker package only, but grading needs the course too: the manifest
(katas.toml), the references (solutions/) and the suites and catalogues (checker/suites/).
This build_py copies the manifest and references into the package as checker/packaged_course/,
and the suites to checker/suites/, where they are in a clone (suites import their shared
helpers as `checker.suites.<name>`). checker.course_root finds them with importlib.resources.
An editable install skips the copy: there the package sits in the clone and reads the course
from it directly.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# What the course is: (path in the clone, glob of its files, where they go in the build).
COURSE = (("katas.toml", None, "checker/packaged_course"),
          ("solutions", "*/*.py", "checker/packaged_course/solutions"),
          ("checker/suites", "**/*.py", "checker/suites"))


def course_files(root: Path):
    """(source file, path inside the build) for every file of the course."""
    for name, pattern, dest in COURSE:
        source = root / name
        if pattern is None:
            yield source, Path(dest) / name
            continue
        for path in sorted(source.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path, Path(dest) / path.relative_to(source)


class build_py_with_course(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for stale in ("checker/packaged_course", "checker/suites"):
            shutil.rmtree(Path(self.build_lib) / stale, ignore_errors=True)
        for source, rel in course_files(HERE):
            target = Path(self.build_lib) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / rel) for _, rel in course_files(HERE)]


setup(cmdclass={"build_py": build_py_with_course})
