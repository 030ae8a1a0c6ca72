"""torchkata's checker: manifest, probe runtime, judges, runners and emitters.

Importing this package never imports torch by itself; modules that need torch import it,
so `kata --help` and `kata hint` stay instant. Nor does it change anything process-wide (no
warning filters, no course lookup): the pytest plugin loads in every pytest run of an
environment, and must leave other projects as it found them.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # ROOT is the current course's folder (katas.toml, solutions/, checker/suites/), found by
    # checker.course_root on first use rather than at import, so --course can still choose it.
    if name == "ROOT":
        from checker import course_root
        return course_root.current().course.root
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
