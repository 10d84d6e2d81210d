"""tt-text's ops: embedding lookup and scaled dot-product attention, each forward beside its backward."""
