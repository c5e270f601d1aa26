"""Every kind of bad or unusual input: a useful result or one clear line, never a traceback or a hang."""
import json
import os

import pytest
from conftest import seed

FEATURE = seed("000").split("去年全国海关实施知识产权保护措施5.32万次")[1].split("2024年新疆授权专利超2万件")[0]


def records(out: str):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def run_file(run_cli, path, *extra):
    return run_cli("run", str(path), "--engine", "extractive", "--to", "none", *extra)


def assert_one_line_error(code, err, needle):
    assert code != 0
    lines = [ln for ln in err.splitlines() if ln.startswith("bisum: error")]
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "name,data,needle",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t \n", "empty"),
        ("noise.bin", bytes(range(256)) * 20, "not text"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(100), "PNG"),
        ("punct.txt", "。。。！！！，，，……——？？？!!!...".encode(), "no Chinese or English text"),
    ],
)
def test_unusable_inputs_give_one_line_errors(tmp_path, run_cli, name, data, needle):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run_file(run_cli, path)
    assert_one_line_error(code, err, needle)
    assert out == ""


def test_oversize_input_is_refused(tmp_path, run_cli):
    path = tmp_path / "big.txt"
    path.write_text(("知识产权保护。" * 200 + "\n") * 760, encoding="utf-8")  # about 3 MB
    code, _, err = run_file(run_cli, path)
    assert_one_line_error(code, err, "over the size limit")


def test_missing_file(run_cli):
    code, _, err = run_file(run_cli, "/nonexistent/article.txt")
    assert_one_line_error(code, err, "no such file")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encodings(tmp_path, run_cli, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(FEATURE.encode(encoding))
    code, out, err = run_file(run_cli, path)
    assert code == 0, err
    (rec,) = records(out)
    assert rec["source_lang"] == "zh" and "5.32万次" in rec["text"]


def test_html_page(tmp_path, run_cli):
    paras = "".join(f"<p>{p}</p>" for p in FEATURE.split("\n\n") if p.strip())
    html = (
        "<!doctype html><html><head><title>去年全国海关实施知识产权保护措施5.32万次</title></head><body>"
        "<nav>首页 &gt; 新闻</nav><article><h1>去年全国海关实施知识产权保护措施5.32万次</h1>"
        f"{paras}</article><footer>版权所有 © 2025 未经授权不得转载</footer><script>var x=1;</script></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    code, out, err = run_file(run_cli, path)
    assert code == 0, err
    (rec,) = records(out)
    assert rec["title"] == "去年全国海关实施知识产权保护措施5.32万次"
    assert "var x" not in rec["text"] and "版权所有" not in rec["text"]
    assert rec["summary"]


def test_traditional_chinese(tmp_path, run_cli):
    import opencc

    path = tmp_path / "trad.txt"
    path.write_text(opencc.OpenCC("s2t").convert(FEATURE), encoding="utf-8")
    code, out, _ = run_file(run_cli, path)
    (rec,) = records(out)
    assert code == 0 and rec["script"] == "Hant" and rec["source_lang"] == "zh" and rec["summary"]


def test_control_zero_width_and_bidi_characters(tmp_path, run_cli):
    path = tmp_path / "ctrl.txt"
    path.write_text("\x1b[31m国家知识产权局\x1b[0m\u200b发布\u202e通知\x00。\n\n" + FEATURE.replace("。", "。\u200d\u2066"), encoding="utf-8")
    code, out, _ = run_file(run_cli, path)
    (rec,) = records(out)
    assert code == 0
    assert not any(ch in rec["text"] for ch in "\x1b\u200b\u202e\x00\u200d\u2066")
    assert rec["text"].startswith("国家知识产权局发布通知。")
    assert any(r["reason"] == "invisible-character" for r in rec["removed"])


def test_sentence_of_7000_characters_without_full_stop(tmp_path, run_cli):
    path = tmp_path / "long.txt"
    path.write_text("知识产权保护工作持续推进，" * 540, encoding="utf-8")
    code, out, _ = run_file(run_cli, path)
    (rec,) = records(out)
    assert code == 0 and 0 < len(rec["summary"]) < 1000


def test_mixed_chinese_english(tmp_path, run_cli):
    path = tmp_path / "mixed.txt"
    path.write_text("DeepSeek released its R1 model in January 2025, drawing global attention. "
                    "国家知识产权局随后驳回了63件抢注“DEEPSEEK”的商标注册申请。The move was welcomed by the AI industry. "
                    "专家表示，这体现了打击商标恶意注册的决心。", encoding="utf-8")
    code, out, _ = run_file(run_cli, path)
    (rec,) = records(out)
    assert code == 0 and rec["source_lang"] == "mixed" and rec["summary"]


def test_jsonl_and_stdin(tmp_path, run_cli, monkeypatch):
    import io
    import sys

    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"a{i}", "text": FEATURE}, ensure_ascii=False) for i in range(3)) + "\n", encoding="utf-8")
    code, out, _ = run_file(run_cli, path)
    assert code == 0 and [r["id"] for r in records(out)] == ["a0", "a1", "a2"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FEATURE.encode("gbk"))))
    code, out, _ = run_file(run_cli, "-")
    assert code == 0 and records(out)[0]["id"] == "stdin"


def test_bad_file_in_a_folder_does_not_stop_the_batch(tmp_path, run_cli):
    (tmp_path / "good.txt").write_text(FEATURE, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    out_file = tmp_path / "out" / "r.jsonl"
    code, _, err = run_cli("run", str(tmp_path), "--engine", "extractive", "--to", "none", "--out", str(out_file))
    recs = records(out_file.read_text("utf-8"))
    assert code == 1 and "PNG" in err and "Traceback" not in err
    assert {r["id"] for r in recs} == {"good", "bad"} and next(r for r in recs if r["id"] == "bad")["error"]


def test_unknown_option_is_a_usage_error(run_cli):
    code, _, err = run_cli("run", "x.txt", "--engine", "nonsense")
    assert code == 2 and "Traceback" not in err
