"""Schemathesis's credentials for tests/test_fuzz.py, loaded through SCHEMATHESIS_HOOKS.

Whenever a token is needed, or one was refused (a 401: the fuzzer may delete or deactivate
the very account whose token it sends), a new user signs up and logs in, so the operations
that need a token are fuzzed past their 401. Schemathesis still sends requests without the
token (`--checks all`: `ignored_auth`), and the `auth` routes, which take no token, get none.
"""

import itertools
import os

import httpx
import schemathesis

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@schemathesis.auth().skip_for(tag="auth")
class SignedIn:
    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        username = f"fuzzer{next(_numbers)}"
        user = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
        with httpx.Client(base_url=os.environ["FUZZ_BASE_URL"], timeout=30) as client:
            signed_up = client.post("/users", json=user)
            assert signed_up.status_code == 201, signed_up.text
            logged_in = client.post("/auth/token", data={"username": username, "password": PASSWORD})
            assert logged_in.status_code == 200, logged_in.text
        return str(logged_in.json()["access_token"])

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
