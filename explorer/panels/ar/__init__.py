"""The Autoregressive models panel."""
