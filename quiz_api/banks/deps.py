"""The loaded banks as a dependency: `banks: BanksDep` in an endpoint's signature."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from quiz_api.banks.loader import Bank


def get_banks(request: Request) -> dict[str, Bank]:
    return request.app.state.banks


BanksDep = Annotated[dict[str, Bank], Depends(get_banks)]
