"""The functional core: the field's logic as plain Python, with no Django import."""
