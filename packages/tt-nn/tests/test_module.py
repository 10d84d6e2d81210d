"""Module semantics, as PyTorch's: registration, names, modes, state dicts, dtypes, repr."""

import math

import numpy as np
import pytest
import tt_nn as nn
import tt_tensor as tt


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 2, bias=False)
        self.register_buffer("steps", np.zeros(1))
        self.scale = 2.0  # a plain attribute: not registered

    def forward(self, x):
        return self.fc2(self.fc1(x).relu()) * self.scale


def test_attribute_assignment_registers_parameters_and_submodules():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight"]
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Linear"]
    assert [type(m).__name__ for m in model.modules()] == ["TwoLayer", "Linear", "Linear"]
    assert model.fc2.bias is None and "bias" in model.fc2._parameters
    assert [name for name, _ in model.named_buffers()] == ["steps"]
    assert isinstance(model.steps, tt.Tensor)
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())


def test_sequential_names_are_indices_and_accepts_a_list():
    model = nn.Sequential([nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)])
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model) == 3 and isinstance(model[1], nn.Tanh)
    assert isinstance(model[:2], nn.Sequential) and len(model[:2]) == 2
    with pytest.raises(TypeError, match="did you write ReLU instead of ReLU()"):
        nn.Sequential(nn.Linear(2, 3), nn.ReLU)


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2


def test_module_list_and_dict_register_their_items():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert [n for n, _ in blocks.named_parameters()][-1] == "2.bias"
    heads = nn.ModuleDict({"a": nn.Linear(2, 1)})
    assert [n for n, _ in heads.named_parameters()] == ["a.weight", "a.bias"]


def test_assigning_before_super_init_is_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_a_registered_parameter_only_accepts_parameters_or_none():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Linear.weight is a parameter"):
        layer.weight = np.zeros((2, 2))
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_train_and_eval_switch_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    assert model.training and model[1].training
    assert model.eval() is model
    assert not model.training and not model[1].training
    model.train()
    assert model[1].training


def test_zero_grad_sets_gradients_to_none():
    model = TwoLayer()
    model(tt.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_gradients_accumulate_until_zeroed():
    layer = nn.Linear(2, 1)
    x = tt.randn(4, 2)
    layer(x).sum().backward()
    first = layer.weight.grad.data.copy()
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, 2 * first, rtol=1e-6)


def test_state_dict_round_trip_copies_into_existing_parameters():
    source, target = TwoLayer(), TwoLayer()
    state = source.state_dict()
    # PyTorch's order: a module's own parameters and buffers, then its children's.
    assert list(state) == ["steps", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert all(isinstance(v, tt.Tensor) and not v.requires_grad for v in state.values())
    weight_before = target.fc1.weight
    target.double()
    target.load_state_dict(state)
    assert target.fc1.weight is weight_before  # same Parameter object
    assert target.fc1.weight.dtype == np.float64  # kept its dtype
    np.testing.assert_allclose(target.fc1.weight.data, source.fc1.weight.data)
    x = tt.randn(2, 3)
    np.testing.assert_allclose(target(x.double()).data, source(x).data, rtol=1e-6)


def test_state_dict_shares_memory_with_the_module_as_in_pytorch():
    # Issue 12: the nanoGPT pattern `sd[k].copy_(...)` writes into the model.
    layer = nn.Linear(2, 2)
    state = layer.state_dict()
    layer.weight.data += 1
    np.testing.assert_array_equal(state["weight"].data, layer.weight.data)
    state["bias"].data[...] = 7.0
    np.testing.assert_array_equal(layer.bias.data, [7.0, 7.0])


def test_state_dict_copy_writes_into_the_model():
    layer = nn.Linear(2, 2)
    with tt.no_grad():
        layer.state_dict()["weight"].copy_(tt.ones(2, 2))
    np.testing.assert_array_equal(layer.weight.data, np.ones((2, 2)))


def test_a_shared_submodule_keeps_both_names_in_state_dict(torch):
    # Issue 12, item 16: `self.b = self.a` lost every `b.*` key.
    def shared(lib):
        class Shared(lib.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.Linear(2, 2)
                self.b = self.a

        return Shared()

    ours, theirs = shared(nn), shared(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "a.weight", "a.bias", "b.weight", "b.bias"]
    assert len(list(ours.parameters())) == 2  # parameters() still lists each once
    ours.load_state_dict({k: v.detach() for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(ours.a.weight.data, theirs.a.weight.detach().numpy())


def test_load_state_dict_accepts_tensors_arrays_and_torch_tensors(torch):
    layer = nn.Linear(2, 3)
    for weight in (tt.ones(3, 2), np.full((3, 2), 2.0), torch.full((3, 2), 3.0)):
        before = layer.weight._version
        layer.load_state_dict({"weight": weight, "bias": np.zeros(3)})
        np.testing.assert_array_equal(layer.weight.data, np.asarray(weight.numpy() if hasattr(
            weight, "numpy") else weight))
        assert layer.weight.dtype == np.float32
        assert layer.weight._version > before  # an in-place change is counted


def test_an_error_inside_a_layer_names_the_innermost_layer():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match=r"^Linear\(in_features=3, out_features=1, bias=True\): "
                                         r"linear: input of shape \(4, 8\)") as info:
        model(tt.randn(4, 2))
    assert "Sequential" not in str(info.value)  # only the innermost layer adds its name
    assert isinstance(info.value.__cause__, ValueError)  # the op's own error, chained
    with pytest.raises(IndexError, match=r"^CrossEntropyLoss\(\): cross_entropy: target values"):
        nn.CrossEntropyLoss()(tt.randn(2, 3), tt.tensor([0, 5]))


def test_load_state_dict_lists_missing_unexpected_and_wrong_shapes():
    model = TwoLayer()
    state = model.state_dict()
    del state["fc1.bias"]
    state["fc3.weight"] = np.zeros(2)
    state["fc2.weight"] = np.zeros((3, 3))
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: fc1.bias" in message
    assert "unexpected keys: fc3.weight" in message
    assert "fc2.weight: checkpoint has shape (3, 3), the model has (2, 4)" in message


def test_load_state_dict_not_strict_returns_what_did_not_match():
    model = TwoLayer()
    state = model.state_dict()
    del state["steps"]
    state["extra"] = np.ones(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["steps"] and result.unexpected_keys == ["extra"]


def test_to_double_and_float_convert_parameters_and_buffers_in_place():
    model = TwoLayer()
    weight = model.fc1.weight
    model.double()
    assert model.fc1.weight is weight
    assert all(t.dtype == np.float64 for t in [*model.parameters(), *model.buffers()])
    model.float()
    assert all(t.dtype == np.float32 for t in [*model.parameters(), *model.buffers()])
    with pytest.raises(TypeError, match="floating-point"):
        model.to(np.int64)


def test_repr_looks_like_pytorch_with_a_parameter_count():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    assert repr(model) == ("Sequential(\n"
                           "  (0): Linear(in_features=2, out_features=8, bias=True)\n"
                           "  (1): ReLU()\n"
                           "  (2): Linear(in_features=8, out_features=1, bias=True)\n"
                           ")  # 33 parameters")
    assert repr(nn.ReLU()) == "ReLU()"
    model[0].requires_grad_(False)
    assert repr(model).endswith("# 33 parameters, 24 frozen")


def test_linear_initialisation_is_pytorchs_default_and_reproducible():
    tt.manual_seed(3)
    a = nn.Linear(400, 300)
    tt.manual_seed(3)
    b = nn.Linear(400, 300)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    bound = 1 / math.sqrt(400)
    assert a.weight.dtype == np.float32
    assert np.abs(a.weight.data).max() <= bound
    # Uniform on [-b, b]: std b/sqrt(3); 120,000 draws pin it to well under 1%.
    assert abs(a.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(a.bias.data).max() <= bound and a.bias.data.std() > 0.5 * bound / math.sqrt(3)
    tt.manual_seed(4)
    assert not np.array_equal(nn.Linear(400, 300).weight.data, a.weight.data)


def test_forward_missing_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="has no forward"):
        nn.Module()(1)


def test_init_functions_fill_in_place_from_the_seeded_generator():
    w = nn.Parameter(np.zeros((300, 200), dtype=np.float32))
    data = w.data
    tt.manual_seed(0)
    nn.init.xavier_uniform_(w)
    assert w.data is data and w.dtype == np.float32
    bound = math.sqrt(6 / 500)
    assert np.abs(w.data).max() <= bound and w.data.std() > 0.95 * bound / math.sqrt(3)
    first = w.data.copy()
    tt.manual_seed(0)
    nn.init.xavier_uniform_(w)
    np.testing.assert_array_equal(w.data, first)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.data.std() - math.sqrt(2 / 200)) < 0.02 * math.sqrt(2 / 200)
    nn.init.zeros_(w)
    assert not w.data.any()
    nn.init.ones_(w)
    assert (w.data == 1).all()
    nn.init.normal_(w, mean=3.0, std=0.5)
    assert abs(w.data.mean() - 3.0) < 0.01 and abs(w.data.std() - 0.5) < 0.01
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(3)))


def test_module_to_accepts_devices_and_dtypes_as_torch():
    model = nn.Sequential(nn.Linear(2, 3, device="cpu"), nn.LayerNorm(3, device=tt.device("cpu")))
    weight = model[0].weight
    assert model.to("cpu") is model and model.cpu() is model
    model.to("cpu", tt.float64)
    assert weight.dtype == np.float64 and model[0].weight is weight
    model.to(dtype=tt.float32)
    assert weight.dtype == np.float32
    model.to(tt.zeros(1, dtype=tt.float64))
    assert model[1].weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="tt computes with NumPy on the CPU"):
        model.to("cuda")
    with pytest.raises(RuntimeError, match="tt computes with NumPy on the CPU"):
        model.cuda()
    with pytest.raises(RuntimeError, match="tt computes with NumPy on the CPU"):
        nn.Linear(2, 2, device="cuda:0")


def _container_edits(lib):
    s = lib.Sequential(lib.ReLU(), lib.Tanh(), lib.Sigmoid())
    s.insert(1, lib.Identity())
    s[0] = lib.SiLU()
    del s[2]
    popped = s.pop(0)
    s.append(lib.ReLU())
    s.extend([lib.Tanh()])
    m = lib.ModuleList([lib.ReLU(), lib.Tanh()])
    m.insert(0, lib.Sigmoid())
    m += [lib.Identity()]
    del m[1]
    m[0] = lib.ReLU6()
    d = lib.ModuleDict({"a": lib.ReLU(), "b": lib.Tanh()})
    d.update({"c": lib.Sigmoid()})
    d["a"] = lib.SiLU()  # replacing keeps the position
    d.pop("b")
    names = lambda c: [(n, type(x).__name__) for n, x in c.named_children()]  # noqa: E731
    return names(s), type(popped).__name__, names(m), names(d)


def test_container_editing_matches_torch(torch):
    assert _container_edits(nn) == _container_edits(torch.nn)


def test_reassigning_a_layer_keeps_its_place_in_state_dict(torch):
    def build(lib):
        model = lib.Sequential(lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1))
        model.fc = lib.Linear(1, 4)
        model[0] = lib.Linear(2, 3, bias=False)  # fine-tuning: swap a layer in place
        model.fc = lib.Linear(1, 5)
        return list(model.state_dict())

    assert build(nn) == build(torch.nn)


def test_state_dict_prefix_and_keep_vars():
    layer = nn.Linear(2, 2)
    assert list(layer.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight


def test_parameter_list_and_dict_register_their_parameters(torch):
    def build(lib, wrap):
        class Model(lib.Module):
            def __init__(self):
                super().__init__()
                self.scales = lib.ParameterList([lib.Parameter(wrap(np.ones(2))) for _ in range(2)])
                self.extra = lib.ParameterDict({"b": lib.Parameter(wrap(np.zeros(3)))})
                self.scales.append(lib.Parameter(wrap(np.ones(1))))

        return Model()

    ours, theirs = build(nn, np.asarray), build(torch.nn, torch.tensor)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours.scales) == 3 and ours.extra["b"].shape == (3,) and "b" in ours.extra


def test_get_submodule_and_parameter():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.get_submodule("1.1") is model[1][1]
    assert model.get_submodule("") is model
    assert model.get_parameter("1.1.bias") is model[1][1].bias
    with pytest.raises(AttributeError, match="has no sub-module '7'"):
        model.get_submodule("1.7")
    with pytest.raises(AttributeError, match="has no parameter 'gain'"):
        model.get_parameter("0.gain")


def test_orthogonal_and_dirac_init(torch):
    for shape in ((3, 5), (5, 3), (4, 2, 3)):
        w = nn.Parameter(np.zeros(shape))
        nn.init.orthogonal_(w, gain=2.0)
        flat = w.data.reshape(shape[0], -1)
        gram = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4 * np.eye(len(gram)), atol=1e-12)
    ours = nn.Parameter(np.zeros((4, 2, 3, 3)))
    theirs = torch.zeros(4, 2, 3, 3, dtype=torch.float64)
    nn.init.dirac_(ours, groups=2)
    torch.nn.init.dirac_(theirs, groups=2)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_forward_hooks_see_and_replace_what_torch_s_do(torch):
    def run(lib, wrap):
        model = lib.Sequential(lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1))
        seen = []
        pre = model[2].register_forward_pre_hook(lambda m, args: (args[0] * 0,))
        post = model[1].register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
        first = model(wrap(np.ones((4, 2)))).detach().numpy().copy()
        pre.remove()
        post.remove()
        model(wrap(np.ones((4, 2))))
        return seen, np.allclose(first, model[2].bias.detach().numpy())

    assert run(nn, lambda a: tt.tensor(a.astype(np.float32))) == run(
        torch.nn, lambda a: torch.tensor(a, dtype=torch.float32)) == ([(4, 3)], True)
