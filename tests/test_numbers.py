"""Number mentions: every numeral form of issue 3, what is ignored and why, placeholders."""

from __future__ import annotations

import pytest

from drafter.check.mentions import extract_mentions, find_placeholders
from drafter.check.not_quantities import lexicon


def claims(text: str):
    return [m for m in extract_mentions(text) if m.ignored is None]


def only_claim(text: str):
    found = claims(text)
    assert len(found) == 1, [(m.text, m.kind) for m in found]
    return found[0]


# (text, mention text, value, unit, kind)
FORMS = [
    ("志愿服务队伍共计65人", "65人", 65, "人", "count"),
    ("全角数字６５人", "６５人", 65, "人", "count"),
    ("得分85.5分", "85.5分", 85.5, "分", "measure"),
    ("发放资料1,200份", "1,200份", 1200, "份", "count"),
    ("共计六十五人", "六十五人", 65, "人", "count"),
    ("两千三百人次", "两千三百人次", 2300, "人次", "count"),
    ("一万二千人", "一万二千人", 12000, "人", "count"),
    ("二〇一七年", "二〇一七年", 2017, "年", "date"),
    ("覆盖3.5万人", "3.5万人", 3.5, "万人", "count"),
    ("总投资1.2亿元", "1.2亿元", 1.2, "亿元", "money"),
    ("投入资金12.5万元", "12.5万元", 12.5, "万元", "money"),
    ("投入十二点五万元", "十二点五万元", 12.5, "万元", "money"),
    ("参与率85%", "85%", 85, "%", "percent"),
    ("参与率85％", "85％", 85, "％", "percent"),
    ("参与率百分之八十五", "百分之八十五", 85, "%", "percent"),
    ("占百分之一点四", "百分之一点四", 1.4, "%", "percent"),
    ("提高3个百分点", "3个百分点", 3, "个百分点", "percent"),
    ("九成以上", "九成以上", (9, None), "成", "percent"),
    ("新建宣传栏7个", "7个", 7, "个", "count"),
    ("召开动员大会两次", "两次", 2, "次", "count"),
    ("为期5个月", "5个月", 5, "个月", "duration"),
    ("累计184小时", "184小时", 184, "小时", "duration"),
    ("连续举办四届", "四届", 4, "届", "count"),
    ("增长2倍", "2倍", 3, "倍", "multiple"),  # a factor: grown by 2 times is 3 times the base
    ("是上年的2倍", "2倍", 2, "倍", "multiple"),
]


@pytest.mark.parametrize("text, shown, value, unit, kind", FORMS, ids=[f[1] for f in FORMS])
def test_extract_numeral_forms(text, shown, value, unit, kind):
    m = only_claim(text)
    assert (m.text, m.unit, m.kind) == (shown, unit, kind)
    assert text[m.start:m.end] == m.text
    assert m.value == value


def test_extract_fraction_three_parts_one():
    m = only_claim("占三分之一")
    assert (m.text, m.kind) == ("三分之一", "fraction")
    assert m.value == pytest.approx(1 / 3)


# (text, mention text, (low, high), approx word)
RANGES = [
    ("建成3至5个", "3至5个", (3, 5), None),
    ("开展三四次", "三四次", (3, 4), None),
    ("五六十人", "五六十人", (50, 60), None),
    ("宣讲10余场", "10余场", (10, 20), "余"),
    ("劝导车辆45多辆", "45多辆", (45, 46), "多"),
    ("百余人参加", "百余人", (100, 200), "余"),
    ("近百人参加", "近百人", (80, 100), "近"),
    ("约300人参加", "约300人", (250, 350), "约"),
    ("300人以上参加", "300人以上", (300, None), "以上"),
    ("不足10个", "不足10个", (0, 10), "不足"),
    ("十几个", "十几个", (10, 20), "几"),
    ("数十人", "数十人", (20, 100), "数"),
    ("1万余人", "1万余人", (1, 2), "余"),
    ("三个多月", "三个多月", (3, 4), "多"),
    ("投入10余万元", "10余万元", (10, 20), "余"),   # the magnitude after the approximation word
    ("知晓率达到百分之九十五以上", "百分之九十五以上", (95, None), "以上"),
    ("覆盖率90%及以上", "90%及以上", (90, None), "以上"),
    ("安全感不低于98%", "不低于98%", (98, None), "不低于"),
]


@pytest.mark.parametrize("text, shown, interval, word", RANGES, ids=[r[1] for r in RANGES])
def test_extract_ranges_and_approximations(text, shown, interval, word):
    m = only_claim(text)
    assert m.text == shown
    assert m.approx == word
    assert tuple(m.value) == pytest.approx(interval) if None not in interval else m.value == interval


@pytest.mark.parametrize("text, shown, value, unit", [
    ("东湖镇第五届群众文化艺术节", "第五届", 5, "届"),
    ("入选第3批", "第3批", 3, "批"),
    ("位居全县第一", "第一", 1, None),
])
def test_extract_ordinals(text, shown, value, unit):
    m = only_claim(text)
    assert (m.text, m.value, m.unit, m.kind) == (shown, value, unit, "ordinal")


# (text, mention text, parts)
DATES = [
    ("2017年，我乡", "2017年", (("年", 2017),)),
    ("12月2日举行", "12月2日", (("月", 12), ("日", (2, 2)))),
    ("十二月二日举行", "十二月二日", (("月", 12), ("日", (2, 2)))),
    ("预计8月中下旬开幕", "8月中下旬", (("月", 8), ("日", (11, 31)))),
    ("至12月末", "12月末", (("月", 12), ("日", (21, 31)))),
    ("从6月份开始", "6月份", (("月", 6),)),
    ("上午9时", "上午9时", (("时", 9),)),
    ("下午14时", "下午14时", (("时", 14),)),
    ("下午2时", "下午2时", (("时", 14),)),
    ("2017年12月2日下午3时30分", "2017年12月2日下午3时30分",
     (("年", 2017), ("月", 12), ("日", (2, 2)), ("时", 15.5))),
    ("2017-12-02", "2017-12-02", (("年", 2017), ("月", 12), ("日", (2, 2)))),
]


@pytest.mark.parametrize("text, shown, parts", DATES, ids=[d[1] for d in DATES])
def test_extract_dates_and_times(text, shown, parts):
    m = only_claim(text)
    assert m.text == shown
    assert m.kind in ("date", "time")
    assert m.parts == parts


@pytest.mark.parametrize("text, kind", [("为期5个月", "duration"), ("经过5年的努力", "duration"),
                                        ("2017年", "date"), ("5月", "date")])
def test_extract_years_and_months_by_sense(text, kind):
    assert only_claim(text).kind == kind


@pytest.mark.parametrize("text, shown, value, unit", [
    ("启动为期半年的专项行动", "半年", 0.5, "年"),
    ("半个月内完成整改", "半个月", 0.5, "个月"),
    ("历时一年半", "一年半", 1.5, "年"),
    ("启动为期一年的专项行动", "一年", 1, "年"),      # framed: a length of time, not an article
])
def test_extract_framed_durations(text, shown, value, unit):
    m = only_claim(text)
    assert (m.text, m.value, m.unit, m.kind) == (shown, value, unit, "duration")


@pytest.mark.parametrize("text", ["上半年完成", "召开半年工作会议", "经过一年的努力", "近半年来"])
def test_extract_half_and_one_year_that_are_not_lengths(text):
    assert not claims(text), [m.text for m in claims(text)]


def test_extract_minutes_fold_into_the_clock_hour():
    assert only_claim("上午8时30分开始").parts == only_claim("上午8:30开始").parts == (("时", 8.5),)


def test_extract_recent_years_is_not_an_approximation():
    m = only_claim("近三年来")
    assert (m.text, m.approx, m.value) == ("三年", None, 3)


# (text, span, reason)
IGNORED = [
    ("一、加强领导", "一、", "列表序号"),
    ("（一）领导重视", "（一）", "列表序号"),
    ("1、以治理为主", "1、", "列表序号"),
    ("(1)完善制度", "(1)", "列表序号"),
    ("①加强宣传", "①", "列表序号"),
    ("效果：一是坚定了决心", "一是", "列表序号"),
    ("第一，要加强", "第一", "列表序号"),
    ("其一，要加强", "其一", "列表序号"),
    ("建立了一个机制", "一个", "数词作冠词"),
    ("强化了一支队伍", "一支", "数词作冠词"),
    ("进一步做好", "进一步", "含数字的词语"),
    ("统一思想", "统一思想", "含数字的词语"),
    ("有一定的差距", "一定的", "含数字的词语"),
    ("各部门一把手", "一把手", "含数字的词语"),
    ("通过一系列活动", "一系列", "含数字的词语"),
    ("一年来共劝导", "一年来", "含数字的词语"),
    ("从一点一滴做起", "一点一滴", "含数字的词语"),
    ("十分重视", "十分", "含数字的词语"),
    ("以“三个代表”重要思想为指导", "三个代表", "固定提法"),
    ("党的十八大精神", "十八大", "固定提法"),
    ("十八届五中全会精神", "十八届五中全会", "固定提法"),
    ("两手抓两手硬", "两手抓两手硬", "固定提法"),
    ("“四个全面”战略布局", "四个全面", "固定提法"),
    ("“五位一体”总体布局", "五位一体", "固定提法"),
    ("落实中央八项规定", "中央八项规定", "固定提法"),
    ("开展两学一做", "两学一做", "固定提法"),
    ("一级负责，三级挂钩，五定到位", "三级挂钩", "固定提法"),
    ("县乡村三级志愿服务", "县乡村三级", "固定提法"),
    ("我乡村两级可支配收入", "乡村两级", "固定提法"),
    ("“十四五”规划", "十四五", "固定提法"),
    ("政府机关四办五中心主任", "四", "无量词的数词"),
    ("坚持“四个结合”工作法", "“四个结合”", "引号中的提法"),
    ("完成第七次全国人口普查", "第七次全国人口普查", "固定提法"),
    ("推进农村人居环境整治提升五年行动", "五年", "固定提法"),
    ("5G网络全覆盖", "5", "编号或代号"),
    ("划分二级网格", "二级", "层级名称"),
    ("吸纳80后、90后青年", "80后", "固定提法"),
    ("7×24小时服务", "7×24小时", "固定提法"),
    ("党的十九届中央委员会第六次全体会议", "十九届中央委员会第六次全体会议", "固定提法"),
    ("适逢中国共产党成立100周年", "100周年", "固定提法"),
]


@pytest.mark.parametrize("text, span, reason", IGNORED, ids=[i[1] + "-" + i[2] for i in IGNORED])
def test_extract_ignored_categories(text, span, reason):
    found = [m for m in extract_mentions(text) if m.text == span]
    assert found, [(m.text, m.ignored) for m in extract_mentions(text)]
    assert found[0].ignored == reason
    assert not claims(text), [m.text for m in claims(text)]


def test_extract_allow_and_names_mask_phrases():
    text = "政府机关四办五中心主任，开展三讲三评活动3次"
    found = extract_mentions(text, allow=["三讲三评"], names=["四办五中心"])
    reasons = {m.text: m.ignored for m in found}
    assert reasons["三讲三评"] == "allow 列表"
    assert reasons["四办五中心"] == "事实中的名称"
    assert [m.text for m in found if m.ignored is None] == ["3次"]


@pytest.mark.parametrize("text, claim", [
    ("二十分钟", "二十分钟"),      # 十分 is a word, but not inside a larger numeral
    ("投入千万元", "千万元"),       # 千万 (by all means) is a word, 千万元 is money
    ("百分之一点四", "百分之一点四"),  # 一点 must not eat the decimal
])
def test_extract_phrases_never_cut_a_numeral(text, claim):
    assert [m.text for m in claims(text)] == [claim]


@pytest.mark.parametrize("text, words", [
    ("20××年，我乡", ["20××"]),
    ("20xx年会议", ["20xx"]),
    ("□xx县xx镇积极响应", ["□", "xx", "xx"]),
    ("以**县创建第四届**省文明城市", ["**", "**"]),
    ("某某同志", ["某某"]),
    ("XX乡", ["XX"]),
    ("X月X日", ["X", "X"]),
])
def test_placeholders_found(text, words):
    assert [p.text for p in find_placeholders(text)] == words
    for p in find_placeholders(text):
        assert text[p.start:p.end] == p.text


def test_placeholders_markdown_bold_is_not_one():
    assert find_placeholders("**一、加强组织领导**\n正文") == []


def test_placeholders_are_not_numbers():
    assert claims("20××年，我乡") == []


def test_lexicon_is_a_data_file_with_both_reasons():
    phrases = lexicon()
    assert len(phrases) > 300
    assert phrases["进一步"] == "含数字的词语"
    assert phrases["三个代表"] == "固定提法"


def test_extract_offsets_are_code_points_in_the_given_text():
    text = "\ufeff一、宣讲10余场，受教育人数达500余人次。"
    for m in extract_mentions(text):
        assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text, quantity", [
    ("东湖镇已经连续举办十五届群众文化艺术节", "十五届"),   # 届 alone is a count, not a congress
    ("每次会议控制在十分钟以内", "十分钟"),             # ten minutes, not the word 十分 (very)
])
def test_numbers_word_lookalikes_that_are_quantities(text, quantity):
    found = [m for m in extract_mentions(text) if m.text.startswith(quantity)]
    assert len(found) == 1 and found[0].ignored is None, [(m.text, m.ignored) for m in extract_mentions(text)]


# --- forms of summaries beyond 创建 campaigns (issue 11): one table per rule ---------------------

# (text, mention text, value, unit, kind)
FINANCIAL = [
    ("捐款叁万伍仟元", "叁万伍仟元", 35000, "元", "money"),
    ("发放慰问金壹拾贰万叁仟元", "壹拾贰万叁仟元", 123000, "元", "money"),
    ("奖励伍佰元", "伍佰元", 500, "元", "money"),
]
GRADES = [
    ("水质稳定达到Ⅲ类标准", "Ⅲ类", 3, "类", "grade"),
    ("启动防汛Ⅱ级应急响应", "Ⅱ级", 2, "级", "grade"),
    ("断面水质为IV类", "IV类", 4, "类", "grade"),
    ("启动二级防火响应", "二级", 2, "级", "grade"),
    ("启动一级响应", "一级", 1, "级", "grade"),
    ("水质稳定达到三类标准", "三类", 3, "类", "grade"),
]
SHARES_AND_RATIOS = [
    ("秸秆还田量占3/4", "3/4", 0.75, None, "fraction"),
    ("按1:5的比例配套", "1:5", 0.2, "比", "ratio"),
    ("配比1∶4", "1∶4", 0.25, "比", "ratio"),
    ("按1:10的比例配备", "1:10", 0.1, "比", "ratio"),  # a ratio cue: not the clock time 1:10
    ("下午3:30召开", "下午3:30", 15.5, "时", "time"),
]
MULTIPLES = [  # a multiple is the factor on the base: 增长两倍 is three times the base
    ("产值翻一番", "翻一番", 2, "倍", "multiple"),
    ("产值翻了两番", "翻了两番", 4, "倍", "multiple"),
    ("面积增长一倍", "一倍", 2, "倍", "multiple"),
    ("面积增长两倍", "两倍", 3, "倍", "multiple"),
    ("面积是上年的3倍", "3倍", 3, "倍", "multiple"),
]
WORDS_WITH_APPROX_CHARACTERS = [  # 约 and 近 inside a word do not approximate the number after it
    ("修订居民公约8份", "8份", 8, "份", "count"),
    ("附近2个村", "2个", 2, "个", "count"),
]


@pytest.mark.parametrize("text, shown, value, unit, kind",
                         FINANCIAL + GRADES + SHARES_AND_RATIOS + MULTIPLES + WORDS_WITH_APPROX_CHARACTERS,
                         ids=lambda v: v if isinstance(v, str) else None)
def test_extract_summary_forms(text, shown, value, unit, kind):
    m = only_claim(text)
    assert (m.text, m.unit, m.kind) == (shown, unit, kind)
    assert text[m.start:m.end] == m.text
    assert m.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["陆续开展排查", "收拾整齐", "组建志愿服务队伍", "陆陆续续", "Ⅰ、加强领导",
                                  "VIP服务", "二级网格", "三级调解网络", "一级抓一级"])
def test_extract_words_with_numeral_characters_are_no_claims(text):
    assert claims(text) == []


def test_extract_approx_character_inside_a_word():
    m = [c for c in claims("对2名村干部进行约谈，约谈3人") if c.text == "3人"][0]
    assert m.approx is None and m.value == 3
    approx = only_claim("修订约8份")
    assert approx.approx == "约" and approx.value == pytest.approx((7.2, 8.8))


# (text, mention, period of the frequency)
PERIODS = [
    ("每季度至少带队检查2次", "2次", "季度"),
    ("村级河长每周巡河不少于1次", "不少于1次", "周"),
    ("每天巡查2次", "2次", "天"),
    ("每半年召开1次", "1次", "半年"),
    ("全年检查12次", "12次", None),
]


@pytest.mark.parametrize("text, shown, per", PERIODS, ids=[p[0] for p in PERIODS])
def test_extract_frequency_period(text, shown, per):
    m = only_claim(text)
    assert (m.text, m.per) == (shown, per)


# (text, mention, "delta" for a change, "level" for a level, None when the words say neither)
CHANGES = [
    ("普及率提高了93%", "93%", "delta"),
    ("同比下降25%", "25%", "delta"),
    ("增幅12%", "12%", "delta"),
    ("实现7.2%的增长", "7.2%", "delta"),
    ("普及率提高到93%", "93%", "level"),
    ("下降到三成", "三成", "level"),
    ("综合利用率95%", "95%", "level"),
    ("新增420个停车位", "420个", None),
]


@pytest.mark.parametrize("text, shown, change", CHANGES, ids=[c[0] for c in CHANGES])
def test_extract_change_or_level(text, shown, change):
    m = only_claim(text)
    assert (m.text, m.change) == (shown, change)


@pytest.mark.parametrize("text, phrase", [("严格落实“五包”责任制", "“五包”"), ("坚持“八字”方针", "“八字”"),
                                          ("推进“清四乱”", "清四乱"), ("实行“十户联防”", "十户联防")])
def test_extract_quoted_rule_names_are_ignored(text, phrase):
    assert claims(text) == []
    assert any(phrase in m.text or m.text in phrase for m in extract_mentions(text) if m.ignored)


def test_extract_quoted_quantity_is_still_a_claim():
    assert [m.text for m in claims("口号“65人”")] == ["65人"]


@pytest.mark.parametrize("run", ["9" * 5000, "1" + "0" * 60, "九" * 5000])
def test_extract_overlong_numeral_is_skipped_whole(run):
    # A 30-digit or longer run is an ID or garbage: no number is read from it (Python would refuse
    # an int of 4,300+ digits), and the rest of the text is still read.
    found = extract_mentions(f"共{run}人，新增图书室3个")
    assert [m.text for m in found if m.ignored is None] == ["3个"]
    assert next(m for m in found if m.ignored).text == run
