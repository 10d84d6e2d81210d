import tt_milestones

# Every registered milestone, oldest first: built-in ones and any a plugin added.
for milestone in tt_milestones.milestones():
    status = milestone.status()
    print(f"{milestone.year}  {milestone.name:<12} {status.label:<7} {milestone.bar}")
    if not status.ready:
        print("      ", status.hint)            # which `pip install` unlocks it

names = [m.name for m in tt_milestones.milestones()]
assert names[:2] == ["perceptron", "xor"] and "transformer" in names
