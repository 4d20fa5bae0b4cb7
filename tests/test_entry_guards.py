"""The entry refuses, in one line and before Hydra writes anything, what could run code or write elsewhere:
pickles, function targets (callbacks, logging factories), configs given by -cp/-cn/--config-dir, and output
folders under a regular file."""

from __future__ import annotations

import pickle

import pytest

from tests.conftest import cli_env


class Planted:
    def __reduce__(self):
        import os

        return (os.system, ("touch PLANTED",))


def refused(cli, workdir, args, expected):
    status, _, err = cli(args, workdir, cli_env(workdir))
    assert status == 1 and err.count("\n") == 1 and expected in err, err
    assert not (workdir / "outputs").exists() and not (workdir / "multirun").exists()
    assert not (workdir / "PLANTED").exists() and not (workdir / "written").exists()


def test_experimental_rerun_is_refused_without_unpickling(workdir, cli):
    (workdir / "run.pickle").write_bytes(pickle.dumps(Planted()))
    refused(cli, workdir, ["--experimental-rerun", str(workdir / "run.pickle")], "--experimental-rerun is not supported")


@pytest.mark.parametrize("target", ["xner.io.write_text_atomic", "xner.io.Path", "shutil.copyfile"])
def test_a_callback_target_must_be_an_xner_class(workdir, cli, target):
    refused(cli, workdir, ["lang=de", f"+hydra.callbacks.e._target_={target}", f"+hydra.callbacks.e.path={workdir / 'written'}",
                           "+hydra.callbacks.e.text=x"], "hydra.callbacks.e._target_")


def test_a_logging_factory_from_a_config_dir_must_be_a_logging_class(workdir, cli):
    folder = workdir / "myconf" / "hydra" / "job_logging"
    folder.mkdir(parents=True)
    (folder / "evil.yaml").write_text(
        "version: 1\nformatters:\n  f:\n    (): xner.io.write_text_atomic\n    path: written\n    text: x\n"
        "handlers:\n  h: {class: logging.StreamHandler, formatter: f}\nroot: {handlers: [h]}\n")
    refused(cli, workdir, ["--config-dir", str(workdir / "myconf"), "lang=de", "hydra/job_logging=evil"],
            "hydra.job_logging.formatters.f.()")


def test_a_primary_config_given_by_cp_and_cn_is_vetted_too(workdir, cli):
    (workdir / "other").mkdir()
    (workdir / "other" / "main.yaml").write_text(
        "hydra:\n  callbacks:\n    copy:\n      _target_: shutil.copyfile\n"
        f"      src: {workdir / 'other' / 'main.yaml'}\n      dst: {workdir / 'written'}\n")
    refused(cli, workdir, ["-cp", str(workdir / "other"), "-cn", "main"], "hydra.callbacks.copy._target_: 'shutil.copyfile'")


def test_an_unknown_config_is_refused_in_hydras_words_on_one_line(workdir, cli):
    refused(cli, workdir, ["-cp", str(workdir), "-cn", "nope"], "Cannot find primary config 'nope'")


@pytest.mark.parametrize("key", ["hydra.run.dir", "paths.cache_dir"])
def test_an_output_folder_under_a_regular_file_is_one_line(workdir, cli, key):
    (workdir / "afile").write_text("")
    refused(cli, workdir, ["lang=de", "aligner=ibm1", f"{key}={workdir / 'afile' / 'sub'}"],
            f"{key}: {workdir / 'afile' / 'sub'} is under {workdir / 'afile'}, which is a file")
