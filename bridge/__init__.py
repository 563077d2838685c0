"""The imperative shell: terminal access, simulated terminal, EA link, execution, journal, CLI."""
