from tt_text import BPETokenizer, CharTokenizer

text = "the cat sat on the mat. the cat ate."

chars = CharTokenizer().train(text)          # one id per distinct character
ids = chars.encode("the mat")
assert chars.decode(ids) == "the mat" and len(ids) == 7

# Byte-level BPE: starts from the 256 bytes and merges the most frequent pairs, up to
# vocab_size ids (it stops early when no pair occurs twice, as in this tiny text).
bpe = BPETokenizer().train(text, vocab_size=280)
assert 256 < bpe.vocab_size <= 280
assert len(bpe.encode("the cat")) < len("the cat".encode())   # merges make it shorter
# Any string round-trips exactly, even characters never seen in training.
for s in ["the cat", "naïve café ☕", ""]:
    assert bpe.decode(bpe.encode(s)) == s
