"""Find or build the Pulumi engine this project is pinned to, and describe its offline environment.

Our machines cannot download Pulumi's prebuilt CLI, but they do reach the Go module proxy, so the
engine is compiled from Go modules when no matching ``pulumi`` is on PATH:

* ``pulumi`` from ``github.com/pulumi/pulumi/pkg/v3`` at the pinned version (wrapper module in
  ``tools/engine/pulumi``);
* ``pulumi-language-python`` from ``github.com/pulumi/pulumi/sdk/v3@v3.79.0`` (wrapper module in
  ``tools/engine/langhost``). The host moved to its own, never-tagged module after 3.79 and the
  proxy serves no pseudo-version of it, so 3.79 is the newest host buildable from modules. It
  speaks the same LanguageRuntime protocol; the engine and the Python SDK stay at the pinned
  version, and the exec script the host runs comes from the pinned SDK. One patch is applied at
  build time (``tools/engine/langhost/runplugin.go.in``): newer engines name the plugin program
  of RunPlugin in a field this host does not know, so without it Python policy packs
  (``pulumi preview --policy-pack``) cannot start. A second (``projectvenv.go.in``) makes the host
  honour ``runtime.options.virtualenv`` of the project's Pulumi.yaml, which newer engines no
  longer pass on its command line.
* the two helper scripts (``pulumi-language-python-exec`` and the dynamic-provider plugin
  ``pulumi-resource-pulumi-python``) copied from the pinned ``sdk/v3`` module.

The result is cached outside the work tree, keyed by version, so a machine builds it once.

Usage: ``python tools/engine.py ensure`` prints the directory holding the four files;
``python tools/engine.py env`` prints shell ``export`` lines that put that engine on PATH with no
update check, and nothing else: a user's project keeps its own virtualenv, backend and plugins.
``env --repo`` adds what this repository's own project uses (the file backend in ``.pulumi/``,
the demo passphrase, no plugin download: see ``repo_env``).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE_DIR = Path(__file__).resolve().parent / "engine"
VERSION = (ENGINE_DIR / "VERSION").read_text().strip()
LANGHOST_SDK_VERSION = "3.79.0"
FILES = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
)
# Bump when the build changes, so that engines cached by an older build are rebuilt.
BUILD_REVISION = "3: python host reads the project's virtualenv"
# The line of the 3.79 host's RunPlugin that the patch replaces.
RUNPLUGIN_ANCHOR = "args := []string{req.Program}"
# The line of the 3.79 host's main that resolves the virtualenv given by flag.
VIRTUALENV_ANCHOR = "virtualenvPath := resolveVirtualEnvironmentPath(root, virtualenv)"
# The demo and test stacks are local and throwaway; real stacks set their own passphrase.
DEMO_PASSPHRASE = "local-demo-passphrase"  # noqa: S105 - public by design, guards nothing real


class EngineUnavailableError(RuntimeError):
    """Neither a matching engine on PATH nor a Go toolchain to build one."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pulumi-twilio-intelligence" / "engine" / VERSION


def _reported_version(pulumi: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(pulumi), "version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        )
    except OSError:
        return None
    return out.stdout.strip().lstrip("v") or None


def cached_bin_dir() -> Path:
    """Keyed by build revision too, so that work trees at different revisions share the cache
    without rebuilding over each other (Go's build cache makes a second build quick)."""
    return cache_dir() / f"bin-r{BUILD_REVISION.split(':', 1)[0]}"


def _complete(bin_dir: Path) -> bool:
    revision = bin_dir / "BUILD_REVISION"
    return (
        all(os.access(bin_dir / name, os.X_OK) for name in FILES)
        and revision.is_file()
        and revision.read_text().strip() == BUILD_REVISION
    )


def _from_path() -> Path | None:
    """A pulumi on PATH is used only when it is the pinned version and has its Python host."""
    found = shutil.which("pulumi")
    if not found:
        return None
    bin_dir = Path(found).resolve().parent
    if bin_dir.parent == cache_dir().resolve():
        return None  # our own cache; checked separately
    if _reported_version(Path(found)) != VERSION:
        return None
    if not shutil.which("pulumi-language-python"):
        return None
    return bin_dir


@contextmanager
def _build_lock() -> Iterator[None]:
    """Two processes (say the demo and the tests) must not build into the same cache at once."""
    lock_path = cache_dir().parent / f".{VERSION}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _go_env() -> dict[str, str]:
    return {
        **os.environ,
        "GOTOOLCHAIN": "local",  # never let go download a toolchain: we cannot reach it
        "CGO_ENABLED": "0",
        "GOFLAGS": "-mod=readonly -buildvcs=false",
    }


def _run_go(args: list[str], cwd: Path, label: str) -> str:
    """Run go, echoing a progress line per module downloaded or package compiled."""
    started = time.monotonic()
    print(f"[engine] {label} ...", file=sys.stderr, flush=True)
    proc = subprocess.Popen(
        ["go", *args],
        cwd=cwd,
        env=_go_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None  # noqa: S101 - set by stdout=PIPE above
    lines: list[str] = []
    for count, line in enumerate(proc.stdout, start=1):
        lines.append(line)
        if count % 50 == 0:
            elapsed = time.monotonic() - started
            print(f"[engine]   {label}: {count} steps, {elapsed:.0f}s", file=sys.stderr, flush=True)
    if proc.wait() != 0:
        tail = "".join(lines[-40:])
        raise EngineUnavailableError(f"`go {' '.join(args)}` failed in {cwd}:\n{tail}")
    print(f"[engine] {label} done in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return "".join(lines)


def _module_dir(workdir: Path, module: str) -> Path:
    out = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Dir}}", module],
        cwd=workdir,
        env=_go_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def _patch_langhost(workdir: Path) -> str:
    """Copy the 3.79 host's main package into the wrapper module with the RunPlugin patch;
    return the package to build. (Go refuses overlays of files in the module cache.)"""
    _run_go(["mod", "download", "github.com/pulumi/pulumi/sdk/v3"], workdir, "host sources")
    sdk = _module_dir(workdir, "github.com/pulumi/pulumi/sdk/v3")
    main_go = (sdk / "python/cmd/pulumi-language-python/main.go").read_text()
    for anchor in (RUNPLUGIN_ANCHOR, VIRTUALENV_ANCHOR):
        if main_go.count(anchor) != 1:
            raise EngineUnavailableError(f"cannot patch the Python host: no {anchor!r}")
    main_go = main_go.replace(RUNPLUGIN_ANCHOR, "args := runPluginArgs(req)")
    main_go = main_go.replace(
        VIRTUALENV_ANCHOR,
        'if virtualenv == "" {\n\t\tvirtualenv, root = projectVirtualenv(cwd, root)\n\t}\n'
        f"\t{VIRTUALENV_ANCHOR}",
    )
    package = workdir / "cmd" / "pulumi-language-python"
    package.mkdir(parents=True)
    (package / "main.go").write_text(main_go)
    shutil.copyfile(workdir / "runplugin.go.in", package / "runplugin.go")
    shutil.copyfile(workdir / "projectvenv.go.in", package / "projectvenv.go")
    return "./cmd/pulumi-language-python"


def _build(target: Path) -> None:
    go = shutil.which("go")
    if not go:
        raise EngineUnavailableError(_unavailable_message("no `go` on PATH"))
    go_version = subprocess.run([go, "version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"go(\d+)\.(\d+)", go_version)
    if not match or (int(match.group(1)), int(match.group(2))) < (1, 26):
        raise EngineUnavailableError(_unavailable_message(f"Go 1.26+ needed, found: {go_version}"))

    print(
        f"[engine] building Pulumi {VERSION} from Go modules (once per machine; several minutes)",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="pulumi-engine-") as tmp:
        staging = Path(tmp) / "bin"
        staging.mkdir()
        for name in ("pulumi", "langhost"):
            shutil.copytree(ENGINE_DIR / name, Path(tmp) / name)
        ldflag = "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v"
        flags = ["-trimpath", "-tags", "osusergo,grpcnotrace"]
        _run_go(
            [
                "build",
                "-v",
                *flags,
                "-ldflags",
                f"-s -w {ldflag}{VERSION}",
                "-o",
                str(staging / "pulumi"),
                "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
            ],
            Path(tmp) / "pulumi",
            f"pulumi {VERSION}",
        )
        _run_go(
            [
                "build",
                "-v",
                *flags,
                "-ldflags",
                f"-s -w {ldflag}{LANGHOST_SDK_VERSION}",
                "-o",
                str(staging / "pulumi-language-python"),
                _patch_langhost(Path(tmp) / "langhost"),
            ],
            Path(tmp) / "langhost",
            f"pulumi-language-python (sdk {LANGHOST_SDK_VERSION})",
        )
        sdk = _module_dir(Path(tmp) / "pulumi", "github.com/pulumi/pulumi/sdk/v3")
        for src in (
            "python/cmd/pulumi-language-python-exec",
            "python/dist/pulumi-resource-pulumi-python",
        ):
            dest = staging / Path(src).name
            shutil.copyfile(sdk / src, dest)  # module cache files are read-only: copy, then chmod
            dest.chmod(0o755)
        built = _reported_version(staging / "pulumi")
        if built != VERSION:
            raise EngineUnavailableError(f"built pulumi reports {built!r}, expected {VERSION}")
        (staging / "BUILD_REVISION").write_text(BUILD_REVISION + "\n")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(staging), str(target))


def _unavailable_message(reason: str) -> str:
    return (
        f"Cannot provide the Pulumi engine {VERSION}: {reason}.\n"
        f"Either install Go 1.26 or newer (the engine is then built from Go modules), or install\n"
        f"the official Pulumi CLI {VERSION}, which needs internet access:\n"
        f"    curl -fsSL https://get.pulumi.com | sh -s -- --version {VERSION}\n"
        f"and put ~/.pulumi/bin on PATH."
    )


def ensure() -> Path:
    """Return a directory holding ``pulumi`` and its Python host at the pinned version."""
    on_path = _from_path()
    if on_path:
        return on_path
    bin_dir = cached_bin_dir()
    if _complete(bin_dir):
        return bin_dir
    with _build_lock():
        if not _complete(bin_dir):  # another process may have built it while we waited
            _build(bin_dir)
    return bin_dir


def engine_env(bin_dir: Path) -> dict[str, str]:
    """What any project needs to run this engine here: the engine first on PATH, no update
    check (it needs the network). No virtualenv, backend, passphrase or plugin setting: those
    are the project's (its Pulumi.yaml, ``pulumi login``, its own environment)."""
    return {
        "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def offline_env(
    bin_dir: Path, *, backend_dir: Path | None = None, home: Path | None = None
) -> dict[str, str]:
    """``engine_env`` plus what this repository's own project and tests use (``env --repo``):
    a file backend and PULUMI_HOME under ``.pulumi/`` (or the given directories), the demo
    passphrase unless one is set, and no plugin download. The project's virtualenv installs
    this package editable, which leaves no ``pulumi-plugin.json`` where the language host looks
    (site-packages), so the host would name a plugin ``twilio-intelligence`` for the engine to
    download. An installed wheel carries the file; a user's project needs none of this."""
    state = ROOT / ".pulumi"
    backend = backend_dir or state / "backend"
    pulumi_home = home or state / "home"
    backend.mkdir(parents=True, exist_ok=True)
    pulumi_home.mkdir(parents=True, exist_ok=True)
    return {
        **engine_env(bin_dir),
        "PULUMI_HOME": str(pulumi_home),
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEMO_PASSPHRASE),
        "PULUMI_TWILIO_ENGINE_VERSION": VERSION,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ensure", "env", "version"])
    parser.add_argument(
        "--repo",
        action="store_true",
        help="env: add this repository's own backend, passphrase and plugin settings",
    )
    args = parser.parse_args()
    if args.command == "version":
        print(VERSION)
        return 0
    try:
        bin_dir = ensure()
    except EngineUnavailableError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.command == "ensure":
        print(bin_dir)
    else:
        env = offline_env(bin_dir) if args.repo else engine_env(bin_dir)
        for key, value in env.items():
            print(f"export {key}={_shell_quote(value)}")
    return 0


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


if __name__ == "__main__":
    sys.exit(main())
