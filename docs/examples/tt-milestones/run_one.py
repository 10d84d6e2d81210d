import tt_milestones

result = tt_milestones.run("xor", seed=0)      # trains for real: about a second

for check in result.checks:                    # the verification table
    print(f"{check.name:<28} {check.shown:>10}  required {check.bar:<10} "
          f"{'pass' if check.passed else 'FAIL'}")
print(f"loss fell by {result.loss_decrease:.0%} over {len(result.loss_history)} epochs")

assert result.passed and result.accuracy == 1.0
assert result.params_with_grad == result.params_updated == result.total_params
