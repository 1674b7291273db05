"""datasets.py - an offline stand-in for the `datasets` package (Hugging Face).

llama.cpp's in-tree Python clients (tools/server/bench/speed-bench,
examples/llama-eval) import `datasets` to fetch their prompts from the
Hugging Face hub. Neither the package (not in Debian 12; PyPI is not
reachable here) nor the hub is available, so vs-llama-clients.sh puts this
folder first on PYTHONPATH: the clients' own request, timing and summary
code runs unchanged, and only the loading of rows is replaced by a local
JSON file that the script generated (the same prompts benchai is given).

    BENCHAI_OFFLINE_ROWS=FILE   {"<repo>": {"<config>": [row, ...]}, ...}

Only what those clients call is provided: get_dataset_config_names(repo)
and load_dataset(repo, name=None, split=..., cache_dir=...), whose result
iterates over rows (dicts) and gives a column with dataset["column"].
"""
import json
import os

__version__ = "0-offline"


def _rows():
    path = os.environ.get("BENCHAI_OFFLINE_ROWS")
    if not path:
        raise RuntimeError("offline datasets: BENCHAI_OFFLINE_ROWS is not set")
    with open(path) as f:
        return json.load(f)


class Dataset:
    def __init__(self, rows):
        self._rows = rows

    def __iter__(self):
        return iter(self._rows)

    def __len__(self):
        return len(self._rows)

    def __getitem__(self, key):
        if isinstance(key, str):
            return [row.get(key) for row in self._rows]
        return self._rows[key]


def get_dataset_config_names(repo, **kwargs):
    return list(_rows().get(repo, {}).keys())


def load_dataset(repo, name=None, split=None, **kwargs):
    configs = _rows().get(repo)
    if not configs:
        raise FileNotFoundError(f"offline datasets: no rows for {repo}")
    key = name if name is not None else next(iter(configs))
    if key not in configs:
        raise ValueError(f"offline datasets: {repo} has no config {key!r}")
    return Dataset(configs[key])
