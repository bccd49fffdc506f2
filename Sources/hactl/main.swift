// Placeholder: the CLI entry point.
print("hactl: not implemented yet")
