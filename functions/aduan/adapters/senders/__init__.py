"""One adapter per provider behind one interface (base.py): build the provider's request from an
OutboundMessage, and read the provider's answer into an outcome (sent, transient, permanent). Pure: no I/O
here; the transport (adapters/provider_transport.py) executes requests, or writes them to the local outbox.
The registry of every sender is registry.py: importing one adapter (the LAPOR! bridge's) imports only it."""
