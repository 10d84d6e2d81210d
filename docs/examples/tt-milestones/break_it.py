import tt_milestones

# Options go to the milestone's training: a learning rate a thousand times too big.
result = tt_milestones.run("xor", seed=0, lr=1e3)

assert not result.passed
for check in result.failed_checks:
    print(f"failed: {check.name}: {check.shown} (required {check.bar})")
for line in result.diagnosis:                 # what the run saw that explains the failure
    print("diagnosis:", line)
assert result.diagnosis
