"""News renderings that CC-CEDICT lacks, words or glosses otherwise (the user's glossary still wins), and words
CC-CEDICT capitalises that news treats as ordinary words. Used by summarizer.terms.lexicon when it builds."""
from __future__ import annotations

# News conventions that CC-CEDICT lacks or words differently (a handful; the user's glossary still wins).
NEWS_NAMES: dict[str, tuple[str, str]] = {
    "京津冀": ("Beijing-Tianjin-Hebei", "place"),
    "港澳台": ("Hong Kong, Macao and Taiwan", "place"),
    "粤港澳大湾区": ("Guangdong-Hong Kong-Macao Greater Bay Area", "place"),
    "长三角": ("Yangtze River Delta", "place"),
    "珠三角": ("Pearl River Delta", "place"),
    "中华": ("China", "place"),
    "腾讯": ("Tencent", "org"),
    "阿里巴巴": ("Alibaba", "org"),
    "百度": ("Baidu", "org"),
    "字节跳动": ("ByteDance", "org"),
    "抖音": ("Douyin", "org"),
    "快手": ("Kuaishou", "org"),
    "拼多多": ("Pinduoduo", "org"),
    "小红书": ("Xiaohongshu", "org"),
    "泡泡玛特": ("Pop Mart", "org"),
    "深度求索": ("DeepSeek", "org"),
    "宇树": ("Unitree", "org"),
    "宇树科技": ("Unitree Robotics", "org"),
    "中国移动": ("China Mobile", "org"),
    "中国日报": ("China Daily", "org"),
    "中国科学院": ("Chinese Academy of Sciences", "org"),
    "新华社": ("Xinhua News Agency", "org"),
    "央视": ("CCTV", "org"),
    "微信": ("WeChat", "org"),
    "陕北": ("northern Shaanxi", "place"),
    # CC-CEDICT glosses that are wrong or too narrow for news
    "伊斯兰国": ("Islamic State", "org"),  # CEDICT: "Muslim countries" first
    "奥委会": ("Olympic Committee", "org"),  # CEDICT: "Olympic committee" (lower case: cut to "Olympic")
    "美国奥委会": ("United States Olympic Committee (USOC)", "org"),
    "西亚": ("West Asia", "place"),  # CEDICT: "Southwest Asia"
    "港龙航空": ("Cathay Dragon", "org"),  # renamed from Hong Kong Dragon Airlines in 2016
    "中新社": ("China News Service", "org"),
    "中新网": ("China News", "org"),
    "格林尼治时间": ("Greenwich Mean Time (GMT)", "other"),
    "格林尼治标准时间": ("Greenwich Mean Time (GMT)", "other"),
    "新民主党": ("New Democratic Party (NDP)", "org"),  # Canada; 新 + 民主党 to the tagger
    "科索沃解放军": ("Kosovo Liberation Army (KLA)", "org"),  # not the People's Liberation Army
    "宙斯盾": ("Aegis", "other"),  # the combat system, not Zeus
    "商务部": ("Ministry of Commerce", "org"),  # CEDICT: "Department of Trade"
    "广交会": ("Canton Fair", "other"),
    "秦俑": ("Terracotta Warriors", "other"),  # not a person "Qin Yong"
    "兵马俑": ("Terracotta Warriors", "other"),
}
# Words CC-CEDICT capitalises that news treats as ordinary words.
NOT_NAMES = {"互联网", "中文", "英文", "西方", "东方", "服务质量", "北京时间", "万维网", "大和",
             "日电",  # the dateline "5日电" (dispatch of the 5th), not NEC
             "三国",  # "the three countries" in news, not the Three Kingdoms
             "天皇", "山上", "大桥", "万年"}  # emperor, on the hill, bridge, ten thousand years: not 3 legends & 2 places
