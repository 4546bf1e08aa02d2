"""The `nasluch` command line: `app` (config, engine, registry, output), one module per command
group, and `main` (parser and entry point). `python -m monitor.cli` runs it."""
