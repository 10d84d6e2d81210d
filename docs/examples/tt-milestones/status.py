import tt_milestones
from tt_tensor import plugins

# Every registered milestone, built-in or added by a plugin, and who provided it.
for entry in plugins.listing("milestones"):
    milestone = tt_milestones.get(entry.name)
    status = milestone.status()
    print(f"{milestone.year}  {milestone.name:<12} {status.label:<7} {milestone.bar:<34} "
          f"({entry.provider})")
    if not status.ready:
        print("      ", status.hint)            # which `pip install` unlocks it

names = {entry.name for entry in plugins.listing("milestones")}
assert {"perceptron", "xor", "mlp", "cnn", "transformer"} <= names
assert tt_milestones.get("cnn").status().ready  # tt-vision is installed here
