"""tt-tensor's built-in ops, one small `Function` class each, grouped by kind."""
