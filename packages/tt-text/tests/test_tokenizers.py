"""CharTokenizer and BPETokenizer: exact round trips, learned merges, JSON files, clear errors."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tt_text import BPETokenizer, CharTokenizer

CORPUS = ("the cat sat on the mat. the dog sat on the log. "
          "a cat and a dog met on the mat, and the cat ran. ") * 20


@pytest.fixture(scope="module")
def bpe():
    return BPETokenizer().train(CORPUS, vocab_size=280)


# ----- CharTokenizer ----------------------------------------------------------------------
def test_char_tokenizer_gives_one_id_per_distinct_character():
    tok = CharTokenizer().train("hello world")
    assert tok.vocab_size == len(set("hello world")) == 8
    ids = tok.encode("hello")
    assert ids[2] == ids[3] and len(set(ids)) == 4
    assert tok.decode(tok.encode("world hello")) == "world hello"


def test_char_tokenizer_rejects_unseen_characters_and_bad_ids():
    tok = CharTokenizer().train("abc")
    with pytest.raises(ValueError, match=r"character 'z' \(position 2\) was not in the training"):
        tok.encode("abz")
    with pytest.raises(ValueError, match=r"token id 3 is outside the vocabulary \(valid ids are 0..2\)"):
        tok.decode([0, 3])
    with pytest.raises(ValueError, match="token id -1"):
        tok.decode([-1])


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1))
def test_char_tokenizer_round_trips_its_training_text(text):
    tok = CharTokenizer().train(text)
    assert tok.decode(tok.encode(text)) == text


def test_char_tokenizer_saves_and_loads_json(tmp_path):
    tok = CharTokenizer().train("héllo 🙂")
    path = tmp_path / "chars.json"
    tok.save(path)
    again = CharTokenizer.load(path)
    assert again.chars == tok.chars
    assert again.encode("🙂 hé") == tok.encode("🙂 hé")


# ----- BPETokenizer -----------------------------------------------------------------------
def test_bpe_learns_the_requested_number_of_merges(bpe):
    assert bpe.vocab_size == 280 and len(bpe.merges) == 24
    # The most frequent pieces of the corpus became single tokens.
    learned = {bpe.token_bytes(i) for i in range(256, 280)}
    assert b" the" in learned and b" cat" in learned
    # ...and encoding uses them: far fewer ids than bytes.
    assert len(bpe.encode(CORPUS)) < len(CORPUS.encode()) / 2.5


def test_bpe_merges_follow_pair_frequency():
    # "ab" occurs 3 times, "cd" twice: the first merge must be (a, b), then (c, d).
    tok = BPETokenizer().train("ab,ab,ab,cd,cd", vocab_size=258)
    assert tok.merges == [(ord("a"), ord("b")), (ord("c"), ord("d"))]
    assert tok.encode("ab") == [256] and tok.encode("abcd") == [256, 257]


def test_bpe_stops_when_no_pair_repeats():
    tok = BPETokenizer().train("abcdef", vocab_size=1000)
    assert tok.vocab_size == 256  # every pair occurs once: nothing worth merging


# Any Python string: every code point, lone surrogates ("Cs") included.
ANY_TEXT = st.text(st.characters(exclude_categories=()))


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_bpe_round_trips_any_string(bpe, text):
    ids = bpe.encode(text)
    assert all(0 <= i < bpe.vocab_size for i in ids)
    assert bpe.decode(ids) == text


@pytest.mark.parametrize("text", ["", "🙂🙃 emoji", "日本語のテキスト", "tab\tnew\nline\r\n",
                                  "the cat 🐈 sat", "\x00\x7f", "   lots   of   spaces  "])
def test_bpe_round_trips_unseen_scripts(bpe, text):
    assert bpe.decode(bpe.encode(text)) == text


@settings(max_examples=30, deadline=None)
@given(st.text(st.characters(exclude_categories=()), min_size=1, max_size=200),
       st.integers(256, 320))
def test_bpe_trained_on_any_text_round_trips_it(text, vocab_size):
    tok = BPETokenizer().train(text, vocab_size)
    assert tok.decode(tok.encode(text)) == text


def test_bpe_rejects_ids_outside_the_vocabulary(bpe):
    with pytest.raises(ValueError, match=r"token id 280 is outside the vocabulary \(valid ids are 0..279\)"):
        bpe.decode([1, 280])
    with pytest.raises(ValueError, match="vocab_size must be at least 256"):
        BPETokenizer().train("abc", vocab_size=100)


def test_bpe_decodes_broken_utf8_with_replacement_characters(bpe):
    # The first byte of "é" alone is not valid UTF-8; a sampled sequence can end like that.
    assert bpe.decode([0xC3]) == "\ufffd"
    assert bpe.decode([0xED, 0xA0]) == "\ufffd\ufffd"  # a surrogate's first two bytes only
    assert bpe.decode([0x61, 0xFF, 0x62]) == "a\ufffdb"


@pytest.mark.parametrize("text", ["a\ud800b", "\udfff", "\ud83d\ude00 unpaired halves",
                                  "x\udc80\udc81y", "\ud800" * 5])
def test_lone_surrogates_round_trip(bpe, tmp_path, text):
    # Issue 12, item 25: these raised a bare UnicodeEncodeError.
    ids = bpe.encode(text)
    assert bpe.decode(ids) == text
    trained = BPETokenizer().train(text * 3, vocab_size=270)
    assert trained.decode(trained.encode(text)) == text
    chars = CharTokenizer().train(text)
    path = tmp_path / "chars.json"
    chars.save(path)
    assert CharTokenizer.load(path).decode(chars.encode(text)) == text
    path.read_bytes().decode("utf-8")  # the file itself is valid UTF-8 (escapes inside)


@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(exclude_categories=()), min_size=1, max_size=50))
def test_char_tokenizer_saves_any_string(tmp_path_factory, text):
    tok = CharTokenizer().train(text)
    path = tmp_path_factory.mktemp("chars") / "tok.json"
    tok.save(path)
    assert CharTokenizer.load(path).decode(tok.encode(text)) == text


def test_bpe_saves_and_loads_json(bpe, tmp_path):
    path = tmp_path / "bpe.json"
    bpe.save(path)
    again = BPETokenizer.load(path)
    assert again.merges == bpe.merges
    assert again.encode(CORPUS[:200]) == bpe.encode(CORPUS[:200])


def test_tokenizer_files_are_checked(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("not json")
    with pytest.raises(ValueError, match="is not valid JSON"):
        BPETokenizer.load(path)
    path.write_text(json.dumps({"type": "CharTokenizer", "chars": ["a"]}))
    with pytest.raises(ValueError, match="does not hold a BPETokenizer"):
        BPETokenizer.load(path)
    path.write_text(json.dumps({"type": "BPETokenizer", "merges": [[1, 999]]}))
    with pytest.raises(ValueError, match=r"merge \(1, 999\) refers to an id that does not exist"):
        BPETokenizer.load(path)
    path.write_text(json.dumps({"type": "CharTokenizer", "chars": ["ab"]}))
    with pytest.raises(ValueError, match="single characters"):
        CharTokenizer.load(path)


def test_bpe_training_is_fast_enough_for_real_text():
    # Not a timing test: a size check that the incremental algorithm handles ~100 kB.
    text = CORPUS * 15
    tok = BPETokenizer().train(text, vocab_size=400)
    assert tok.decode(tok.encode(text)) == text
