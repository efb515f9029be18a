"""Adapters behind ports: the outbound queue, and one sender per provider (senders/)."""
