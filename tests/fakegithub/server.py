"""FakeGitHub: the REST endpoints Gatehouse calls, with state, served on 127.0.0.1.

It answers like GitHub for what the App uses (status codes, shapes, limits such
as 50 annotations a request and the 422 for a review comment outside the diff),
records every request, and can inject failures (5xx, secondary rate limits,
expired tokens).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from .oauth import FakeOAuth
from .oauth import install as install_oauth
from .openapi import OpenAPIChecker

SPEC = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "github"
    / "openapi"
    / "github-subset.json"
)
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_patch(old: bytes | None, new: bytes | None) -> str | None:
    """GitHub's ``patch`` field: the hunks of a unified diff (None for binary files)."""
    if (old and b"\x00" in old) or (new and b"\x00" in new):
        return None
    a = (old or b"").decode("utf-8", "surrogateescape").splitlines()
    b = (new or b"").decode("utf-8", "surrogateescape").splitlines()
    lines = list(difflib.unified_diff(a, b, lineterm="", n=3))[2:]
    return "\n".join(lines)


def hunk_lines(patch: str | None) -> set[int]:
    """Post-image lines a review comment may target (RIGHT side)."""
    out: set[int] = set()
    for m in _HUNK.finditer(patch or ""):
        start, length = int(m.group(1)), int(m.group(2) or 1)
        out.update(range(start, start + length))
    return out


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    auth: str
    status: int = 0


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str]
    message: str


@dataclass
class FakeRepo:
    """One repository: commits (full trees), pull requests and everything posted on them."""

    full_name: str
    default_branch: str = "main"
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    issue_comments: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    permissions: dict[str, str] = field(default_factory=dict)
    omit_patch: set[str] = field(default_factory=set)
    topics: list[str] = field(default_factory=list)

    # -- building history
    def commit(
        self,
        files: dict[str, str | bytes | None],
        *,
        parent: str | None = None,
        message: str = "change",
        author: str = "dev",
        branch: str | None = None,
        sha: str | None = None,
        committer: str | None = None,
    ) -> str:
        """A commit that sets (or, with None, deletes) ``files`` on top of ``parent``."""
        tree = dict(self.commits[parent]["tree"]) if parent else {}
        for path, content in files.items():
            if content is None:
                tree.pop(path, None)
            else:
                data = content.encode("utf-8") if isinstance(content, str) else content
                tree[path] = data
                self.blobs[blob_sha(data)] = data
        sha = (
            sha or hashlib.sha1(repr((parent, sorted(tree.items()), message)).encode()).hexdigest()
        )
        self.commits[sha] = {
            "tree": tree,
            "parent": parent,
            "message": message,
            "author": author,
            "committer": committer or author,
        }
        if branch:
            self.branches[branch] = sha
        return sha

    def open_pull(
        self,
        number: int,
        *,
        base: str,
        head: str,
        title: str = "A change",
        body: str = "",
        user: str = "dev",
        user_type: str = "User",
        labels: tuple[str, ...] = (),
        head_ref: str = "feature",
        head_repo: str | None = None,
    ) -> dict[str, Any]:
        pr = {
            "number": number,
            "title": title,
            "body": body,
            "state": "open",
            "draft": False,
            "merged": False,
            "user": {"login": user, "type": user_type},
            "labels": [{"name": n} for n in labels],
            "head": {
                "sha": head,
                "ref": head_ref,
                "repo": {"full_name": head_repo or self.full_name},
            },
            "base": {
                "sha": base,
                "ref": self.default_branch,
                "repo": {"full_name": self.full_name},
            },
            "_merge_base": base,
        }
        self.pulls[number] = pr
        return pr

    def push(self, number: int, head: str) -> None:
        self.pulls[number]["head"]["sha"] = head

    def history(self, head: str, stop: str) -> list[str]:
        out = []
        sha: str | None = head
        while sha and sha != stop:
            out.append(sha)
            sha = self.commits[sha]["parent"]
        return list(reversed(out))

    def diff_files(self, old: str | None, new: str) -> list[dict[str, Any]]:
        a = self.commits[old]["tree"] if old else {}
        b = self.commits[new]["tree"]
        files = []
        for path in sorted(set(a) | set(b)):
            if a.get(path) == b.get(path):
                continue
            status = "added" if path not in a else "removed" if path not in b else "modified"
            patch = make_patch(a.get(path), b.get(path))
            entry: dict[str, Any] = {
                "sha": blob_sha(b[path]) if path in b else None,
                "filename": path,
                "status": status,
                "additions": 0,
                "deletions": 0,
                "changes": 0,
            }
            if patch is not None:
                entry["additions"] = sum(1 for ln in patch.splitlines() if ln.startswith("+"))
                entry["deletions"] = sum(1 for ln in patch.splitlines() if ln.startswith("-"))
                entry["changes"] = entry["additions"] + entry["deletions"]
                if path not in self.omit_patch:
                    entry["patch"] = patch
            files.append(entry)
        return files

    # -- what a user sees
    def runs_for(self, sha: str) -> list[dict[str, Any]]:
        return [r for r in self.check_runs if r["head_sha"] == sha]


class FakeGitHub:
    """Start with ``with FakeGitHub(app_id, public_key) as gh:``; ``gh.url`` is the API base URL."""

    def __init__(
        self,
        *,
        app_id: int,
        public_key: str,
        spec: Path | None = SPEC,
        app_slug: str = "gatehouse",
        prefix: str = "",
    ) -> None:
        self.app_id = app_id
        self.public_key = public_key
        self.app_slug = app_slug
        self.token_lifetime_s = 3600.0  # GitHub: installation tokens expire after one hour
        self.prefix = prefix.rstrip("/")  # e.g. "/api/v3", as on GitHub Enterprise Server
        self.repos: dict[str, FakeRepo] = {}
        self.installations: dict[int, dict[str, Any]] = {}
        self.tokens: dict[str, tuple[int, float]] = {}
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.failures: list[Failure] = []
        self.manifest_codes: dict[str, dict[str, Any]] = {}  # App manifest flow: code -> App
        self.oauth = FakeOAuth()  # the App's sign-in (user-to-server OAuth): see oauth.py
        self.checker = OpenAPIChecker(spec) if spec is not None and spec.is_file() else None
        self._ids = itertools.count(1000)
        self._lock = threading.RLock()
        self.flask = self._build()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle
    def start(self, port: int = 0) -> FakeGitHub:
        wsgi: Any = self.flask
        if self.prefix:
            from werkzeug.middleware.dispatcher import DispatcherMiddleware

            wsgi = DispatcherMiddleware(_not_found_app, {self.prefix: self.flask})
        self._server = make_server(
            "127.0.0.1", port, wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}{self.prefix}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- set-up helpers
    def add_installation(
        self, installation_id: int, account: str, *, account_type: str = "Organization"
    ) -> None:
        self.installations[installation_id] = {
            "id": installation_id,
            "account": {"login": account, "type": account_type},
        }

    def add_repo(self, full_name: str, **kw: Any) -> FakeRepo:
        repo = FakeRepo(full_name, **kw)
        self.repos[full_name] = repo
        return repo

    def inject(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str = "injected failure",
    ) -> None:
        """The next ``times`` matching requests answer ``status`` instead."""
        self.failures.append(
            Failure(method, re.compile(pattern), status, times, headers or {}, message)
        )

    def add_manifest_code(
        self, code: str, *, app_id: int, pem: str, webhook_secret: str, slug: str = "gatehouse-acme"
    ) -> None:
        """A code GitHub's manifest flow would hand back; it converts once into this App."""
        self.manifest_codes[code] = {
            "id": app_id,
            "slug": slug,
            "pem": pem,
            "webhook_secret": webhook_secret,
            "client_id": "Iv1.fake",
            "client_secret": "cs-" + "y" * 30,
            "html_url": f"https://github.com/apps/{slug}",
        }

    def expire_tokens(self) -> None:
        """Every installation token issued so far is now refused (401)."""
        with self._lock:
            for tok, (inst, _) in list(self.tokens.items()):
                self.tokens[tok] = (inst, 0.0)

    def calls(self, method: str | None = None, contains: str = "") -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and contains in r.path
        ]

    # -- the app
    def _build(self) -> Flask:
        app = Flask("fakegithub")
        fake = self

        @app.before_request
        def _record_and_gate() -> Any:
            body = request.get_json(silent=True) if request.data else None
            auth = request.headers.get("Authorization", "")
            rec = Recorded(
                request.method,
                request.path,
                dict(request.args),
                body,
                auth.split(" ", 1)[0].lower() if auth else "",
            )
            with fake._lock:
                fake.requests.append(rec)
            request.environ["fake.record"] = rec
            if fake.checker is not None and not request.path.startswith(("/login/", "/user")):
                fake.violations += fake.checker.check(request.method, request.path, body)
            with fake._lock:
                for f in fake.failures:
                    if (
                        f.times > 0
                        and f.method == request.method
                        and f.pattern.search(request.path)
                    ):
                        f.times -= 1
                        resp = jsonify(message=f.message)
                        resp.status_code = f.status
                        for k, v in f.headers.items():
                            resp.headers[k] = v
                        return resp
            return fake._authenticate(auth)

        @app.after_request
        def _status(resp: Response) -> Response:
            rec = request.environ.get("fake.record")
            if rec is not None:
                rec.status = resp.status_code
            return resp

        self._routes(app)
        install_oauth(app, self)
        return app

    def _authenticate(self, header: str) -> Any:
        kind, _, cred = header.partition(" ")
        path = request.path
        if path.startswith("/app/"):
            try:
                claims = jwt.decode(
                    cred,
                    self.public_key,
                    algorithms=["RS256"],
                    options={"require": ["iat", "exp", "iss"]},
                    leeway=0,
                )
            except jwt.PyJWTError as exc:
                return _error(401, f"A JSON web token could not be decoded: {exc}")
            if str(claims["iss"]) != str(self.app_id) or claims["exp"] - claims["iat"] > 600:
                return _error(401, "'Expiration time' claim ('exp') is too far in the future")
            if claims["iat"] > time.time():
                return _error(
                    401,
                    "'Issued at' claim ('iat') must be an Integer representing a time in the past",
                )
            return None
        if path == "/rate_limit" or path.startswith("/app-manifests/"):
            return None  # the manifest code is the credential
        if path.startswith("/login/"):
            return None  # the web sign-in: the client secret or the person is the credential
        if path == "/user" or path.startswith("/user/"):
            login = self.oauth.login_of(header)
            if login is None:
                return _error(401, "Bad credentials")
            request.environ["fake.user"] = login
            return None
        with self._lock:
            entry = self.tokens.get(cred)
        if kind.lower() not in ("token", "bearer") or entry is None or entry[1] < time.time():
            return _error(401, "Bad credentials")
        return None

    def _repo(self, owner: str, name: str) -> FakeRepo:
        repo = self.repos.get(f"{owner}/{name}")
        if repo is None:
            raise _NotFound()
        return repo

    def _routes(self, app: Flask) -> None:  # noqa: C901 - one place lists every endpoint
        fake = self

        @app.errorhandler(_NotFound)
        def _nf(_: Exception) -> Any:
            return _error(404, "Not Found")

        @app.post("/app/installations/<int:iid>/access_tokens")
        def access_token(iid: int) -> Any:
            if iid not in fake.installations:
                return _error(404, "Not Found")
            token = "ghs_" + hashlib.sha256(f"{iid}{next(fake._ids)}".encode()).hexdigest()[:36]
            expires = time.time() + fake.token_lifetime_s
            with fake._lock:
                fake.tokens[token] = (iid, expires)
            return jsonify(token=token, expires_at=_iso(expires), permissions={}), 201

        @app.get("/app/installations/<int:iid>")
        def installation(iid: int) -> Any:
            inst = fake.installations.get(iid)
            if inst is None:
                return _error(404, "Not Found")
            return jsonify(dict(inst, app_id=fake.app_id, app_slug=fake.app_slug))

        @app.post("/app-manifests/<code>/conversions")
        def manifest_conversion(code: str) -> Any:
            with fake._lock:
                app_json = fake.manifest_codes.pop(code, None)
            if app_json is None:
                return _error(404, "Not Found")
            return jsonify(app_json), 201

        @app.get("/rate_limit")
        def rate_limit() -> Any:
            return jsonify(
                resources={
                    "core": {"limit": 5000, "remaining": 4999, "reset": int(time.time()) + 3600}
                }
            )

        @app.get("/repos/<owner>/<name>/pulls")
        def list_pulls(owner: str, name: str) -> Any:
            repo = fake._repo(owner, name)
            items = [
                _pull_json(repo, n) for n, p in sorted(repo.pulls.items()) if p["state"] == "open"
            ]
            return jsonify(_page(items))

        @app.get("/repos/<owner>/<name>/pulls/<int:number>")
        def get_pull(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            if number not in repo.pulls:
                return _error(404, "Not Found")
            return jsonify(_pull_json(repo, number))

        @app.get("/repos/<owner>/<name>/pulls/<int:number>/files")
        def pull_files(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            pr = repo.pulls[number]
            files = repo.diff_files(pr["_merge_base"], pr["head"]["sha"])[:3000]
            return jsonify(_page(files))

        @app.get("/repos/<owner>/<name>/pulls/<int:number>/commits")
        def pull_commits(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            pr = repo.pulls[number]
            shas = repo.history(pr["head"]["sha"], pr["_merge_base"])[:250]
            return jsonify(_page([_commit_json(repo, s) for s in shas]))

        @app.get("/repos/<owner>/<name>/commits/<sha>")
        def get_commit(owner: str, name: str, sha: str) -> Any:
            repo = fake._repo(owner, name)
            if sha not in repo.commits:
                return _error(404, "No commit found for SHA")
            data = _commit_json(repo, sha)
            data["files"] = repo.diff_files(repo.commits[sha]["parent"], sha)
            return jsonify(data)

        @app.get("/repos/<owner>/<name>/compare/<path:basehead>")
        def compare(owner: str, name: str, basehead: str) -> Any:
            repo = fake._repo(owner, name)
            base, _, head = basehead.partition("...")
            if base not in repo.commits or head not in repo.commits:
                return _error(404, "Not Found")
            # the fake's histories are linear: the base is an ancestor of the head
            return jsonify(merge_base_commit={"sha": base}, status="ahead")

        @app.get("/repos/<owner>/<name>/contents/<path:path>")
        def contents(owner: str, name: str, path: str) -> Any:
            repo = fake._repo(owner, name)
            ref = request.args.get("ref") or repo.default_branch
            sha = repo.branches.get(ref, ref)
            tree = repo.commits.get(sha, {}).get("tree", {})
            if path not in tree:
                return _error(404, "Not Found")
            data = tree[path]
            return jsonify(
                type="file",
                name=path.rsplit("/", 1)[-1],
                path=path,
                sha=blob_sha(data),
                size=len(data),
                encoding="base64",
                content=base64.b64encode(data).decode(),
            )

        @app.get("/repos/<owner>/<name>/git/blobs/<sha>")
        def blob(owner: str, name: str, sha: str) -> Any:
            repo = fake._repo(owner, name)
            if sha not in repo.blobs:
                return _error(404, "Not Found")
            data = repo.blobs[sha]
            return jsonify(
                sha=sha, size=len(data), encoding="base64", content=base64.b64encode(data).decode()
            )

        @app.get("/repos/<owner>/<name>/collaborators/<user>/permission")
        def permission(owner: str, name: str, user: str) -> Any:
            repo = fake._repo(owner, name)
            perm = repo.permissions.get(user, "none")
            if perm == "none":
                return _error(404, f"{user} is not a user")
            legacy = {"maintain": "write", "triage": "read"}.get(perm, perm)
            return jsonify(permission=legacy, role_name=perm, user={"login": user})

        @app.post("/repos/<owner>/<name>/check-runs")
        def create_run(owner: str, name: str) -> Any:
            repo = fake._repo(owner, name)
            body = request.get_json()
            problem = _check_run_problem(body, creating=True)
            if problem:
                return _error(422, problem)
            run = {
                "id": next(fake._ids),
                "name": body["name"],
                "head_sha": body["head_sha"],
                "status": body.get("status", "queued"),
                "conclusion": body.get("conclusion"),
                "output": {},
                "annotations": [],
                "actions": body.get("actions", []),
                "external_id": body.get("external_id"),
                "history": [],
            }
            _apply_run(run, body)
            with fake._lock:
                repo.check_runs.append(run)
            return jsonify(_run_json(run)), 201

        @app.patch("/repos/<owner>/<name>/check-runs/<int:run_id>")
        def update_run(owner: str, name: str, run_id: int) -> Any:
            repo = fake._repo(owner, name)
            body = request.get_json()
            problem = _check_run_problem(body, creating=False)
            if problem:
                return _error(422, problem)
            for run in repo.check_runs:
                if run["id"] == run_id:
                    _apply_run(run, body)
                    return jsonify(_run_json(run))
            return _error(404, "Not Found")

        @app.get("/repos/<owner>/<name>/commits/<ref>/check-runs")
        def runs_for_ref(owner: str, name: str, ref: str) -> Any:
            repo = fake._repo(owner, name)
            runs = [_run_json(r) for r in repo.check_runs if r["head_sha"] == ref]
            return jsonify(total_count=len(runs), check_runs=runs)

        @app.post("/repos/<owner>/<name>/pulls/<int:number>/reviews")
        def create_review(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            pr = repo.pulls.get(number)
            if pr is None:
                return _error(404, "Not Found")
            body = request.get_json()
            if body.get("event") in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
                return _error(422, "Unprocessable Entity: body is required")
            files = {
                f["filename"]: f for f in repo.diff_files(pr["_merge_base"], pr["head"]["sha"])
            }
            for c in body.get("comments", []):
                f = files.get(c.get("path"))
                allowed = hunk_lines(f.get("patch")) if f else set()
                lines = {c.get("line"), c.get("start_line", c.get("line"))}
                if f is None or c.get("side", "RIGHT") != "RIGHT" or not lines <= allowed:
                    return _error(
                        422,
                        "Unprocessable Entity: pull_request_review_thread.line "
                        "must be part of the diff",
                    )
            review_id = next(fake._ids)
            with fake._lock:
                repo.reviews.append(
                    {
                        "id": review_id,
                        "pr": number,
                        "body": body.get("body", ""),
                        "event": body.get("event"),
                        "commit_id": body.get("commit_id"),
                    }
                )
                for c in body.get("comments", []):
                    repo.review_comments.append(
                        {
                            "id": next(fake._ids),
                            "pr": number,
                            "review_id": review_id,
                            "path": c["path"],
                            "line": c["line"],
                            "start_line": c.get("start_line"),
                            "side": "RIGHT",
                            "body": c["body"],
                            "user": {"login": f"{fake.app_slug}[bot]", "type": "Bot"},
                            "commit_id": body.get("commit_id"),
                        }
                    )
            return jsonify(id=review_id, state="COMMENTED", body=body.get("body", "")), 200

        @app.get("/repos/<owner>/<name>/pulls/<int:number>/comments")
        def review_comments(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            return jsonify(_page([c for c in repo.review_comments if c["pr"] == number]))

        @app.post("/repos/<owner>/<name>/issues/<int:number>/comments")
        def issue_comment(owner: str, name: str, number: int) -> Any:
            repo = fake._repo(owner, name)
            body = request.get_json()
            comment = {
                "id": next(fake._ids),
                "issue": number,
                "body": body["body"],
                "user": {"login": f"{fake.app_slug}[bot]", "type": "Bot"},
            }
            repo.issue_comments.append(comment)
            return jsonify(comment), 201

        @app.post("/repos/<owner>/<name>/issues/comments/<int:comment_id>/reactions")
        def reaction(owner: str, name: str, comment_id: int) -> Any:
            repo = fake._repo(owner, name)
            body = request.get_json()
            repo.reactions.append({"comment_id": comment_id, "content": body["content"]})
            return jsonify(id=next(fake._ids), content=body["content"]), 201


def _not_found_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"message": "Not Found"}']


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class _NotFound(Exception):
    pass


def _error(status: int, message: str) -> Response:
    resp = jsonify(message=message, documentation_url="https://docs.github.com/rest")
    resp.status_code = status
    return resp


def _page(items: list[Any]) -> list[Any]:
    per_page = min(int(request.args.get("per_page", 30)), 100)
    page = int(request.args.get("page", 1))
    return items[(page - 1) * per_page : page * per_page]


def _pull_json(repo: FakeRepo, number: int) -> dict[str, Any]:
    pr = repo.pulls[number]
    out = {k: v for k, v in pr.items() if not k.startswith("_")}
    out["base"] = {
        **pr["base"],
        "repo": {**(pr["base"].get("repo") or {}), "topics": list(repo.topics)},
    }
    out["commits"] = len(repo.history(pr["head"]["sha"], pr["_merge_base"]))
    out["changed_files"] = len(repo.diff_files(pr["_merge_base"], pr["head"]["sha"]))
    return out


def _commit_json(repo: FakeRepo, sha: str) -> dict[str, Any]:
    c = repo.commits[sha]
    committer = c.get("committer") or c["author"]
    return {
        "sha": sha,
        "commit": {
            "message": c["message"],
            "author": {"name": c["author"], "email": f"{c['author']}@example.com"},
            "committer": {"name": committer, "email": f"{committer}@example.com"},
        },
        "author": {"login": c["author"]},
        "committer": {"login": committer},
        "parents": [{"sha": c["parent"]}] if c["parent"] else [],
    }


def _check_run_problem(body: dict[str, Any], *, creating: bool) -> str | None:
    if creating and (not body.get("name") or not body.get("head_sha")):
        return "name and head_sha are required"
    if body.get("status") == "completed" and not body.get("conclusion"):
        return "conclusion is required when status is completed"
    output = body.get("output")
    if output is not None:
        if not output.get("summary") or (creating and not output.get("title")):
            return "output needs a title and a summary"
        if len(output.get("summary", "")) > 65535 or len(output.get("text", "") or "") > 65535:
            return "output.summary and output.text are limited to 65535 characters"
        if len(output.get("annotations", [])) > 50:
            return "Only 50 annotations are allowed per request"
    actions = body.get("actions") or []
    if len(actions) > 3 or any(
        len(a["label"]) > 20 or len(a["description"]) > 40 or len(a["identifier"]) > 20
        for a in actions
    ):
        return "actions: at most 3, label <= 20, description <= 40, identifier <= 20 characters"
    return None


def _apply_run(run: dict[str, Any], body: dict[str, Any]) -> None:
    for key in ("status", "conclusion", "actions", "external_id"):
        if key in body:
            run[key] = body[key]
    if body.get("conclusion") and "status" not in body:
        run["status"] = "completed"
    output = body.get("output")
    if output:
        run["output"] = {k: v for k, v in output.items() if k != "annotations"}
        run["annotations"].extend(output.get("annotations", []))
    run["history"].append(run["status"])


def _run_json(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": run["id"],
        "name": run["name"],
        "head_sha": run["head_sha"],
        "status": run["status"],
        "conclusion": run["conclusion"],
        "output": dict(run["output"], annotations_count=len(run["annotations"])),
        "external_id": run["external_id"],
    }
