"""Command-line tools: engine CLI and benchmarks, the demo, model downloads."""
