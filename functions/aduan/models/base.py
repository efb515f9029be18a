"""The base of every pydantic model in Aduan.

`defer_build`: a model's validator and serializer are built the first time it is used, not when its module
is imported. Each handler imports far more models than one invocation touches (the API handler imports
them all), and building them was most of a cold start; a model a path never uses now costs nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
