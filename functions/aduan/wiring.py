"""How the running code is wired: each handler builds its services once per container (`functools.cache`
factories beside the handler that uses them) and the stores keep their own short-lived caches.

`reset()` forgets all of it, so the next call builds everything again against the current endpoint and
tables. The one reset that tests, the bench and local mode use: it finds every cached factory of the
imported `aduan` modules itself (a hand list of them went stale twice).
"""

from __future__ import annotations

import sys


def reset() -> None:
    from aduan.dal import (
        channel_secrets,
        clients,
        config_store,
        external_secrets,
        sla_store,
        template_store,
        transparency_store,
    )

    for name, module in list(sys.modules.items()):
        if name != "aduan" and not name.startswith("aduan."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
    clients.reset()
    external_secrets.reset()
    config_store.clear_cache()
    transparency_store.clear_cache()
    sla_store.clear_cache()
    template_store.clear_cache()
    channel_secrets.reset()
