"""Which course and workspace a process uses: --course, $TORCHKATA_COURSE, the nearest one above
the working directory, then the installed course (this clone, or the copy inside a wheel)."""
import pytest

from checker import course_root, manifest
from checker.course_root import COURSE_ENV, Course, CourseError

CLONE = course_root.checkout_root()


def make_course(folder, kata="01_a/only"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "katas.toml").write_text(f'[chapters]\n"{kata[:4]}" = "A"\n[[kata]]\nid = "{kata}"\ntitle = "t"\n')
    return folder


def make_workspace(folder, course=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / course_root.WORKSPACE_MARKER).write_text(f'[workspace]\ncourse = "{course}"\n')
    return folder


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(COURSE_ENV, raising=False)


def test_a_clone_is_its_own_course_and_workspace():
    location = course_root.resolve(cwd=CLONE / "tests")
    assert location.course.root == CLONE and location.workspace.root == CLONE and location.workspace.is_course
    assert location.course.suites == CLONE / "checker" / "suites"


def test_outside_any_course_the_installed_one_is_used(tmp_path):
    location = course_root.resolve(cwd=tmp_path)
    assert location.course == course_root.installed_course()
    assert "installed" in location.how


def test_an_instructors_course_above_the_working_directory_wins(tmp_path):
    course = make_course(tmp_path / "mycourse")
    (course / "deep" / "er").mkdir(parents=True)
    location = course_root.resolve(cwd=course / "deep" / "er")
    assert location.course == Course(course) and location.workspace.root == course.resolve()
    assert manifest.load(location.course.manifest)[0].solution_path == course.resolve() / "solutions" / "01_a/only.py"


def test_a_workspace_names_its_course(tmp_path):
    course = make_course(tmp_path / "mycourse")
    workspace = make_workspace(tmp_path / "ws", course="../mycourse")
    location = course_root.resolve(cwd=workspace)
    assert location.course == Course(course) and location.workspace.root == workspace.resolve()
    assert location.workspace.exercises == workspace.resolve() / "exercises"
    # A marker naming no course means the installed one.
    other = make_workspace(tmp_path / "ws2")
    assert course_root.resolve(cwd=other).course == course_root.installed_course()


def test_the_environment_beats_the_working_directory_and_the_option_beats_both(tmp_path, monkeypatch):
    first, second = make_course(tmp_path / "first"), make_course(tmp_path / "second")
    monkeypatch.setenv(COURSE_ENV, str(first))
    assert course_root.resolve(cwd=CLONE).course == Course(first)
    assert course_root.resolve(second, cwd=CLONE).course == Course(second)
    assert course_root.resolve(second).how == "--course"


@pytest.mark.parametrize("marker", ["nothing", "bad-course", "bad-toml"])
def test_a_wrong_course_is_an_error_that_says_what_to_do(tmp_path, marker):
    folder = tmp_path / "x"
    folder.mkdir()
    if marker == "bad-course":
        make_workspace(folder, course="../nowhere")
    elif marker == "bad-toml":
        (folder / course_root.WORKSPACE_MARKER).write_text("[workspace\n")
    with pytest.raises(CourseError, match="katas.toml|cannot be read"):
        course_root.resolve(folder)


def test_the_packaged_course_is_found_through_importlib_resources(tmp_path, monkeypatch):
    # What setup.py writes into a wheel: checker/packaged_course/ beside the modules.
    packaged = make_course(tmp_path / "packaged_course")
    monkeypatch.setattr(course_root, "checkout_root", lambda: None)
    monkeypatch.setattr(course_root, "packaged_root", lambda: packaged)
    course = course_root.installed_course()
    assert course.root == packaged.resolve() and course.packaged
    assert course.suites == course_root.package_dir() / "suites"
    location = course_root.resolve(cwd=tmp_path)
    assert location.workspace is None, "nobody works inside site-packages"


def test_no_course_at_all_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.setattr(course_root, "checkout_root", lambda: None)
    monkeypatch.setattr(course_root, "packaged_root", lambda: None)
    with pytest.raises(CourseError, match="--course"):
        course_root.resolve(cwd=tmp_path)


def test_using_puts_the_previous_location_back(tmp_path):
    before = course_root.current()
    with course_root.using(course_root.resolve(make_course(tmp_path / "c"))) as location:
        assert course_root.current() is location and manifest.load()[0].id == "01_a/only"
    assert course_root.current() is before


def test_an_instructors_suites_import_their_own_helpers_not_the_installed_ones(tmp_path):
    """Suites import shared helpers as checker.suites.<name>; in an instructor's course that
    name must find the course's helper, even where torchkata installs one of the same name."""
    import sys

    from checker import runner
    course = make_course(tmp_path / "mycourse")
    suites = course / "checker" / "suites"
    (suites / "01_a").mkdir(parents=True)
    (suites / "_autograd_flags.py").write_text("WHERE = 'the instructor course'\n")
    (suites / "_course_only.py").write_text("ALSO = 'only here'\n")
    (suites / "01_a" / "only.py").write_text(
        "from checker.suites._autograd_flags import WHERE\n"
        "from checker.suites._course_only import ALSO\n"
        "suite = (WHERE, ALSO)\n")
    kata = manifest.load(Course(course).manifest)[0]
    try:
        assert runner.load_course_file(kata, kata.suite_path, "suite").suite == ("the instructor course", "only here")
        # The installed course's own suites get the installed helper back.
        installed = manifest.get("02_autograd/graph")
        runner.load_course_file(installed, installed.suite_path, "suite")
        helper = sys.modules["checker.suites._autograd_flags"]
        assert helper.__file__ == str(installed.home.suites / "_autograd_flags.py")
        assert hasattr(helper, "flags_problem")
    finally:
        import checker.suites
        checker.suites.__path__ = [p for p in checker.suites.__path__ if p != str(suites.resolve())]
        for name in ("checker.suites._autograd_flags", "checker.suites._course_only"):
            if str(course) in (getattr(sys.modules.get(name), "__file__", None) or ""):
                del sys.modules[name]
