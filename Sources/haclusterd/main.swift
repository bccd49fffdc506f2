// Placeholder: the daemon entry point.
print("haclusterd: not implemented yet")
