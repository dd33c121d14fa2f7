from pathlib import Path

import pytest

from mockinterview.packs.loader import PackLoadError, load_pack, load_pack_dir


def test_bundled_pack_loads():
    pack = load_pack("data-scientist")
    assert pack.id == "data-scientist"
    assert pack.content_hash and len(pack.content_hash) == 64
    assert pack.questions


def _copy_pack(tmp_path: Path) -> Path:
    import shutil

    from mockinterview.resources import rubrics_dir

    dst = tmp_path / "pack"
    shutil.copytree(rubrics_dir() / "data-scientist", dst)
    return dst


def test_every_problem_is_reported_with_file_and_location(tmp_path):
    pack_dir = _copy_pack(tmp_path)
    basic = pack_dir / "questions" / "basic.toml"
    text = basic.read_text()
    text = text.replace('topic = "Problem framing"', 'topicc = "Problem framing"', 1)
    text = text.replace('round = "basic"', 'round = "basics"', 1)
    basic.write_text(text)
    with pytest.raises(PackLoadError) as info:
        load_pack_dir(pack_dir)
    rendered = str(info.value)
    assert "questions/basic.toml: questions[0].topicc" in rendered
    assert "questions/basic.toml: questions[0].round" in rendered
    assert "questions/basic.toml: questions[0].topic" in rendered  # missing field also reported


def test_invalid_toml_names_the_file(tmp_path):
    pack_dir = _copy_pack(tmp_path)
    (pack_dir / "mistakes.toml").write_bytes(b"[[mistakes]\nid = ")
    with pytest.raises(PackLoadError) as info:
        load_pack_dir(pack_dir)
    assert "mistakes.toml: invalid TOML" in str(info.value)


def test_binary_file_is_a_clear_error(tmp_path):
    pack_dir = _copy_pack(tmp_path)
    (pack_dir / "questions" / "junk.toml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(PackLoadError) as info:
        load_pack_dir(pack_dir)
    assert "questions/junk.toml" in str(info.value)
    assert "UTF-8" in str(info.value)
