"""The style corpus: cleaning, segmentation, users' folders and the fixture files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from drafter.errors import SampleError
from drafter.facts import KINDS
from drafter.resources import data_dir, samples_dir
from drafter.samples import (
    clean_text,
    find_sample,
    import_seed,
    load_corpus,
    load_sample,
    segment,
    split_seed,
)

SAMPLE_FILES = sorted(samples_dir().glob("*.txt"))
NAMES = ["篇一", "篇二", "篇三", "篇四", "篇五"]
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "sample-summaries.txt"
# Written out independently of drafter.samples, so a bug there cannot hide itself here.
HEADING = re.compile(r"^(#+ |[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+、)")
FINAL = tuple("。！？；：…”」）)")
LONG = "为加强对创建全国文明城市工作的领导，着力落实有关创建活动的会议和文件精神，"


def paragraphs(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").strip("\n").split("\n\n")


def bare(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.fixture(scope="module")
def corpus():
    return {s.name: s for s in load_corpus()}


def test_fixtures_are_the_five_samples():
    assert sorted(p.stem for p in SAMPLE_FILES) == sorted(NAMES)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_fixtures_no_paragraph_twice(path):
    seen = [bare(p) for p in paragraphs(path)]
    repeated = {p[:30] for p in seen if seen.count(p) > 1}
    assert not repeated, f"{path.name} repeats: {repeated}"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_fixtures_no_sentence_split_at_page_break(path):
    split = [p for p in paragraphs(path)
             if not p.endswith(FINAL) and not (HEADING.match(p) and len(p) <= 40)]
    assert not split, f"{path.name}: paragraphs cut off mid-sentence: {split}"


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_fixtures_one_paragraph_per_line_blank_line_between(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf") and text.endswith("。\n") and "\n\n\n" not in text
    assert "\r" not in text
    assert all(line == line.strip() for line in text.split("\n"))
    assert not text.startswith("乡镇创建自治区文明城市工作月总结")  # the title line is dropped


def test_import_seed_regenerates_fixtures_byte_for_byte(tmp_path):
    if not SEED.is_file():
        pytest.skip(f"the seed file is not beside the checkout ({SEED})")
    written = import_seed(SEED, tmp_path)
    assert [p.name for p in written] == [f"{n}.txt" for n in NAMES]
    for path in written:
        assert path.read_bytes() == (samples_dir() / path.name).read_bytes(), path.name


def test_import_seed_errors_are_sample_errors(tmp_path):
    with pytest.raises(SampleError, match="不存在"):
        import_seed(tmp_path / "missing.txt", tmp_path / "out")
    seed = tmp_path / "seed.txt"
    seed.write_text("只有一段话，没有标题行。\n", encoding="utf-8")
    with pytest.raises(SampleError, match="没有找到范文标题行") as err:
        import_seed(seed, tmp_path / "out")
    assert str(seed) in str(err.value)
    assert not (tmp_path / "out").exists()


def test_samples_import_cli_writes_files_and_refuses_overwrite(run, tmp_path):
    seed = tmp_path / "seed file.txt"
    seed.write_text("网站导语。\n\n某某总结篇一\n\n第一篇正文。\n\n某某总结篇二\n\n第二篇正文。\n", encoding="utf-8")
    out = tmp_path / "my samples"
    result = run("samples", "import", seed, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "篇二.txt").read_text(encoding="utf-8") == "第二篇正文。\n"
    (out / "篇一.txt").write_text("编辑过的范文。\n", encoding="utf-8")
    result = run("samples", "import", seed, "-o", out)
    assert result.exit_code == 2
    assert "--force" in result.stderr and "篇一.txt" in result.stderr
    assert (out / "篇一.txt").read_text(encoding="utf-8") == "编辑过的范文。\n"
    result = run("samples", "import", seed, "-o", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "篇一.txt").read_text(encoding="utf-8") == "第一篇正文。\n"


def test_split_seed_drops_preamble_and_title_lines():
    if not SEED.is_file():
        pytest.skip(f"the seed file is not beside the checkout ({SEED})")
    parts = split_seed(SEED.read_text(encoding="utf-8"))
    assert [name for name, _ in parts] == NAMES
    assert parts[0][1].startswith("为贯彻落实")
    assert not any("工作月总结篇" in text or "什么样的总结" in text for _, text in parts)


def test_split_seed_rejects_a_name_used_twice():
    with pytest.raises(SampleError, match="篇一"):
        split_seed("总结篇一\n\n正文。\n\n总结篇一\n\n正文二。\n")


def test_clean_text_joins_page_break_splits():
    text = LONG + "负责创建工作的组织、\n\n开展、督查等具体工作。\n\n" + LONG + "一手抓文明的创建理\n\n念。\n"
    assert clean_text(text) == (LONG + "负责创建工作的组织、开展、督查等具体工作。\n\n"
                                + LONG + "一手抓文明的创建理念。")


def test_clean_text_keeps_headings_and_short_lines_apart():
    text = ("一、加强领导，强化宣传\n\n我镇高度重视。\n\n存在的问题\n\n经费不足。\n\n"
            "1、以校园安全为主的整治\n\n开展整治。")
    assert clean_text(text).split("\n\n") == [
        "一、加强领导，强化宣传", "我镇高度重视。", "存在的问题", "经费不足。", "1、以校园安全为主的整治", "开展整治。"]


def test_clean_text_drops_character_repeated_at_the_break():
    assert clean_text(LONG + "又扎扎实实\n\n实，获得了好评。") == LONG + "又扎扎实实，获得了好评。"
    # A doubled character is ordinary Chinese and stays.
    assert clean_text(LONG + "人\n\n人皆知。") == LONG + "人人皆知。"


def test_clean_text_drops_a_repeated_passage_even_when_page_broken_differently():
    body = "一、加强领导\n\n" + LONG + "确保落到实处。\n\n二、美化环境\n\n环境明显改善。"
    broken = body.replace("确保落到", "确保\n\n落到")
    assert clean_text(body + "\n\n" + broken) == clean_text(body)
    assert clean_text(body).count("\n\n") == 3


def test_clean_text_keeps_a_repeated_heading_over_new_text():
    text = "一、宣传工作\n\n1、工作措施\n\n召开大会。\n\n二、环境整治\n\n1、工作措施\n\n清理垃圾。"
    assert clean_text(text).count("1、工作措施") == 2


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_clean_text_is_stable_on_clean_text(path):
    text = path.read_text(encoding="utf-8").strip("\n")
    assert clean_text(text) == text


def test_clean_text_keeps_wording_typos_and_placeholders(corpus):
    assert "10份，又集中开展" in corpus["篇三"].text
    assert "以来□xx县xx镇" in corpus["篇二"].text
    assert corpus["篇四"].text.startswith("20××年")
    assert "以**县创建第四届**省" in corpus["篇三"].text
    assert "总之□20xx年" in corpus["篇五"].text


def test_load_corpus_builtin_order_and_duplicates(corpus):
    samples = load_corpus()
    assert [s.name for s in samples] == NAMES
    assert {s.name: s.duplicate_of for s in samples} == {
        "篇一": None, "篇二": None, "篇三": None, "篇四": "篇三", "篇五": None}


EXPECTED_KINDS = {
    "篇一": ["intro"] + ["work"] * 4 + ["problems", "plans"],
    "篇二": ["intro"] + ["work"] * 5 + ["closing"],
    "篇三": ["intro"] + ["work"] * 7 + ["problems", "plans"],
    "篇四": ["intro"] + ["work"] * 7 + ["problems", "plans"],
    "篇五": ["intro"] + ["work"] * 10 + ["closing"],
}


@pytest.mark.parametrize("name", NAMES)
def test_segment_section_kinds(corpus, name):
    sections = corpus[name].sections
    assert len(sections) >= 4
    assert [s.kind for s in sections] == EXPECTED_KINDS[name]
    assert [s.index for s in sections] == list(range(len(sections)))


@pytest.mark.parametrize("name", NAMES)
def test_segment_sections_cover_the_whole_sample_once(corpus, name):
    sample = corpus[name]
    pieces = []
    for s in sample.sections:
        pieces += ([s.heading] if s.heading else []) + s.text.split("\n")
    assert pieces == sample.text.split("\n\n")


@pytest.mark.parametrize("name", NAMES)
def test_segment_titles_and_lines(corpus, name):
    sample = corpus[name]
    lines = sample.path.read_text(encoding="utf-8").split("\n")
    for s in sample.sections:
        assert 2 <= len(s.title) <= 20 and not s.title.endswith("。"), s
        assert lines[s.line - 1] == (s.heading or s.text.split("\n")[0])
        assert s.chars == len(bare(s.text)) > 0


def test_segment_headed_sample_pian_er(corpus):
    sections = corpus["篇二"].sections
    first = sections[1]
    assert (first.title, first.kind) == ("加强领导，强化宣传，确保创建工作落到实处", "work")
    assert first.heading == "一、加强领导，强化宣传，确保创建工作落到实处"
    assert "（三）强化宣传，营造浓厚的创建氛围。" in first.text  # sub-headings stay inside
    assert sections[-1].text.startswith("创建工作是一项长期的任务")


def test_segment_numbered_headings_pian_san(corpus):
    titles = [s.title for s in corpus["篇三"].sections if s.heading]
    assert titles == ["以“治理乱扔垃圾”为主的环境卫生整治", "以“治理行人乱穿马路”为主的交通秩序整治",
                      "以“改善出行环境”为主的客运秩序整治", "以“校园安全”为主的校园周边环境整治"]
    quality = corpus["篇三"].sections[7]
    assert quality.text.startswith("为了提高村民城市意识") and "\n同时，深入开展" in quality.text


def test_segment_enumerations_pian_yi(corpus):
    sections = corpus["篇一"].sections
    measures, problems, plans = sections[4], sections[5], sections[6]
    assert measures.text.startswith("对照县文明办") and "\n五是抓好精神文明创建活动" in measures.text
    assert problems.text.startswith("一是思想认识有待加强") and "\n五是环境卫生问题" in problems.text
    assert plans.text.startswith("针对以上问题") and plans.text.endswith("更好地提高居民生活质量。")


def test_segment_text_without_headings_or_lists():
    sections = segment("为做好工作，现总结如下：\n\n今年开展了宣传。\n\n总之，成绩不小。")
    assert [(s.kind, s.title, s.heading, s.line) for s in sections] == [
        ("intro", "做好工作", None, 1), ("work", "今年开展了宣传", None, 3), ("closing", "成绩不小", None, 5)]


def test_load_sample_markdown_and_gbk_folder(tmp_path):
    (tmp_path / "芦洲乡.md").write_text(
        "# 芦洲乡2018年创建工作总结\n\n2018年，我乡扎实推进创建工作。现总结如下：\n\n"
        "## 一、加强组织领导\n\n" + LONG + "成立了领导\n\n小组。\n\n## 二、存在的问题\n\n经费不足。\n\n"
        "## 三、下一步打算\n\n继续加大投入。\n", encoding="utf-8")
    (tmp_path / "某镇.txt").write_bytes(
        "我镇扎实推进创建工作，现总结如下：\n\n一、强化领导\n\n成立领导小组。\n\n二、存在问题\n\n经费不足。\n".encode("gbk"))
    (tmp_path / "说明.docx").write_bytes(b"PK\x03\x04")  # not a sample: ignored
    samples = {s.name: s for s in load_corpus(tmp_path)}
    assert sorted(samples) == ["某镇", "芦洲乡"]
    md = samples["芦洲乡"]
    assert [(s.kind, s.title) for s in md.sections] == [
        ("intro", "我乡扎实推进创建工作"), ("work", "加强组织领导"), ("problems", "存在的问题"),
        ("plans", "下一步打算")]
    assert md.sections[1].heading == "## 一、加强组织领导" and md.sections[1].line == 5
    assert md.sections[1].text.endswith("成立了领导小组。")
    gbk = samples["某镇"]
    assert gbk.encoding == "gb18030" and gbk.duplicate_of is None
    assert [s.title for s in gbk.sections] == ["我镇扎实推进创建工作", "强化领导", "存在问题"]


def test_load_sample_rejects_binary_file(tmp_path):
    path = tmp_path / "坏文件.txt"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(SampleError, match="二进制"):
        load_sample(path)


def test_load_corpus_sorts_by_numeral_and_flags_copies(tmp_path):
    text = (samples_dir() / "篇一.txt").read_text(encoding="utf-8")
    for name in ("篇十", "篇二", "篇一"):
        (tmp_path / f"{name}.txt").write_text(text.replace("65人", f"{len(name)}人"), encoding="utf-8")
    (tmp_path / "篇三.txt").write_text((samples_dir() / "篇二.txt").read_text(encoding="utf-8"), encoding="utf-8")
    samples = load_corpus(tmp_path)
    assert [s.name for s in samples] == ["篇一", "篇二", "篇三", "篇十"]
    assert [s.duplicate_of for s in samples] == [None, "篇一", None, "篇一"]


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "不存在", "范文文件夹不存在"),
    (lambda d: d, "范文文件夹里没有 .txt 或 .md 文件"),
    (lambda d: (d / "a.txt").write_text("正文。", encoding="utf-8") and d / "a.txt", "不是文件夹"),
])
def test_load_corpus_bad_folder_raises_chinese_error(tmp_path, make, message):
    folder = make(tmp_path)
    with pytest.raises(SampleError) as err:
        load_corpus(folder)
    assert message in str(err.value) and str(folder) in str(err.value)
    assert err.value.exit_code == 2


def test_find_sample_by_name_or_file_name_and_error_lists_names(corpus):
    samples = load_corpus()
    assert find_sample(samples, "篇三").name == "篇三"
    assert find_sample(samples, "篇三.txt").name == "篇三"
    with pytest.raises(SampleError) as err:
        find_sample(samples, "篇六")
    assert "没有名为“篇六”的范文" in str(err.value) and "篇一、篇二、篇三、篇四、篇五" in str(err.value)


FACT_FILES = sorted((data_dir("fixtures") / "facts").glob("*.yaml"))


def test_facts_one_file_per_sample():
    assert sorted(p.stem for p in FACT_FILES) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_facts_every_arabic_number_of_the_sample_is_in_its_facts_file(name):
    sample = (samples_dir() / f"{name}.txt").read_text(encoding="utf-8")
    facts = (data_dir("fixtures") / "facts" / f"{name}.yaml").read_text(encoding="utf-8")
    # Digits followed by x/× are placeholders ("20xx年"), not numbers.
    numbers = {m.group() for m in re.finditer(r"\d+(?:\.\d+)?(?![\d.xX×])", sample)}
    assert numbers, name
    missing = sorted(n for n in numbers if n not in facts)
    assert not missing, f"{name}: numbers missing from the facts file: {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_facts_sections_match_the_sample_kinds(corpus, name):
    data = yaml.safe_load((data_dir("fixtures") / "facts" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert {"unit", "period", "campaign", "sections"} <= set(data)
    ids = [s["id"] for s in data["sections"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9_-]+", i) for i in ids)
    kinds = [s.get("kind", "work") for s in data["sections"]]
    assert set(kinds) <= set(KINDS)
    assert set(kinds) == {s.kind for s in corpus[name].sections}
    assert all(s["facts"] and all(isinstance(f, str) and f for f in s["facts"]) for s in data["sections"])


def test_segment_long_closing_after_a_single_heading():
    closing = "总之，" + "我们取得了一定的成效，但与群众的要求相比还有差距，" * 6 + "我们将继续努力。"
    sections = segment("现总结如下：\n\n一、强化领导\n\n成立领导小组。\n\n" + closing)
    assert [(s.kind, s.heading) for s in sections] == [
        ("intro", None), ("work", "一、强化领导"), ("closing", None)]
    assert sections[-1].text == closing


def test_segment_markdown_bold_headings_but_not_placeholders():
    sections = segment("现总结如下：\n\n**一、强化领导**\n\n以**县为主，成立领导小组。\n\n"
                       "**二、存在问题**\n\n经费不足。")
    assert [(s.kind, s.title) for s in sections] == [
        ("intro", "现总结如下"), ("work", "强化领导"), ("problems", "存在问题")]
    assert sections[1].text == "以**县为主，成立领导小组。"
