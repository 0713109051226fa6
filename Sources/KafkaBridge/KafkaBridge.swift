// The KafkaBridge module. See docs/architecture.md.
