"""`tt.text`: tt-text's tokenizers, embeddings, attention, GPT and text datasets."""

from tt import _views

_SUBMODULES = ("datasets", "functional")
_text = _views.package_view("tt.text", "tt_text", "tt-text")


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"tt.text.{name}")
    return _text(name)
