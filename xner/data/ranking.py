"""Zero-shot transfer rankings of source languages per target (the MasakhaNER 2.0 authors' `all_lang_ranks.csv`):
read from the CSV, carried as data in the lang configs (`lang.transfer_ranking`), and the best-ranked of a pool.

    python -m xner.data.ranking ../shared/data/masakhaner2/transfer_ranks.csv --write conf/lang   # refresh the configs
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from pathlib import Path
from typing import Mapping, Sequence

from xner.errors import InputError

SOURCE = "masakhane-io/masakhane-ner MasakhaNER2.0/ranking_languages/ranking_data/all_lang_ranks.csv (CC-BY-NC-4.0)"


def read_ranks(path: str | Path, codes: Mapping[str, str] | None = None) -> dict[str, dict[str, float]]:
    """{target: {source: rank}} (1 = best source for that target; the 0 diagonal dropped). Rows are source
    languages, columns targets, as ISO 639-3 codes; `codes` renames them to framework ids (eng -> en)."""
    codes = codes or {}
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or len(rows[0]) < 2 or rows[0][0].strip():
        raise InputError(path, "expected a header row ',<target>,<target>,...' (rows: source languages)", 1)
    targets = [codes.get(t.strip(), t.strip()) for t in rows[0][1:]]
    ranks: dict[str, dict[str, float]] = {t: {} for t in targets}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(targets) + 1:
            raise InputError(path, f"{len(row) - 1} values for {len(targets)} target columns", number)
        source = codes.get(row[0].strip(), row[0].strip())
        for target, cell in zip(targets, row[1:]):
            try:
                rank = float(cell)
            except ValueError:
                raise InputError(path, f"rank of source '{source}' for target '{target}' is not a number: {cell!r}", number) from None
            if not math.isfinite(rank) or rank < 0:
                raise InputError(path, f"rank of source '{source}' for target '{target}' must be >= 0, got {cell!r}", number)
            if source != target and rank > 0:
                ranks[target][source] = rank
    return {t: dict(sorted(r.items(), key=lambda item: (item[1], item[0]))) for t, r in ranks.items()}


def best_ranked(ranks: Mapping[str, float], pool: Sequence[str], k: int | None, exclude: Sequence[str] = ()) -> list[str]:
    """The `k` best-ranked languages of `pool` (all of them for k=None), best first; ties by name. Languages of the
    pool the ranking does not hold come last, in pool order (a ranking that omits a language says nothing of it)."""
    candidates = [lang for lang in dict.fromkeys(pool) if lang not in exclude]
    ranked = sorted((lang for lang in candidates if lang in ranks), key=lambda lang: (float(ranks[lang]), lang))
    ordered = ranked + [lang for lang in candidates if lang not in ranks]
    return ordered if k is None else ordered[:k]


BLOCK = re.compile(r"\n# Zero-shot transfer ranking.*?\ntransfer_ranking:[^\n]*\n(?:  [^\n]*\n)*", re.S)


def config_block(ranks: Mapping[str, float]) -> str:
    """The lang-config lines that carry one target's ranking."""
    body = ", ".join(f"{lang}: {rank:g}" for lang, rank in ranks.items())
    return ("\n# Zero-shot transfer ranking of source languages for this target (1 = best), from the MasakhaNER 2.0 authors;\n"
            "# picks teachers and the best source (experiment.ranked_teachers, ...). Written by `python -m xner.data.ranking`.\n"
            f"transfer_ranking:\n  source: {SOURCE}\n  ranks: {{{body}}}\n")


def write_configs(ranks: Mapping[str, Mapping[str, float]], folder: Path) -> list[str]:
    """Put (or replace) each target's block in `folder/<target>.yaml` where that config exists; returns the targets written."""
    written = []
    for target, order in ranks.items():
        path = folder / f"{target}.yaml"
        if not path.is_file():
            continue
        text = BLOCK.sub("", path.read_text(encoding="utf-8")).rstrip("\n") + "\n"
        path.write_text(text + config_block(order), encoding="utf-8")
        written.append(target)
    return written


def lang_codes(folder: Path) -> dict[str, str]:
    """ISO 639-3 code -> framework id, from the lang configs' `iso639_3` fields (deu -> de)."""
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        match = re.search(r"^iso639_3:\s*(\w+)", path.read_text(encoding="utf-8"), re.M)
        if match and match.group(1) != path.stem:
            found[match.group(1)] = path.stem
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="all_lang_ranks.csv (../shared/data/masakhaner2/transfer_ranks.csv)")
    parser.add_argument("--write", type=Path, metavar="CONF_LANG", help="rewrite the transfer_ranking of each target's lang config here")
    args = parser.parse_args(argv)
    codes = lang_codes(args.write) if args.write else {}
    ranks = read_ranks(args.csv, codes)
    if args.write:
        print("wrote", " ".join(write_configs(ranks, args.write)))
    else:
        for target, order in ranks.items():
            print(target, " ".join(list(order)[:5]))


if __name__ == "__main__":
    main()
