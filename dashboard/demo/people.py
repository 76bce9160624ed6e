"""Synthetic people, companies and places for the demo: deterministic for a seed, never real personal data.

ID numbers follow GB 11643 (18 characters with a valid check digit) so masking and validation behave as in life.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪"
    "翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂焦向柳邢骆岳齐"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强红梅玉兰小红春梅海燕丽娟文军利民德"
    "福长顺金凤桂芝翠花秋菊冬梅雪梅慧敏晓东志刚永红淑珍振华国华卫东光明"
)
TOWN_SYLLABLES = list("东西南北中新安平和兴福寿永长青石龙凤金银花桥湖江河山岭坪塘溪冲湾洲峰林泉源坝田")
COMPANY_WORDS = [
    "华瑞",
    "湘江",
    "天成",
    "宏远",
    "金桥",
    "鑫源",
    "德信",
    "恒通",
    "中联",
    "远大",
    "楚天",
    "博雅",
    "正泰",
    "嘉禾",
    "长盛",
    "新世纪",
    "同创",
    "汇丰",
    "兴业",
    "华安",
    "卓越",
    "君和",
    "三湘",
    "潇湘",
]
COMPANY_TRADES = [
    "建设工程有限公司",
    "科技有限公司",
    "信息技术有限公司",
    "物业管理有限公司",
    "医疗器械有限公司",
    "办公设备有限公司",
    "环保科技有限公司",
    "市政工程有限公司",
    "农业发展有限公司",
    "贸易有限公司",
    "印务有限公司",
    "教育科技有限公司",
    "交通建设有限公司",
    "园林绿化有限公司",
    "汽车销售服务有限公司",
    "图书发行有限公司",
    "会计师事务所有限公司",
    "法律咨询服务有限公司",
    "保安服务有限公司",
    "酒店管理有限公司",
    "餐饮管理有限公司",
]
BANK_BINS = np.array(["621799", "622848", "623052", "621700", "622908", "621449"])  # debit card prefixes
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    first = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    second = np.where(rng.random(n) < 0.6, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], "")
    return (pd.Series(surname) + first + second).to_numpy()


def id_numbers(
    rng: np.random.Generator, county_codes: np.ndarray, born_from: int = 1935, born_to: int = 2012
) -> np.ndarray:
    """Valid 18-character 居民身份证号码 for people registered in `county_codes`, unique within one call."""
    n = len(county_codes)
    days = rng.integers(0, (born_to - born_from) * 365, n)
    birth = (np.datetime64(f"{born_from}-01-01") + days.astype("timedelta64[D]")).astype(str)
    birth = np.char.replace(birth.astype("U10"), "-", "")
    prefix = pd.Series(np.char.add(county_codes.astype("U6"), birth))
    order = prefix.groupby(prefix.to_numpy()).cumcount().to_numpy()  # unique within county and birth date
    if n and order.max() > 999:
        raise ValueError("more than 1000 people share a county and a birth date")
    body = np.char.add(prefix.to_numpy().astype("U14"), np.char.zfill(((order * 7 + 13) % 1000).astype("U3"), 3))
    digits = (np.frombuffer("".join(body).encode("ascii"), dtype=np.uint8).reshape(n, 17) - 48).astype(np.int64)
    check = _ID_CHECK[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
    return np.char.add(body, check)


def id_number_valid(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    digits = np.array([int(c) for c in number[:17]])
    return _ID_CHECK[(digits * _ID_WEIGHTS).sum() % 11] == number[17].upper()


def bank_accounts(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = BANK_BINS[rng.integers(0, len(BANK_BINS), n)]
    tail = rng.integers(0, 10**13, n).astype("U13")
    return np.char.add(prefix, np.char.zfill(tail, 13))


def company_names(rng: np.random.Generator, city_names: np.ndarray) -> np.ndarray:
    n = len(city_names)
    place = pd.Series(city_names).str.replace("市|自治州|土家族苗族", "", regex=True).str[:2]
    word = np.array(COMPANY_WORDS)[rng.integers(0, len(COMPANY_WORDS), n)]
    trade = np.array(COMPANY_TRADES)[rng.integers(0, len(COMPANY_TRADES), n)]
    names = (place + word + trade).to_numpy()
    # Make names unique by a numeric 分公司-free suffix where the same combination repeats.
    dup = pd.Series(names).groupby(names).cumcount().to_numpy()
    return np.where(
        dup > 0,
        (
            pd.Series(names).str.replace("有限公司", "", regex=False)
            + pd.Series(dup).astype(str).radd("第").add("有限公司")
        ).to_numpy(),
        names,
    )


def place_names(rng: np.random.Generator, n: int, suffix: str) -> np.ndarray:
    a = np.array(TOWN_SYLLABLES)[rng.integers(0, len(TOWN_SYLLABLES), n)]
    b = np.array(TOWN_SYLLABLES)[rng.integers(0, len(TOWN_SYLLABLES), n)]
    return (pd.Series(a) + b + suffix).to_numpy()
