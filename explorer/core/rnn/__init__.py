"""Recurrent nets: gradients through time, RNN vs LSTM vs a naive memory cell."""
