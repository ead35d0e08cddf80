import asyncio
from pathlib import Path

from interviewer.app.picker import NEW, SessionPicker
from interviewer.store import SessionWriter, list_sessions
from interviewer.transcript import Transcript, Turn


def make_sessions(n=2):
    paths = []
    for i in range(n):
        t = Transcript(id=f"2026110{i + 1}-000000-000{i}", round="bar_raiser")
        with SessionWriter.create(t) as w:
            w.append_turn(Turn(role="interviewer", text="Q?"))
            paths.append(w.path)
    return paths


def run_picker(*keys):
    app = SessionPicker()

    async def scenario():
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()

    asyncio.run(scenario())
    return app


def test_enter_on_the_first_row_starts_a_new_session(home):
    make_sessions()
    assert run_picker("enter").return_value == NEW


def test_resume_the_newest_session(home):
    paths = make_sessions()
    app = run_picker("down", "enter")
    assert app.return_value == str(paths[-1])  # newest first


def test_delete_asks_first(home):
    paths = make_sessions()
    run_picker("down", "d", "n")
    assert all(p.exists() for p in paths)
    run_picker("down", "d", "y")
    assert not paths[-1].exists() and paths[0].exists()
    assert [s.id for s in list_sessions()] == [paths[0].stem]


def test_export_writes_json_without_overwriting(home, tmp_path, monkeypatch):
    make_sessions(1)
    monkeypatch.chdir(tmp_path)
    run_picker("down", "e")
    run_picker("down", "e")
    assert sorted(p.name for p in Path(tmp_path).glob("interviewer-*.json")) == [
        "interviewer-20261101-000000-0000-1.json", "interviewer-20261101-000000-0000.json"]


def test_quit_returns_nothing(home):
    make_sessions(1)
    assert run_picker("q").return_value is None
