"""The vector store as a real Chroma server (`chroma run`) on 127.0.0.1, and the user's own documents."""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.config import Settings
from interviewer.errors import BackendUnavailable
from interviewer.retrieval.index import CorpusIndex
from tests.conftest import free_port

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip("chroma CLI not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_index_on_a_chroma_server(chroma_server):
    settings = Settings(chroma_host="127.0.0.1", chroma_port=chroma_server)
    index = CorpusIndex(settings)
    assert index.ensure() is True
    hits = index.search("when did you raise it with your director", kind="probe", family="timing", k=3)
    assert len(hits) == 3 and all(h.metadata["family"] == "timing" for h in hits)
    assert CorpusIndex(settings).ensure() is False  # built once, found again by content hash


def test_unreachable_chroma_server_is_exit_3(capsys, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("INTERVIEWER_CHROMA_PORT", str(free_port()))
    assert main(["corpus", "search", "anything"]) == 3
    assert "chroma run" in capsys.readouterr().err
    with pytest.raises(BackendUnavailable):
        CorpusIndex(Settings(chroma_host="127.0.0.1", chroma_port=free_port()))


def test_user_documents_are_indexed_and_searchable(tmp_path, monkeypatch, capsys):
    docs = tmp_path / "my-stories"
    docs.mkdir()
    (docs / "wallet.md").write_text("# Wallet launch\nI traded two engineers to the identity team for an early "
                                    "passkey API. The launch moved three weeks earlier.\n")
    (docs / "posting.txt").write_text("Senior TPM, Payments. You will own cross-team delivery of checkout.\n")
    (docs / "ignored.bin").write_bytes(b"\x00\x01")
    monkeypatch.setenv("INTERVIEWER_USER_DOCS", str(docs))
    assert main(["corpus", "search", "what did you trade with the identity team", "--kind", "user_doc",
                 "-k", "1"]) == 0
    assert "wallet.md#0" in capsys.readouterr().out
    shutil.rmtree(docs)
    assert main(["corpus", "search", "x", "--kind", "user_doc"]) == 2
