"""A real Chroma index (embedded) with the real offline MiniLM weights."""

import re

import numpy as np
import pytest

from interviewer.config import Settings
from interviewer.corpus import load_corpus
from interviewer.embeddings import default_encoder
from interviewer.retrieval.index import CorpusIndex, VectorRetriever
from tests.test_corpus import copy_corpus


def test_embeddings_are_normalised_and_semantic():
    e = default_encoder()
    v = e.encode(["What did you trade with the other team?", "What did you offer them in exchange?",
                  "The cafeteria serves lunch at noon."])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    # Batching and padding do not change a text's vector.
    alone = e.encode(["What did you trade with the other team?"])[0]
    assert np.abs(alone - v[0]).max() < 1e-5


def test_filters_return_only_the_family_asked():
    index = CorpusIndex(Settings())
    hits = index.search("we aligned with infra and got buy-in", kind="probe", family="mechanism",
                        round_name="bar_raiser", k=5)
    assert len(hits) == 5 and all(h.metadata["family"] == "mechanism" for h in hits)
    ex = index.search("escalated late after the slip", kind="exemplar", dimension="risk_escalation", level=2, k=3)
    assert ex and all(h.metadata["dimension"] == "risk_escalation" and h.metadata["level"] == 2 for h in ex)


def test_probe_search_finds_a_probe_by_what_the_answer_leaves_out():
    index = CorpusIndex(Settings())
    probe = next(p for p in index.corpus.probes if p.id == "staffing-08")
    # An answer that sounds like one of the probe's fragments finds that probe, not the fragment.
    hits = index.search_probes(probe.sounds_like[0], k=5, round_name="bar_raiser")
    assert hits[0].metadata["item"] == "staffing-08"
    assert all(h.kind == "probe" and h.id.startswith("probe:") for h in hits)
    assert 0.0 < hits[0].metadata["prior"] <= 1.0
    # Plain corpus search never returns fragments as items of their own.
    assert all(h.kind != "symptom" for h in index.search(probe.sounds_like[0], k=10))


def test_family_prior_prefers_the_family_whose_gap_the_answer_has():
    index = CorpusIndex(Settings())
    v = default_encoder().encode(["We all worked really hard as a team and the team delivered the migration; "
                                  "the team owned it end to end and we were proud of what we did together."])[0]
    prior = index.ranker().family_probabilities(v)
    assert abs(sum(prior.values()) - 1.0) < 1e-5
    assert max(prior, key=prior.get) == "personal_role"


def test_vector_retriever_returns_corpus_probes():
    index = CorpusIndex(Settings())
    retriever = VectorRetriever(index)
    assert index._ranker is not None  # fitted when built (in the app's background worker), not on first use
    probes = retriever.probes("timing", "bar_raiser", "we escalated when it slipped", k=3)
    assert len(probes) == 3 and all(p.family == "timing" for p in probes)


def test_rebuilt_only_when_the_content_changes(tmp_path, home):
    import chromadb
    from chromadb.config import Settings as CS

    client = chromadb.PersistentClient(path=str(tmp_path / "idx"), settings=CS(anonymized_telemetry=False))
    root = copy_corpus(tmp_path)
    first = CorpusIndex(Settings(), load_corpus(root), client=client)
    assert first.ensure() is True
    assert CorpusIndex(Settings(), load_corpus(root), client=client).ensure() is False
    p = root / "principles.yaml"
    p.write_text(p.read_text() + "\n# edited\n")
    changed = CorpusIndex(Settings(), load_corpus(root), client=client)
    assert changed.ensure() is True
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert names == [changed.name]  # the old collection is dropped once the new one is complete


def test_search_cli_table(capsys):
    from interviewer.cli import main

    assert main(["corpus", "search", "how did you staff it", "--kind", "probe", "--family", "staffing", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("probe:staffing-") == 2 and "gap" not in out.split("\n")[1]
    # Without a family: one probe per gap, three different families, with the gap's score.
    assert main(["corpus", "search", "we all pitched in and the team shipped it", "--kind", "probe", "-k", "3"]) == 0
    out = capsys.readouterr().out
    families = re.findall(r"probe:([a-z_]+)-\d+", out)
    assert len(families) == 3 == len(set(families))
    assert "gap" in out and "one probe per gap" in out


@pytest.mark.parametrize("argv", [["corpus", "search", "x", "--family", "vibes"],
                                  ["corpus", "search", "x", "-k", "0"], ["corpus"], ["corpus", "search", "  "],
                                  ["corpus", "search", "x", "--kind", "user_doc", "-k", "0"],
                                  ["corpus", "search", "x", "--kind", "user_doc", "-k", "51"],
                                  ["corpus", "search", "x", "--kind", "user_doc", "--family", "vibes"]])
def test_search_bad_input(argv, capsys, tmp_path, monkeypatch):
    from interviewer.cli import main

    # With documents configured, so a user_doc search gets past "no user_docs folder" to its -k.
    (tmp_path / "story.md").write_text("I traded two engineers for an early API.\n")
    monkeypatch.setenv("INTERVIEWER_USER_DOCS", str(tmp_path))

    assert main(argv) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_numpy_forward_pass_matches_sentence_transformers():
    """Reference vectors made once by sentence-transformers 6.2.0 (torch 2.13 CPU) from the same weights."""
    from pathlib import Path

    texts = ["What exactly did you offer the infra team?",
             "How did you get them to staff work that wasn't on their roadmap?",
             "I escalated to my director six weeks before launch with two options.", "short", "A " * 300]
    reference = np.load(Path(__file__).parent / "data" / "minilm_reference.npy")
    ours = default_encoder().encode(texts)
    assert np.abs(reference - ours).max() < 1e-6
