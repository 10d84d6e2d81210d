"""`import tt`: torch's names in torch's places, over what is installed."""

import os
import subprocess
import sys

import pytest
import tt


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_the_names_a_pytorch_program_reaches_for_are_there():
    import tt_nn
    import tt_vision

    assert tt.nn.Conv2d is tt_vision.Conv2d
    assert tt.nn.Linear is tt_nn.Linear and tt.nn.Module is tt_nn.Module
    assert tt.nn.Embedding.__module__.startswith("tt_text")
    assert tt.optim.Adam is tt_nn.optim.Adam
    assert tt.optim.lr_scheduler.StepLR is tt_nn.optim.StepLR
    assert callable(tt.nn.functional.relu) and callable(tt.nn.functional.cross_entropy)
    assert tt.utils.data.DataLoader is tt_nn.data.DataLoader
    assert tt.utils.data.dataloader.DataLoader is tt_nn.data.DataLoader
    assert tt.nn.init.xavier_uniform_ is tt_nn.init.xavier_uniform_
    assert callable(tt.nn.utils.clip_grad_norm_)
    assert tt.long == tt.int64 and tt.float == tt.float32 and tt.double == tt.float64
    with tt.no_grad():
        assert not (tt.ones(1, requires_grad=True) * 2).requires_grad


def test_import_from_submodule_paths():
    from tt.nn import functional as F  # noqa: F401
    from tt.nn.utils import clip_grad_norm_  # noqa: F401
    from tt.optim.lr_scheduler import StepLR  # noqa: F401
    from tt.utils.data import DataLoader, Dataset, TensorDataset  # noqa: F401
    from tt.utils.data.dataloader import DataLoader as Loader  # noqa: F401
    from tt.vision.transforms import Compose  # noqa: F401


def test_a_small_training_step_runs_through_the_namespace():
    tt.manual_seed(0)
    model = tt.nn.Sequential(tt.nn.Linear(2, 8), tt.nn.ReLU(), tt.nn.Linear(8, 1))
    opt = tt.optim.SGD(model.parameters(), lr=0.1)
    x, y = tt.randn(16, 2), tt.randn(16, 1)
    before = tt.nn.functional.mse_loss(model(x), y).item()
    for _ in range(20):
        opt.zero_grad()
        loss = tt.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < before


def test_device_probes_answer_as_a_cpu_only_torch():
    assert tt.cuda.is_available() is False and tt.cuda.device_count() == 0
    assert tt.accelerator.is_available() is False
    assert tt.backends.mps.is_available() is False
    tt.cuda.manual_seed_all(0)
    device = tt.device("cuda" if tt.cuda.is_available() else "cpu")
    assert tt.zeros(2).to(device).device == device
    with pytest.raises(RuntimeError, match="tt computes with NumPy"):
        tt.zeros(2).to("cuda")


def test_a_missing_layer_names_the_package_to_install():
    result = run("import tt\ntry:\n    tt.nn.Conv2d\nexcept AttributeError as e:\n    print(e)",
                 TT_BLOCK_PLUGINS="tt-vision")
    assert "tt.nn.Conv2d is provided by tt-vision" in result.stdout
    assert "pip install tt-vision" in result.stdout


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no installed tt package registers a layer"):
        tt.nn.NoSuchLayer
    assert not hasattr(tt.nn, "NoSuchLayer")


def test_import_tt_prints_nothing_and_the_first_op_imports_no_era_package():
    result = run("import sys, tt\n"
                 "tt.tensor([1.0]) + 1\n"
                 "era = ('tt_milestones', 'tt_vision', 'tt_text')\n"
                 "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(era)}))")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n" and result.stderr == ""


def test_save_and_load_round_trip(tmp_path):
    model = tt.nn.Linear(3, 2)
    path = tmp_path / "model.pt"
    tt.save(model.state_dict(), path)
    copy = tt.nn.Linear(3, 2)
    copy.load_state_dict(tt.load(path, map_location="cpu", weights_only=True))
    assert copy.weight.tolist() == model.weight.tolist()


def test_mixed_precision_idioms_run_unchanged():
    model = tt.nn.Linear(2, 1)
    opt = tt.optim.SGD(model.parameters(), lr=0.1)
    scaler = tt.amp.GradScaler(enabled=False)
    tt.backends.cuda.matmul.allow_tf32 = True
    with tt.autocast(device_type="cpu", dtype=tt.float16):
        loss = model(tt.ones(4, 2)).sum()
    before = model.weight.tolist()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert model.weight.tolist() != before
    assert tt.cuda.amp.GradScaler is tt.amp.GradScaler


def test_bfloat16_can_be_named_but_not_made():
    table = {"float32": tt.float32, "bfloat16": tt.bfloat16}
    assert repr(table["bfloat16"]) == "tt.bfloat16"
    with pytest.raises(TypeError, match="NumPy has no bfloat16"):
        tt.zeros(2, dtype=tt.bfloat16)


def test_retain_grad_and_pin_memory():
    x = tt.ones(3, requires_grad=True)
    hidden = x * 2
    hidden.retain_grad()
    (hidden * hidden).sum().backward()
    assert hidden.grad.tolist() == [4.0, 4.0, 4.0] and x.grad.tolist() == [8.0, 8.0, 8.0]
    assert hidden.retains_grad and x.pin_memory() is x and not x.is_pinned()


def test_systems_tools_have_torch_addresses():
    from tt.ao.quantization import quantize_dynamic  # noqa: F401

    assert callable(tt.profiler.profile)
    assert tt.quantization.quantize_dynamic is tt.ao.quantization.quantize_dynamic
    assert callable(tt.nn.utils.prune.l1_unstructured)


def test_linalg_norms():
    x = tt.tensor([[3.0, 4.0]])
    assert tt.linalg.vector_norm(x).item() == 5.0 and tt.linalg.norm(x).item() == 5.0
    with pytest.raises(AttributeError, match="tt has norm, vector_norm"):
        tt.linalg.svd
