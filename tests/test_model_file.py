import hashlib

import pytest

from interviewer.cli import main
from interviewer.errors import BackendUnavailable
from interviewer.llm import model_file


def fake_chunks(tmp_path, payloads):
    paths = []
    for i, data in enumerate(payloads, start=1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(data)
        paths.append(p)
    return paths


def test_chunks_that_do_not_match_are_refused(tmp_path, monkeypatch):
    chunks = fake_chunks(tmp_path, [b"a" * 10, b"b" * 10])
    monkeypatch.setattr(model_file, "chunk_paths", lambda: chunks)
    monkeypatch.setattr(model_file, "EXPECTED_SIZE", 20)
    monkeypatch.setattr(model_file, "target_path", lambda: tmp_path / "out" / "m.gguf")
    with pytest.raises(BackendUnavailable, match="do not match the pinned sha256"):
        model_file.ensure_model()
    assert not model_file.target_path().exists()
    assert list(model_file.target_path().parent.glob("*.part")) == []


def test_matching_chunks_are_joined_once(tmp_path, monkeypatch):
    payloads = [b"x" * 7, b"y" * 5]
    chunks = fake_chunks(tmp_path, payloads)
    monkeypatch.setattr(model_file, "chunk_paths", lambda: chunks)
    monkeypatch.setattr(model_file, "EXPECTED_SIZE", 12)
    monkeypatch.setattr(model_file, "EXPECTED_SHA256", hashlib.sha256(b"".join(payloads)).hexdigest())
    monkeypatch.setattr(model_file, "target_path", lambda: tmp_path / "out" / "m.gguf")
    path = model_file.ensure_model()
    assert path.read_bytes() == b"x" * 7 + b"y" * 5
    # Second call trusts the stamp and does not read the chunks again.
    monkeypatch.setattr(model_file, "chunk_paths", lambda: pytest.fail("re-joined"))
    assert model_file.ensure_model() == path
    # A modified file no longer matches its stamp and is not used as is.
    path.write_bytes(b"tampered!!!!")
    assert model_file.verify_file(path) is not None


def test_missing_chunk_packages_exit_3_with_the_fix(monkeypatch, capsys):
    def missing():
        raise BackendUnavailable("the embedded model is not installed; fix: run `make install`")

    monkeypatch.setattr(model_file, "chunk_paths", missing)
    monkeypatch.setattr(model_file, "target_path", lambda: model_file.paths.cache_dir() / "none.gguf")
    answers = model_file.paths.cache_dir() / "a.txt"
    answers.write_text("hello\n")
    out = model_file.paths.cache_dir() / "o.json"
    code = main(["loop", "--headless", "--answers", str(answers), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3
    assert "make install" in err and "Traceback" not in err
