import tt_tensor as tt

# All of tt's randomness (initialisation, dropout, shuffling, sampling) comes from one
# seeded generator, so one call to manual_seed makes a whole run repeatable.
tt.manual_seed(0)
a = tt.randn(2, 3)
tt.manual_seed(0)
b = tt.randn(2, 3)
assert (a.numpy() == b.numpy()).all()

# Anything else that needs random numbers should draw from the same generator.
rng = tt.generator()
order = rng.permutation(5)
assert sorted(order.tolist()) == [0, 1, 2, 3, 4]
