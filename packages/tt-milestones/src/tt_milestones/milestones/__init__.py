"""The built-in milestones, one file each: the historical model, the training loop, the checks."""
