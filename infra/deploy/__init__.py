"""Scripts for deploying Aduan to AWS (docs/deploy.md)."""
