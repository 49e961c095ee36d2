"""The Gridworld RL playground panel."""
