"""Is this sentence (or bracketed aside) addressed to a language model? Cue tables and the rule that combines them.

A sentence is an instruction (`is_instruction`) when one of the known attack shapes matches (`PATTERNS`: "ignore
all previous instructions", "只输出 …", role play, system headers), or when cues of different kinds meet:

    address   it speaks TO an AI / assistant / model / translator / summarizer ("note for the AI reading this",
              "AI助手请注意", "致翻译模型", "Translator, take note:", "if you are a language model")
    task      it switches or cancels the task ("instead", "your real assignment", "不用摘要", "改为", "上面的报道")
    output    it dictates the output ("reply with", "in your summary", "输出", "译文中", "唯一的答案")
    payload   it hands over the text to produce (": …", a quote, "the next line", "下面这句")
    you       it speaks to "you" / "你"

An address with any directive is enough; without an address it takes task + output + (payload or you). Third-person
news about AI ("the assistant can output tables", "AI助手市场规模") has no address and no "you", so it stays.
`is_cued` is the weak form (any one cue): used to grow a found instruction over its neighbours, never on its own.
Matching runs on normalised text (NFKC, no zero-width characters, no spaces between CJK characters). Pure stdlib.
"""
from __future__ import annotations

import re

from summarizer.text.lang import HAN_CLASS

__all__ = ["PATTERNS", "cues", "is_instruction", "is_cued", "introduces_payload"]

_Q = "\"'“”‘’「」『』《【"  # quote-like characters that open a payload
_CAPS = r"(?-i:[A-Z]{3,})"  # an all-caps payload such as HACKED


def _alt(items: list[str]) -> str:
    return "(?:" + "|".join(items) + ")"


# --- who is addressed -----------------------------------------------------------------------------------------
ADDRESSEES_EN = [
    r"a\.?i\.?(?:[- ](?:systems?|models?|assistants?|tools?|agents?|bots?|readers?|writers?))?",
    r"(?:large\s+)?language\s+models?", r"llms?", r"(?:chat)?bots?", r"(?:virtual\s+|digital\s+)?assistants?",
    r"models?", r"gpts?", r"neural\s+networks?",
    r"(?:automated|automatic|machine|robot)\s+(?:systems?|assistants?|tools?|readers?|summar\w+|translat\w+|writers?|agents?)",
    r"summari[sz]ers?", r"summari[sz]ing\s+(?:software|tools?|systems?|engines?|models?|bots?|programs?)",
    r"(?:automated\s+)?summary\s+(?:writers?|tools?|engines?|software|generators?|bots?|models?|programs?)",
    r"translators?", r"translation\s+(?:engines?|tools?|software|systems?|models?|bots?|programs?)",
    r"(?:text|writing|content)\s+(?:generators?|tools?|bots?)",
]
_ADDR_EN = _alt(ADDRESSEES_EN)
_DET_EN = r"(?:(?:the|any|all|every|each|whichever|whatever|some|an?|my|our|dear|you)\s+)?"
# The addressee closes the noun phrase: a mark, the end, or what it is doing ("… reading this", "… that reads").
_THIS = r"(?:this|these|it|the\s+(?:page|text|article|story|report|passage|document|site|piece|content))\b"
_ACTING = (rf"(?:reading|parsing|processing|summari[sz]ing|translating|handling|condensing|seeing|scanning|crawling|"
           rf"ingesting|working\s+on|tasked\s+with\s+\w+ing)\s+{_THIS}"
           rf"|(?:that|who|which)\s+(?:reads?|processe?s|parses?|summari[sz]es|translates?|sees?|handles?|gets?)\s+{_THIS}"
           rf"|(?:reads|sees|processes|parses|summari[sz]es|translates|handles|gets)\s+{_THIS}")
_END_MARK = r"(?:\s*[:,;!—–\-)\]】）>]|\s*$|\.(?:\s|$))"
_HEADINGS = r"(?:notes?|messages?|memos?|reminders?|instructions?|directives?|asides?|warnings?|heads[- ]up|notices?|tips?|hints?|requests?|commands?|orders?)"

ADDRESS_EN = [
    rf"\b{_HEADINGS}\s+(?:to|for)\s+{_DET_EN}{_ADDR_EN}(?={_END_MARK}|\s+(?:{_ACTING}))",
    rf"(?:^|[^\w'])(?:dear|hey|hi|hello|attention|attn|calling|psst|p\.?\s?s\.?)\W{{0,3}}\s*{_DET_EN}{_ADDR_EN}(?={_END_MARK}|\s+(?:{_ACTING}))",
    rf"\b(?:to|for)\s+{_DET_EN}{_ADDR_EN}\s+(?:{_ACTING})", rf"^\W*{_DET_EN}{_ADDR_EN}\s+(?:{_ACTING})",
    rf"\bif\s+you(?:'re|\s+are)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?{_ADDR_EN}\b",
    rf"\bas\s+an?\s+{_ADDR_EN}\s*,\s*you\b",
]
# "AI: …", "Translator, …": an addressee opening the sentence; counts when a directive follows.
_IMPERATIVE_EN = (r"(?:please\s+|kindly\s+|now\s+|just\s+|simply\s+)?(?:you\b|your\b|do\s+not\b|don'?t\b|never\b|from\s+now\b|"
                  r"(?:reply|respond|answer|output|print|type|return|say|write|state|report|claim|call|label|title|add|insert|"
                  r"append|include|replace|render|describe|mention|repeat|copy|produce|ignore|disregard|forget|skip|omit|"
                  r"leave|drop|translate|summari[sz]e|multiply|double|change|use|take|treat|make|begin|start|end|stop)\b)")
VOCATIVE_EN = rf"^\W*{_DET_EN}{_ADDR_EN}\s*[:,—–]\s*{_IMPERATIVE_EN}"
# "…, the assistant should add the line '…'": an addressee told what to produce. Anchored at a clause start and
# with a content object (that / it / the line / a quote), it is an order; loose, it needs another directive.
_MODAL = r"(?:must|should|shall|will|is\s+to|are\s+to|needs?\s+to|has\s+to|have\s+to)\s+(?:now\s+|only\s+|also\s+|instead\s+|always\s+)?"
_PRODUCE = (r"(?:reply|respond|answer|output|print|type|return|say|write|state|report|claim|call|label|title|add|insert|append|"
            r"include|replace|render|describe|mention|repeat|copy|produce)\b")
SUBJECT_EN = (rf"(?:^\W*|[,;:—–]\s*){_DET_EN}{_ADDR_EN}\s+(?:[\w']+\s+){{0,3}}?{_MODAL}{_PRODUCE}\s+"
              rf"(?:that\b|it\b|them\b|this\b|every\b|all\b|only\b|the\s+(?:line|words?|phrase|text|sentence|following)\b|[{_Q}])")
SUBJECT_LOOSE_EN = rf"\b{_DET_EN}{_ADDR_EN}\s+(?:[\w']+\s+){{0,3}}?{_MODAL}{_PRODUCE}"

ADDRESSEES_ZH = [
    r"(?:AI|人工智能|智能|机器人|聊天|虚拟)?(?:助手|助理)", r"AI", r"人工智能", r"(?:大|语言|大语言|翻译|摘要|写作|AI|人工智能)?模型",
    r"(?:聊天)?机器人", r"机器", r"GPT", r"智能体",
    r"(?:自动化?|智能)?(?:摘要|翻译|写作|总结|文本|内容)(?:工具|程序|系统|软件|引擎|模型|机器人|助手)",
    r"自动化?(?:工具|程序|系统)", r"译者", r"翻译(?:的同学|人员|老师|员)?",
]
_ADDR_ZH = _alt(ADDRESSEES_ZH)
ADDRESS_ZH = [
    rf"(?:致|给|写给|献给|(?<![报警广])告|面向|提醒|通知|敬告)(?:所有|各位|每一?[个位]|任何)?(?:正在[^，。：:]{{0,10}}?的)?{_ADDR_ZH}们?"
    r"(?:的(?:话|提示|说明|指令|备注|留言|信|新任务))?\s*(?=[:：,，)）\]】]|$)",
    rf"{_ADDR_ZH}们?(?:请注意|请留意|请听好|听好了?|注意了|看过来|看到这里|读到这里|看到此处|读到此处|看到这|读到这)(?!力)",
    rf"(?:仅供|专供){_ADDR_ZH}|供{_ADDR_ZH}(?:参考|阅读)|交给{_ADDR_ZH}的(?:新)?(?:任务|指令)",
    rf"(?:如果|假如|若)(?:你|您)是(?:一[个名位台])?[^，。,]{{0,8}}?{_ADDR_ZH}",
    rf"(?:亲爱的|嘿|喂|哈喽)[，,\s]*{_ADDR_ZH}",
    rf"正在(?:阅读|处理|翻译|总结|摘要|分析|读取)(?:本文|本页|这篇|此文|这段|本段|这些)[^，。]{{0,6}}的{_ADDR_ZH}",
]
VOCATIVE_ZH = rf"^\W*{_ADDR_ZH}们?\s*[:：,，]\s*(?:请|务必|你|您|不要|别|把|将|只|直接|马上|立即|忽略|无视)"

# --- what they are told ---------------------------------------------------------------------------------------
TASK = [  # switching or cancelling the task, dismissing the article
    r"\binstead\b(?!\s+of)\s*(?:[:：.!,;]|$)", r"\brather\s+than\s+(?:a\s+|the\s+|any\s+)?(?:summar\w*|translat\w*|condens\w*)",
    r"\bfrom\s+now\s+on\b",
    r"\b(?:real|actual|true|only|one|sole|secret|hidden)\s+(?:task|job|assignment|mission|instructions?|role|goal|orders?|directive)s?\b",
    r"\bnew\s+(?:task|assignment|instructions?|orders?|directive)s?\b(?!\s+force)",
    r"\b(?:task|job|assignment|instructions?|role|mission)\s+(?:has|have)\s+(?:changed|been\s+(?:changed|updated|replaced))",
    r"\byour\s+(?:\w+\s+)?(?:task|job|assignment|mission|role|instructions?)\b",
    r"\b(?:ignore|disregard|forget|discard|skip|drop|set\s+aside|pay\s+no\s+attention\s+to|never\s+mind)\b[^.!?;]{0,30}"
    r"\b(?:article|story|text|news|report|page|passage|content|above|previous|prior|earlier|everything|instructions?|guidance|directives?|rules|prompts?|numbers|figures)\b",
    r"\b(?:above|previous|prior|earlier|preceding|original|initial|old|all)\s+(?:guidance|instructions?|directives?|rules|prompts?|orders|settings|commands?)"
    r"\s+(?:is|are)\s+(?:now\s+)?(?:void|cancel+ed|revoked|obsolete|invalid|null|replaced|overridden|superseded|withdrawn)",
    r"\b(?:article|story|text|page|report)\s+(?:above|you\s+(?:just\s+)?read)\b", r"\bis\s+a\s+decoy\b",
    r"\b(?:do\s+not|don'?t|never|no\s+need\s+to|skip|stop|avoid)\b[^.!?,]{0,25}?\b(?:summar\w*|translat\w*)",
    r"\b(?:override|overridden|jailbreak|jailbroken|unrestricted\s+mode)\b",
    r"改为|改成|换成|替换成|替换为|转而|取而代之|新的?(?:任务|指令|要求|命令|设定)",
    r"(?:以上|上面|前面|上文|前文|之前|此前)的?(?:全部|所有)?(?:内容|新闻|报道|文章|文字|信息|设定|指令|要求|一切)",
    r"别管|不用管|不要管|不必理会|抛诸脑后|作废|不再有效|任务(?:已|有)?(?:变|改|更新|变更)|从现在(?:起|开始)|接下来只",
    r"(?:不用|不要|无需|不需要|不必|别|请勿|勿|不做|不再)再?(?:对[^，。]{0,6})?(?:进行)?(?:写)?(?:摘要|总结|概括|翻译|归纳)",
]
OUTPUT = [  # dictating what comes out
    r"(?:^|[;:—–,(]\s*|\b(?:please|now|just|simply|then|only|(?:is|are)\s+to)\s+)(?:reply|respond|answer|output|print|type|return|say|write|repeat|copy|produce|emit|state)"
    rf"(?:\s*[:：]|\s*$|\s+(?:only|just|exactly|this|these|that|it|instead|with|nothing|the\s+(?:following|word|words|phrase|line|lines|text|sentence)|[{_Q}]|{_CAPS}))",
    r"\b(?:you|bots?|models?|assistants?|ai)\s+(?:\w+\s+)?(?:must|should|shall|will|need\s+to|have\s+to)\s+(?:only\s+)?(?:reply|respond|answer|output|print|type|return|say|write)\b",
    r"\byour\s+(?:\w+\s+)?(?:summary|summaries|translation|answer|response|reply|output|rendering)\b",
    r"\bin\s+(?:your|the|any|every|each)\s+(?:summary|summaries|translation|translations|output|answer|response)\b",
    r"\b(?:summary|translation|answer|response)\s+(?:must|should|shall)\b",
    r"\b(?:and\s+nothing\s+(?:else|more)|exclusively\s+with|nothing\s+but)\b",
    r"(?:请|只|仅|直接|改为|统一|就|需|须)(?:要|需|能)?(?:输出|回复|回答|答复|打印|回一句)|(?:输出|回复|回答|答复|打印|回一句)\s*[:：“\"「『]"
    r"|照抄|原样(?:输出|返回|照搬|写)|只写|写进摘要|加上?一句",
    r"(?:摘要|译文|答案)(?:中|里|开头|结尾|末尾)|(?:摘要|译文|翻译|回答|输出|答案|回复)(?:必须|只能|须)(?:是|为|写|包含)|唯一的?(?:答案|回答|输出|回复)",
]
EDIT = [  # altering the facts or the wording
    r"(?:^|[;:—–,(]\s*|\b(?:please|now|just|then)\s+)(?:replace|swap|change|multiply|double|triple|halve|render|call|label|title|add|insert|"
    r"append|prepend|recommend|claim|report|mention|describe|state|translate|skip|ignore|disregard|leave|omit|drop|take)\s+"
    rf"(?:every|all|each|the|this|these|them|it|any|only|that|note|numbers|figures|[{_Q}])\b",
    r"(?:数字|数据|金额|数值|增长率|比例)[^，。]{0,8}(?:乘以|翻倍|扩大|改为|换成|写成)|乘以\d+|全部?(?:译为|译成|换成|替换为|改成)|写成负数",
]
PAYLOAD = [  # handing over the text to produce
    r"[:：]\s*$", rf"[:：]\s*[{_Q}]", rf"[:：]\s*{_CAPS}", rf"\b(?:with|say|type|print|output|reply|respond|answer)\s*:?\s*[{_Q}]",
    r"\bthe\s+(?:following|next|below)\b|\b(?:line|sentence|text|phrase|words?)\s+below\b|\bbelow\s*:",
    r"下面|以下|如下|这句|一句[:：]", rf"[{_Q}][^{_Q}]{{1,60}}[{_Q}]",
]
YOU = [r"\byou(?:r|'re|'ll|rself)?\b", r"你|您"]
ROLE = [  # a system / admin header opening the sentence
    r"^\W*(?:system|admin(?:istrator)?|developer|root|operator|sudo)(?:[- ]level)?\s+(?:command|override|message|notice|instructions?|prompt|mode|directive|alert)s?\s*[:：!]",
    r"^\W*(?:系统|管理员|开发者|后台|超级用户)\S{0,4}?(?:指令|命令|消息|提示|通知|覆盖)[:：]",
]

# --- the known attack shapes (a sentence matching one is an instruction on its own) ----------------------------
_ZTAIL = rf"(?:\s*[:{_Q}]|\s*{_CAPS}|以下|下面|如下|这(?:句|个|段|一)|一(?:句|个词))"
_ZV = r"(?:忽略|无视|不要理会|不理会|别理会|不用理会|不要管|忘记|忘掉|抛开|ignore|disregard)\s*(?:掉|了)?\s*"
_ZP = r"(?:以上|之前|前面|上面|上述|先前|此前|原有|原先|你之前|你的|系统)"
_ZQ = r"(?:所有|全部|一切|任何)"
_ZO_STRICT = r"(?:指令|指示|提示词?|设定|prompts?|instructions?)"
_ZO = r"(?:指令|指示|提示词?|设定|要求|规则|命令|约束|限制|任务|内容|文字|文本|文章|信息|prompts?|instructions?)"
_TAIL = rf"(?:[:{_Q}]|{_CAPS}\b|[{HAN_CLASS}]|the\s+(?:word|words|phrase|text|string|sentence|following))"
_EV = r"\b(?:ignore|disregard|forget|override|bypass)\s+"
_EO = (r"(?:instructions?|prompts?|directions?|directives?|rules|guidelines|commands?|context|"
       r"messages?|text|content|article|passage|input|conversation|orders)\b")
_ESCOPE = r"(?:previous|prior|above|preceding|earlier|foregoing|original|initial|system|existing|former)"
_NOT_SAID = r"(?<!会)(?<!可能)(?<!往往)(?<!常常)(?<!容易)(?<!时常)"  # "模型有时会忽略系统提示" reports, it does not order

PATTERNS = {
    "zh_ignore": rf"{_NOT_SAID}{_ZV}(?:{_ZP}|{_ZQ}|你)[^。！？!?]{{0,8}}?{_ZO_STRICT}(?![的之])"
                 rf"|{_NOT_SAID}{_ZV}(?:{_ZQ}的?)?{_ZP}的?(?:{_ZQ}的?)?{_ZO}(?![的之])|{_ZV}(?:上文|前文|原文)",
    "zh_only": rf"(?:^|(?<=[,，:：;；。\s{_Q}」』】)])|请|你|并|然后|都|就)(?:只|仅|仅仅|只需|只能|直接)(?:需要?|要|能|可以)?(?:输出|回复|回答|返回|打印){_ZTAIL}"
               rf"|只(?:写|说)\s*{_CAPS}",
    "zh_please": rf"请(?:输出|回复|打印|返回)\s*[:：]?\s*[{_Q}]|(?:输出|回复|打印)\s*[:：]\s*[{_Q}]?\s*{_CAPS}",
    "zh_must": r"你的(?:回答|回复|输出|答案|摘要|翻译|总结|译文)(?:必须|只能|应该|应当|只|一律|就)(?:是|为|包含)",
    "zh_role": r"从现在(?:起|开始)\s*[,，]?\s*你|你从现在(?:起|开始)|请以[^。，,]{1,10}身份(?:回答|回复|说话|输出)|你现在(?:是|成为|变成|扮演)\s*(?:一|我|[a-z])"
               r"|(?:请你?|你(?:现在)?(?:要|将|需要|必须)?)扮演(?!好|着|了|过|的|重要|关键)|请假装"
               r"|你是一(?:个|名|位)[^。！？,，]{0,10}?(?:助手|ai|人工智能|模型|机器人|chatbot|gpt)"
               r"|(?:如果|假如)你是(?:一个)?(?:ai|人工智能|大?语言模型|大模型|机器人|chatgpt|gpt)",
    "zh_system": r"^(?:系统|system)\s*(?:提示词?|指令|消息|prompt|instructions?|message)\s*:"
                 r"|新的?(?:指令|提示词)\s*:|以下是(?:新的?|你的)指令"
                 r"|【(?:系统|系统消息|系统指令|指令|新指令|管理员|开发者)】",
    "zh_nosum": r"(?:不要|别|停止|请勿)(?:再)?(?:写|做|生成|进行|执行|输出)?(?:摘要|总结|翻译|概括)(?!者|家|员|官|腔|软件|工具|机)",
    "zh_translate": r"(?:请|你|改为|改成|转而)(?:改为|只|直接)?(?:把|将)[^。！？]{0,15}?翻译(?:成|为)",
    "zh_sum_as": r"(?:摘要|总结|概括|译文)(?:内容)?(?:请|只|必须|一律|统一)?(?:写成|写为|改为|改成|只写|应为|必须是|只能是)"
                 r"|请(?:将|把)(?:本文|这篇文章|全文|文章|以上内容|上文)的?(?:摘要|总结|概括|翻译)(?:为|成)",
    "en_ignore": rf"{_EV}(?:(?:all|any|every)\s+(?:of\s+)?)?(?:(?:the|your|my|these|those|this)\s+)?(?:{_ESCOPE}\s+)+{_EO}"
                 rf"|\b(?:ignore|disregard|forget)\s+(?:all\s+(?:of\s+)?)?(?:your|all|any)\s+(?:(?:previous|prior)\s+)?"
                 r"(?:instructions|prompts?|programming|guidelines|training)\b"
                 r"|\b(?:ignore|disregard)\s+(?:all\s+(?:of\s+)?)?(?:the\s+)?(?:above|foregoing|everything\s+(?:above|before))(?![-\w])"
                 r"|\b(?:ignore|disregard|forget)\s+(?:the|this|that)\s+(?:article|text|content|story|passage|document|page)\s+(?:above|before)",
    "en_only": rf"\b(?:reply|respond|answer|output|print|say|write|return|type)\s+(?:only|just|exactly|solely|exclusively|nothing\s+but)(?:\s+with)?\s*{_TAIL}"
               r"|^(?:only|just)\s+(?:reply|respond|answer|output|say|print|write)\b"
               r"|\b(?:you|assistant|ai|models?|llms?|chatbots?)\b[^.!?]{0,30}?\b(?:must|should|shall|will|need\s+to|have\s+to)\s+"
               rf"(?:only\s+)?(?:output|reply|respond|answer|say|print|write)(?:\s+with)?(?:\s+(?:exactly|only|just))?(?:\s+one\s+word)?\s*{_TAIL}"
               r"|\byour\s+(?:new|real|actual|only)\s+(?:task|job|instructions?|goal|assignment)\s+(?:is|are)\b"
               r"|\byour\s+(?:summary|translation|answer|response|reply|output)\s+(?:must|should|shall|has\s+to|will)\s+(?:only\s+)?(?:be|read|say|contain|consist)\b"
               rf"|^(?:please\s+|now\s+|just\s+|simply\s+)?(?:print|output|say|write|type|repeat|reply|respond|answer|return)(?:\s+(?:out|only|with))?"
               rf"(?:\s+the\s+(?:word|words|phrase)\b|\s*:\s*(?:[{_Q}]|{_CAPS}\b)|\s+(?:[{_Q}][^{_Q}]{{1,40}}[{_Q}]|{_CAPS})"
               r"\s*(?:and\s+nothing\s+else|only|instead)?\s*[.!]?$)",
    "en_role": r"\byou(?:\s+are|'re)\s+now\s+(?:a|an|my|called|named|in\s+\w+\s+mode|dan|free|unrestricted|jailbroken|\w*gpt)\b"
               r"|\bfrom\s+now\s+on\s*,?\s+(?:you\s+are|your\s+(?:name|role|task|job)|you\s+(?:must|will|shall)\s+(?:only|always|reply|respond|answer|act|output))\b"
               r"|(?:\bplease\s+|\bnow\s+|\byou\s+(?:will|must|should|shall)\s+(?:now\s+)?|\bwant\s+you\s+to\s+)(?:act\s+as|pretend\s+(?:to\s+be|you\s+are|that\s+you)|role-?play\s+as|play\s+the\s+role\s+of)\b"
               r"|^(?:act|role-?play)\s+as\s+(?:if\s+you|an?\s+(?:\w+\s+){0,2}?(?:assistant|ai|chatbot|pirate|translator|bot|model|character|persona|hacker))\b"
               r"|^pretend\s+(?:to\s+be|you\s+are|that\s+you)\b"
               r"|\byou\s+are\s+(?:a|an)\s+(?:helpful\s+|friendly\s+|obedient\s+)?(?:ai|assistant|chatbot|language\s+model|llm)\b"
               r"|\bif\s+you\s+are\s+(?:an?\s+)?(?:ai|llm|(?:large\s+)?language\s+model|chatbot|gpt|assistant)\b",
    "en_system": r"^system\s*(?:prompt|instructions?|message)\s*:|\bnew\s+(?:instructions?|task|rules)\s*:|\b(?:system|admin|developer)\s+override\b",
    "en_nosum": r"\b(?:do\s+not|don'?t|never|stop)\s+(?:summari[sz]e|translate|write\s+(?:a|the|any)\s+summary)\b(?![^.!?]{0,40}\bword\s+for\s+word)"
                r"|\binstead\s*,?\s+(?:just\s+|simply\s+)?(?:say|write|output|print|reply|respond|answer|translate|type)\b"
                r"|\binstead\s+of\s+(?:summari[sz]ing|translating|writing\s+(?:a|the)\s+summary)"
                r"|\btranslate\s+(?:the\s+following|this|these|it)\b[^.!?]{0,60}\binstead\b"
                r"|^translate\s+(?:the\s+following|this\s+(?:sentence|phrase|line|text))"
                r"|\bsummari[sz]e\s+(?:this|the)\s+(?:article|text|page|story|passage)\s+as\b",
}


def _compile(items: list[str]) -> re.Pattern:
    return re.compile(_alt(items), re.I)


_RX = {name: _compile(items) for name, items in {
    "address": ADDRESS_EN + ADDRESS_ZH, "vocative": [VOCATIVE_EN, VOCATIVE_ZH], "subject": [SUBJECT_EN], "subject_loose": [SUBJECT_LOOSE_EN],
    "task": TASK, "output": OUTPUT, "edit": EDIT, "payload": PAYLOAD, "you": YOU, "role": ROLE,
}.items()}
_PATTERN_RX = [re.compile(rx, re.I) for rx in PATTERNS.values()]
_LEAD = re.compile(r"^[\s\"'“”‘’「」『』《》()\[\]【】*#>•·:,.\-–—]+")  # quotes/bullets before a sentence


def pattern_spans(s: str):
    """(from, to) of every known-shape match in s; anchored patterns also see s without leading quotes."""
    head = _LEAD.sub("", s)
    off = len(s) - len(head)
    for rx in _PATTERN_RX:
        yield from (m.span() for m in rx.finditer(s))
        yield from ((m.start() + off, m.end() + off) for m in rx.finditer(head))


def cues(s: str) -> set[str]:
    """The kinds of cue in a normalised sentence: address, vocative, subject, task, output, edit, payload, you, role."""
    head = _LEAD.sub("", s)
    return {name for name, rx in _RX.items() if rx.search(s) or (head != s and rx.search(head))}


def _decide(found: set[str]) -> bool:
    directive = found & {"task", "output", "edit", "you", "payload"}
    if found & {"address", "role", "vocative", "subject"}:
        return True
    if "subject_loose" in found and directive:
        return True
    return {"task", "output"} <= found and bool(found & {"payload", "you"})


def is_instruction(s: str) -> bool:
    """True when the normalised sentence s addresses a language model (see the module docstring)."""
    return any(True for _ in pattern_spans(s)) or _decide(cues(s))


def is_cued(s: str) -> bool:
    """Any single cue: enough to join an instruction next to it, never enough alone."""
    return bool(cues(s) - {"you", "payload"}) or any(True for _ in pattern_spans(s))


def introduces_payload(s: str) -> bool:
    """The sentence hands over what follows it: ends with ':' or a dash, or points at the next / following / below
    text without giving it here ("respond with the sentence below." — not "translate the following: '…'")."""
    if _INTRO_END.search(s):
        return True
    m = _POINTER.search(s)
    return bool(m) and not re.search(rf"[:：]\s*\S|[{_Q}]", s[m.end():])


_INTRO_END = re.compile(r"(?:[:：]\s*[\"'“‘「『]?|—+|–)\s*$")
_POINTER = re.compile(r"\b(?:the\s+)?(?:next|following)\s+(?:line|lines|sentence|text|paragraph)\b|\b(?:line|lines|sentence|text|phrase|words?)\s+below\b"
                      r"|\bbelow\b|下面|以下|如下|下一(?:行|句|段)", re.I)
