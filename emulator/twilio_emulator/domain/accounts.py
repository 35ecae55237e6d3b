"""Accounts and their API keys, and the credential check behind Basic auth."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from .errors import ValidationFailed
from .records import camel_view
from .runtime import Runtime

__all__ = ["AccountCredentials", "Accounts"]

_ACCOUNT_KIND = "account"
_KEY_KIND = "api_key"
_GLOBAL = ""  # accounts and keys are not owned by an account


@dataclass(frozen=True)
class AccountCredentials:
    account_sid: str
    auth_token: str
    api_key_sid: str
    api_key_secret: str

    def as_dict(self) -> dict[str, str]:
        return camel_view(self, "account_sid auth_token api_key_sid api_key_secret")


class Accounts:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def exists(self, sid: str) -> bool:
        return self.rt.store.get(_ACCOUNT_KIND, _GLOBAL, sid) is not None

    def all(self) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rt.store.rows(_ACCOUNT_KIND, _GLOBAL)]

    def create(
        self,
        sid: str | None = None,
        auth_token: str | None = None,
        api_key_sid: str | None = None,
        api_key_secret: str | None = None,
    ) -> AccountCredentials:
        sid = sid or "AC" + secrets.token_hex(16)
        if not (sid.startswith("AC") and len(sid) == 34):
            raise ValidationFailed("accountSid: must be AC followed by 32 characters")
        if self.exists(sid):
            raise ValidationFailed(f"accountSid: account {sid} already exists")
        token = auth_token or secrets.token_hex(16)
        self.rt.store.put(
            _ACCOUNT_KIND,
            _GLOBAL,
            sid,
            {"sid": sid, "authToken": token, "dateCreated": self.rt.timestamp()},
        )
        key_sid, key_secret = self.add_key(sid, api_key_sid, api_key_secret)
        return AccountCredentials(sid, token, key_sid, key_secret)

    def add_key(
        self, account: str, key_sid: str | None = None, secret: str | None = None
    ) -> tuple[str, str]:
        key_sid = key_sid or "SK" + secrets.token_hex(16)
        if not (key_sid.startswith("SK") and len(key_sid) == 34):
            raise ValidationFailed("apiKeySid: must be SK followed by 32 characters")
        if self.rt.store.get(_KEY_KIND, _GLOBAL, key_sid) is not None:
            raise ValidationFailed(f"apiKeySid: key {key_sid} already exists")
        secret = secret or secrets.token_urlsafe(24)
        self.rt.store.put(
            _KEY_KIND, _GLOBAL, key_sid, {"sid": key_sid, "secret": secret, "accountSid": account}
        )
        return key_sid, secret

    def authenticate(self, username: str, password: str) -> str | None:
        """The account SID the credentials belong to, or None."""
        account: str | None
        if username.startswith("AC"):
            doc = self.rt.store.get(_ACCOUNT_KIND, _GLOBAL, username)
            stored_field = "authToken"
            account = username
        elif username.startswith("SK"):
            doc = self.rt.store.get(_KEY_KIND, _GLOBAL, username)
            stored_field = "secret"
            account = None if doc is None else str(doc["accountSid"])
        else:
            return None
        if doc is None or account is None:
            return None
        expected = str(doc[stored_field]).encode()
        if not hmac.compare_digest(expected, password.encode("utf-8", "surrogatepass")):
            return None
        return account if self.exists(account) else None
