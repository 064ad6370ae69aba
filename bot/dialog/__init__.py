"""The channel-agnostic dialog engine: incoming events in, replies out; state in the database."""
