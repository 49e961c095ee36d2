"""The RNNs & LSTMs panel."""
