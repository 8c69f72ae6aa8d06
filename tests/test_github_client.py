"""The GitHub client against the fake GitHub over HTTP: auth, token cache, retries, pagination."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from fakegithub import FakeGitHub
from fakegithub.harness import keypair

from reviewer.service.github_client import GitHubApp, GitHubError, RetryPolicy, TransientGitHubError

APP_ID = 99
INST = 5


class Sleeps:
    """Records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def fake() -> Any:
    _, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public) as gh:
        gh.add_installation(INST, "acme")
        repo = gh.add_repo("acme/widgets")
        base = repo.commit({"a.py": "x = 1\n"}, branch="main")
        files = {f"pkg/m{i:03}.py": f"v = {i}\n" for i in range(250)}
        head = repo.commit(files, parent=base, message="many")
        repo.open_pull(1, base=base, head=head)
        yield gh


def _app(
    fake: FakeGitHub, sleeps: Sleeps | None = None, clock: Any = time.time, **policy: Any
) -> GitHubApp:
    private, _ = keypair()
    pol = RetryPolicy(write_interval_s=0, backoff_base_s=0.5, **policy)
    return GitHubApp(
        app_id=APP_ID,
        private_key=private,
        api_url=fake.url,
        policy=pol,
        sleep=sleeps or Sleeps(),
        clock=clock,
    )


def test_app_jwt_is_rs256_backdated_and_short_lived(fake: FakeGitHub) -> None:
    _, public = keypair()
    now = time.time()
    token = _app(fake).jwt()
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, public, algorithms=["RS256"])
    assert claims["iss"] == str(APP_ID)
    assert now - 62 <= claims["iat"] <= now - 58
    assert claims["exp"] - claims["iat"] <= 600 and claims["exp"] > now


def test_installation_token_is_cached_and_reused(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    client.get_pull("acme/widgets", 1)
    client.list_pull_commits("acme/widgets", 1)
    assert len(fake.calls("POST", "/access_tokens")) == 1
    assert [r.auth for r in fake.requests] == ["bearer", "token", "token"]


def test_token_is_minted_again_shortly_before_it_expires(fake: FakeGitHub) -> None:
    app = _app(fake)
    fake.token_lifetime_s = 200  # already inside the 5-minute refresh margin when issued
    app.installation(INST).get_pull("acme/widgets", 1)
    app.installation(INST).get_pull("acme/widgets", 1)
    assert len(fake.calls("POST", "/access_tokens")) == 2
    fake.token_lifetime_s = 3600
    app.installation(INST).get_pull("acme/widgets", 1)
    app.installation(INST).get_pull("acme/widgets", 1)
    assert len(fake.calls("POST", "/access_tokens")) == 3


def test_a_401_refreshes_the_token_once(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    client.get_pull("acme/widgets", 1)
    fake.expire_tokens()
    assert client.get_pull("acme/widgets", 1).number == 1
    assert [r.status for r in fake.calls("GET", "/pulls/1")] == [200, 401, 200]


def test_5xx_is_retried_with_backoff(fake: FakeGitHub) -> None:
    sleeps = Sleeps()
    client = _app(fake, sleeps).installation(INST)
    fake.inject("GET", r"/pulls/1$", 502, times=2)
    assert client.get_pull("acme/widgets", 1).number == 1
    assert len(sleeps.waits) == 2 and sleeps.waits[1] > sleeps.waits[0]


def test_persistent_5xx_raises_transient_for_the_job_to_retry(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    fake.inject("GET", r"/pulls/1$", 503, times=10)
    with pytest.raises(TransientGitHubError) as err:
        client.get_pull("acme/widgets", 1)
    assert err.value.status == 503 and err.value.retry_after is not None
    assert len(fake.calls("GET", "/pulls/1")) == 4


def test_secondary_rate_limit_honours_retry_after(fake: FakeGitHub) -> None:
    sleeps = Sleeps()
    client = _app(fake, sleeps).installation(INST)
    fake.inject(
        "POST",
        r"/issues/1/comments$",
        403,
        headers={"Retry-After": "7"},
        message="You have exceeded a secondary rate limit.",
    )
    client.create_issue_comment("acme/widgets", 1, "hello")
    assert sleeps.waits == [7.0]
    assert len(fake.repos["acme/widgets"].issue_comments) == 1


def test_primary_rate_limit_waits_for_the_reset_or_goes_back_to_the_queue(fake: FakeGitHub) -> None:
    sleeps = Sleeps()
    client = _app(fake, sleeps).installation(INST)
    soon = str(int(time.time()) + 3)
    fake.inject(
        "GET", r"/pulls/1$", 403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": soon}
    )
    client.get_pull("acme/widgets", 1)
    assert 1 <= sleeps.waits[0] <= 5
    later = str(int(time.time()) + 1800)
    fake.inject(
        "GET", r"/pulls/1$", 403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": later}
    )
    with pytest.raises(TransientGitHubError) as err:
        client.get_pull("acme/widgets", 1)
    assert err.value.retry_after is not None and err.value.retry_after > 1700


def test_client_errors_are_not_retried(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    with pytest.raises(GitHubError) as err:
        client.get_pull("acme/widgets", 404)
    assert err.value.status == 404 and not isinstance(err.value, TransientGitHubError)
    assert len(fake.calls("GET", "/pulls/404")) == 1


def test_files_are_paginated_100_a_page(fake: FakeGitHub) -> None:
    files = _app(fake).installation(INST).list_pull_files("acme/widgets", 1)
    assert len(files) == 250 and len({f.filename for f in files}) == 250
    assert [r.query["page"] for r in fake.calls("GET", "/pulls/1/files")] == ["1", "2", "3"]


def test_contents_404_is_none_and_permission_of_a_stranger_is_none(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    assert client.get_content("acme/widgets", "nope.txt") is None
    assert client.get_content("acme/widgets", "a.py", ref="main") == b"x = 1\n"
    assert client.collaborator_permission("acme/widgets", "stranger") == "none"


def test_enterprise_style_base_url_with_a_path_prefix() -> None:
    private, public = keypair()
    with FakeGitHub(app_id=APP_ID, public_key=public, prefix="/api/v3") as gh:
        gh.add_installation(INST, "acme")
        repo = gh.add_repo("acme/widgets")
        base = repo.commit({"a.py": "x\n"}, branch="main")
        repo.open_pull(3, base=base, head=repo.commit({"a.py": "y\n"}, parent=base))
        app = GitHubApp(
            app_id=APP_ID,
            private_key=private,
            api_url=gh.url,
            policy=RetryPolicy(write_interval_s=0),
        )
        assert gh.url.endswith("/api/v3")
        assert app.installation(INST).get_pull("acme/widgets", 3).number == 3


def test_repr_never_shows_the_key(fake: FakeGitHub) -> None:
    app = _app(fake)
    assert "PRIVATE" not in repr(app)


def test_writes_of_one_installation_are_spaced_out_after_a_burst(fake: FakeGitHub) -> None:
    sleeps = Sleeps()
    private, _ = keypair()
    frozen = time.time()  # the bucket refills with time; hold it still so the waits are exact
    app = GitHubApp(
        app_id=APP_ID,
        private_key=private,
        api_url=fake.url,
        sleep=sleeps,
        policy=RetryPolicy(write_interval_s=0.75, write_burst=3),
        clock=lambda: frozen,
    )
    a, b = app.installation(INST), app.installation(INST)
    for client in (a, b, a):
        client.create_issue_comment("acme/widgets", 1, "burst")
    a.get_pull("acme/widgets", 1)  # reads are not paced
    assert sleeps.waits == []
    b.create_issue_comment("acme/widgets", 1, "one more")
    a.create_issue_comment("acme/widgets", 1, "and another")
    assert sleeps.waits == [pytest.approx(0.75), pytest.approx(1.5)]


def test_dot_segments_in_file_paths_are_refused(fake: FakeGitHub) -> None:
    client = _app(fake).installation(INST)
    with pytest.raises(ValueError):
        client.get_content("acme/widgets", "../../app/installations/5")
    assert fake.calls("GET", "/contents/") == []
