"""The body-posing panel (skinning a real human mesh: LBS, DQS, weights)."""
