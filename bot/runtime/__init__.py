"""What every runner needs, whatever the channel: delivery outcomes, the outbox loop, the deadline loop."""
