"""`tt.ao`: where PyTorch keeps quantization (`tt.ao.quantization` is `tt.quantization`)."""


def __getattr__(name: str):
    if name == "quantization":
        import importlib

        return importlib.import_module("tt.quantization")
    raise AttributeError(f"module 'tt.ao' has no attribute {name!r}")
