// The Aggregators module. See docs/architecture.md.
