"""`python -m xner.cache ls|export|import|prune`: list, carry and trim the stage cache, e.g. a trained source
model taken to another machine or a cluster. Import verifies every entry (meta record, size, sha256) and only
copies files: nothing in an archive is executed or unpickled."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path
from typing import Iterator

from xner.errors import ConfigError, InputError, XnerError, report
from xner.io import current_umask, file_sha256, read_json_or_none
from xner.runtime.cache import StageCache



def default_root() -> Path:
    """The stage cache a plain run uses: $XNER_CACHE_DIR/stages (or .cache/xner/stages here)."""
    return Path(os.environ.get("XNER_CACHE_DIR") or ".cache/xner") / "stages"


def entries(root: Path) -> Iterator[tuple[dict, Path, Path]]:
    """(meta, artifact, meta path) of each finished entry under a cache root, by stage then key."""
    if not root.is_dir():
        return
    for meta_path in sorted(root.glob("*/*.meta.json")):
        meta = read_json_or_none(meta_path)
        if not isinstance(meta, dict) or not isinstance(meta.get("key"), str):
            continue
        suffix = meta.get("suffix")
        if not isinstance(suffix, str):  # entries written before the meta file named its suffix
            found = [p for p in meta_path.parent.glob(f"{meta['key']}*")
                     if not p.name.endswith((".meta.json", ".lock")) and p.name != meta_path.name]
            suffix = found[0].name[len(meta["key"]):] if found else ""
        yield meta, meta_path.parent / f"{meta['key']}{suffix}", meta_path


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def cmd_ls(root: Path, stage: str | None) -> int:
    rows = [(m["stage"], m["key"], _size(float(m.get("size") or 0)), f"{float(m.get('seconds') or 0):.1f}s",
             time.strftime("%Y-%m-%d %H:%M", time.localtime(m.get("created") or meta_path.stat().st_mtime)))
            for m, _, meta_path in entries(root) if stage is None or m.get("stage") == stage]
    header = ("stage", "key", "size", "cost", "date")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(str(value).ljust(width) for value, width in zip(row, widths)).rstrip())
    print(f"{len(rows)} entries in {root}", file=sys.stderr)
    return 0


def cmd_export(root: Path, keys: list[str], stage: str | None, dest: Path) -> int:
    chosen = [(m, a, p) for m, a, p in entries(root) if (stage is not None and m["stage"] == stage) or m["key"] in keys]
    missing = sorted(set(keys) - {m["key"] for m, _, _ in chosen})
    if missing:
        raise ConfigError(f"no cache entry {', '.join(missing)} under {root} (python -m xner.cache ls lists them)")
    if not chosen:
        raise ConfigError(f"nothing to export: no entries{f' of stage {stage}' if stage else ''} under {root}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    with tarfile.open(tmp, "w:gz") as archive:
        for meta, artifact, meta_path in chosen:
            if not artifact.is_file() or file_sha256(artifact) != meta.get("sha256"):
                raise InputError(artifact, "damaged or missing artifact (size or sha256 differs from its meta file)")
            for path in (artifact, meta_path):
                archive.add(path, arcname=f"{meta['stage']}/{path.name}")
    os.replace(tmp, dest)
    os.chmod(dest, 0o666 & ~current_umask())
    print(f"exported {len(chosen)} entries to {dest}")
    return 0


def _safe_members(archive: tarfile.TarFile, source: Path) -> list[tarfile.TarInfo]:
    """Regular files `<stage>/<name>` only: no links, devices, absolute paths or `..`."""
    members = []
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if not member.isfile() or len(parts) != 2 or any(p in ("", ".", "..") for p in parts) or member.name.startswith("/"):
            raise InputError(source, f"unexpected member '{member.name}' (an export holds only <stage>/<file>)")
        members.append(member)
    return members


def cmd_import(root: Path, source: Path) -> int:
    if not source.is_file():
        raise InputError(source, "no such file (an archive written by python -m xner.cache export)")
    try:
        archive = tarfile.open(source, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise InputError(source, f"not a cache export ({error})") from None
    StageCache(root)  # refuses a root that is a file
    imported = skipped = 0
    with archive, _staging(root) as staging:
        members = _safe_members(archive, source)
        for member in members:
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as handle, open(target, "wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(handle, out)
        checked = []
        for meta, artifact, meta_path in entries(staging):
            if meta_path.parent.name != meta.get("stage"):
                raise InputError(source, f"{meta_path.parent.name}/{meta_path.name}: its meta record names stage '{meta.get('stage')}'")
            if not artifact.is_file():
                raise InputError(source, f"{meta['stage']}/{meta['key']}: the artifact is missing")
            if artifact.stat().st_size != meta.get("size") or file_sha256(artifact) != meta.get("sha256"):
                raise InputError(source, f"{artifact.relative_to(staging)}: size or sha256 differs from its meta record")
            checked.append((meta, artifact, meta_path))
        named = {f"{m['stage']}/{p.name}" for m, a, p in checked} | {f"{m['stage']}/{a.name}" for m, a, p in checked}
        stray = sorted({m.name for m in members} - named)
        if stray:
            raise InputError(source, f"{stray[0]}: not part of any entry (no meta record names it)")
        for meta, artifact, meta_path in checked:
            folder = root / meta["stage"]
            folder.mkdir(parents=True, exist_ok=True)
            if (folder / meta_path.name).is_file() and (folder / artifact.name).is_file():
                skipped += 1
                continue
            for path in (artifact, meta_path):  # the artifact first: the meta file marks the entry finished
                os.chmod(path, 0o666 & ~current_umask())
                os.replace(path, folder / path.name)
            imported += 1
    print(f"imported {imported} entries into {root} ({skipped} already there)")
    return 0


class _staging:
    """A temporary folder inside the cache root (same filesystem: entries move in by rename)."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self) -> Path:
        import tempfile

        self.root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".import-", dir=self.root))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _age(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    try:
        return float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text) * 86400
    except ValueError:
        raise ConfigError(f"--older-than: expected an age such as 30d, 12h or 90m, got '{text}'") from None


def cmd_prune(root: Path, older_than: str | None, stage: str | None, dry_run: bool) -> int:
    if older_than is None and stage is None:
        raise ConfigError("prune needs --older-than AGE and/or --stage NAME (what to remove)")
    limit = time.time() - _age(older_than) if older_than is not None else None
    removed, freed = 0, 0
    for meta, artifact, meta_path in list(entries(root)):
        created = meta.get("created") or meta_path.stat().st_mtime
        if (stage is not None and meta["stage"] != stage) or (limit is not None and created > limit):
            continue
        freed += int(meta.get("size") or 0)
        removed += 1
        if not dry_run:
            meta_path.unlink(missing_ok=True)  # first: an entry without its meta record is no entry
            artifact.unlink(missing_ok=True)
            (artifact.parent / f"{meta['key']}.lock").unlink(missing_ok=True)
    print(f"{'would remove' if dry_run else 'removed'} {removed} entries ({_size(freed)}) from {root}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m xner.cache", description=__doc__.split("\n")[0])
    top.add_argument("--root", type=Path, default=None, help="the stage cache (default: $XNER_CACHE_DIR/stages or "
                     ".cache/xner/stages)")
    commands = top.add_subparsers(dest="command", required=True)
    ls = commands.add_parser("ls", help="stage, key, size, cost (compute seconds) and date of each entry")
    ls.add_argument("--stage")
    export = commands.add_parser("export", help="entries (by key, or a whole stage) into a .tar.gz")
    export.add_argument("keys", nargs="*")
    export.add_argument("--stage")
    export.add_argument("dest", type=Path)
    imp = commands.add_parser("import", help="entries from an export, each checked against its meta record")
    imp.add_argument("source", type=Path)
    prune = commands.add_parser("prune", help="remove entries by age and/or stage")
    prune.add_argument("--older-than")
    prune.add_argument("--stage")
    prune.add_argument("--dry-run", action="store_true")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    root = args.root or default_root()
    try:
        if args.command == "ls":
            return cmd_ls(root, args.stage)
        if args.command == "export":
            if not args.keys and args.stage is None:
                raise ConfigError("export needs KEYS or --stage NAME, then DEST")
            return cmd_export(root, args.keys, args.stage, args.dest)
        if args.command == "import":
            return cmd_import(root, args.source)
        return cmd_prune(root, args.older_than, args.stage, args.dry_run)
    except XnerError as error:
        return report(error)


if __name__ == "__main__":
    sys.exit(main())
