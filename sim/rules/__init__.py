"""Behaviour rules: pure functions of numbers or numpy arrays.

Each rule reads the same for one agent (floats) and for all members at once (arrays),
so the vectorized engine and the agent-by-agent engine share them. Nothing here
imports the rest of the package: this is the physics of the model, readable alone.
"""
