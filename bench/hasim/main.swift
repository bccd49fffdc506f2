// Placeholder: simulation soak / replay tool.
print("hasim: not implemented yet")
