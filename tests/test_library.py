import pickle

import pytest

from cleaner import ConfigError, InputError, Pipeline, clean_text
from cleaner.config import find_config, load_config


def test_clean_text_default():
    assert clean_text("建立健全领导小 组指挥长负责制。") == "建立健全领导小组指挥长负责制。"


def test_pipeline_pickles_after_use_and_gives_same_result():
    pipe = Pipeline({"layout": {"join_wrapped": False}})
    record = {"id": "a", "text": "彭水 县制定了方案。", "url": "u"}
    before = pipe.clean(record)
    clone = pickle.loads(pickle.dumps(pipe))
    assert clone.clean(record) == before
    assert before["url"] == "u" and before["text"] == "彭水县制定了方案。"


def test_run_streams_records():
    out = list(Pipeline().run({"id": str(i), "text": f"第{i} 段。"} for i in range(3)))
    assert [r["id"] for r in out] == ["0", "1", "2"]


def test_record_errors():
    with pytest.raises(InputError, match="no 'text' field"):
        Pipeline().clean({"body": "x"})
    with pytest.raises(InputError, match="not a string"):
        Pipeline().clean({"text": 3})


def test_config_found_in_pyproject_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.cleaner.layout]\nenabled = false\n")
    (tmp_path / "data" / "sub").mkdir(parents=True)
    assert find_config(tmp_path / "data" / "sub") == tmp_path / "pyproject.toml"
    cfg = load_config(search_from=tmp_path / "data" / "sub")
    assert "layout" not in cfg.enabled
    assert Pipeline(cfg).clean_text("领导小 组。") == "领导小 组。"


def test_bad_config_values_name_key(tmp_path):
    with pytest.raises(ConfigError, match="layout.heading_max must be a int"):
        Pipeline({"layout": {"heading_max": "long"}})
    with pytest.raises(ConfigError, match="unknown key or pass 'layot'"):
        Pipeline({"layot": {}})
    bad = tmp_path / "cleaner.toml"
    bad.write_text("passes = [\n")
    with pytest.raises(ConfigError, match=r"cleaner.toml:\d+: invalid TOML"):
        load_config(bad)
