"""The receptive-field panel (panel id "rf")."""
