#!/usr/bin/env python3
"""Evasion recall of `qinglang scan` with a custom lexicon (acceptance figure for REV-3).

Builds a custom lexicon of about 200 terms and, for every term, disguised variants embedded in
ordinary carrier text: Traditional characters, upper-case and full-width Latin, one or two noise
symbols between characters, zero-width characters, spaces, pinyin annotations (`赌(dǔ)博(bó)`),
Cyrillic/circled look-alikes, and combinations of these. Each positive case records the span of
the disguised term (Python str indices, first to last real character, end exclusive). Negative
cases insert a real CJK character between two characters of a term (`赌的博`): the term must not
be reported.

The set is written to test_data/evasion/lexicon.txt and test_data/evasion/cases.jsonl (committed,
so the figure is reproducible); it is regenerated only with --generate (or when missing).
Standard library only; deterministic for a --seed. Usage:

    scripts/evasion.py [--bin target/release/qinglang] [--generate] [--seed 7] [--show N]

Exit status: 0 when overall recall >= 97% and no negative case matched, 1 otherwise.
"""
import argparse, collections, json, os, random, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test_data", "evasion")
LEXICON = os.path.join(OUT_DIR, "lexicon.txt")
CASES = os.path.join(OUT_DIR, "cases.jsonl")
MIN_RECALL = 0.97

# ---------------------------------------------------------------------------------------------
# The custom lexicon: (category, terms). Chinese terms of 2-5 characters, then Latin/mixed ones.

CHINESE_TERMS = [
    ("gambling", "赌博网站 网络赌博 赌场 六合彩 百家乐 时时彩 赌球 网上赌场 老虎机 赌博机 私彩 "
                 "外围赌球 赌马 地下钱庄 赌资 开设赌场 博彩平台 押大小 真人荷官 体育博彩 洗码 "
                 "赌博软件 彩票黑平台 网络棋牌 赌狗"),
    ("porn", "成人视频 色情网站 黄色电影 裸聊 援交 一夜情 三级片 黄片 色情直播 裸体写真 成人电影 "
             "约炮 卖淫 嫖娼 小姐上门 包夜服务 情色小说 淫秽视频 黄色网站 色情图片 裸照交易 性交易 "
             "招嫖 楼凤 外围女 乱伦 偷拍视频 激情聊天 成人漫画 色情服务"),
    ("drugs", "冰毒 海洛因 摇头丸 大麻 吸毒 贩毒 毒品交易 麻古 冰毒出售 可卡因 鸦片 迷幻药 迷药 "
              "听话水 催情药 笑气 氯胺酮 制毒 大麻种子 毒品批发 罂粟 白粉 溜冰 神仙水"),
    ("weapons", "枪支弹药 手枪 仿真枪 气枪 猎枪出售 军用枪支 子弹 弹药出售 炸药配方 雷管 管制刀具 "
                "弩箭 枪支买卖 钢珠枪 自制炸弹 军火 麻醉枪 电击枪 枪械零件"),
    ("fraud", "代开发票 办假证 假文凭 刷单兼职 网络诈骗 洗钱 套现 高利贷 裸贷 信用卡套现 代办信用卡 "
              "假币 假钞出售 办证刻章 刷单返利 杀猪盘 庞氏骗局 传销 非法集资 资金盘 网贷黑户 代考 "
              "替考 考试答案 四六级答案 身份证买卖 银行卡出售 黑卡 洗黑钱 虚假中奖 冒充客服 中奖短信 "
              "发票代开 贷款诈骗"),
    ("contraband", "走私香烟 走私汽车 象牙制品 犀牛角 穿山甲 野生动物买卖 窃听器 针孔摄像头 偷拍设备 "
                   "改号软件 开锁工具 迷魂香 私人侦探 代孕 卖肾 器官买卖 买卖婴儿 假药 违禁药品 "
                   "处方药代购 监听设备 信号屏蔽器 烟草走私 枪手代写"),
    ("violence", "砍人 杀人 爆炸物 恐吓信 买凶杀人 雇凶 群殴 报复社会 血腥视频 自杀方法 跳楼 割腕 "
                 "泼硫酸 绑架勒索"),
    ("terror", "恐怖袭击 人肉炸弹 圣战 极端组织 劫机 暴恐视频"),
    ("cult", "邪教组织 全能神 邪教 开光符咒 驱鬼 风水转运 末日预言"),
    ("abuse", "傻逼 脑残 废物东西 去死 贱人 滚蛋 王八蛋 狗东西 死全家 人渣"),
    ("privacy", "人肉搜索 开房记录 户籍信息 手机定位 查开房 通话记录 个人信息出售 身份证号码"),
    ("rumor", "抢盐 谣言传播 地震谣言"),
]

LATIN_TERMS = [
    ("gambling", "casino baccarat bet365"),
    ("porn", "porn pornhub hentai escort xvideos onlyfans 3p 1024 av女优 av电影 sm调教 18禁 h漫 "
             "ktv小姐 qq约炮"),
    ("drugs", "cocaine heroin viagra k粉"),
    ("privacy", "GPS定位器"),
]

# Simplified -> Traditional, only standard pairs (each checked against OpenCC's
# TSCharacters table, which the engine folds with).
TRAD = dict(zip(
    "东个乐买乱优会传伦体侦儿写军凤凭击制办务动单卖发台号吓听围图圣场处备复头奖婴币庄庞废开弹录战户"
    "抢报摄摇时机杀极枪楼残殴气泼滚烟猎猪现电画盐监盘码种秽窃约级组织绑络罂网职肾脑药虚袭视记设证诈"
    "试话说调谣贩购贱贷资赌车转软运违针钞钢钱银销锁门预频风马驱骗鸦黄",
    "東個樂買亂優會傳倫體偵兒寫軍鳳憑擊製辦務動單賣發臺號嚇聽圍圖聖場處備復頭獎嬰幣莊龐廢開彈錄戰戶"
    "搶報攝搖時機殺極槍樓殘毆氣潑滾煙獵豬現電畫鹽監盤碼種穢竊約級組織綁絡罌網職腎腦藥虛襲視記設證詐"
    "試話說調謠販購賤貸資賭車轉軟運違針鈔鋼錢銀銷鎖門預頻風馬驅騙鴉黃"))

# Toned pinyin, as a converter would annotate each character in these terms.
PINYIN = dict(item.split(":") for item in """
一:yī 三:sān 上:shàng 下:xià 东:dōng 个:gè 中:zhòng 丸:wán 乐:lè 买:mǎi 乱:luàn 交:jiāo 人:rén
仙:xiān 代:dài 件:jiàn 份:fèn 仿:fǎng 会:huì 传:chuán 伦:lún 位:wèi 体:tǐ 侦:zhēn 信:xìn 假:jiǎ
偷:tōu 催:cuī 傻:shǎ 像:xiàng 儿:ér 充:chōng 光:guāng 全:quán 八:bā 六:liù 具:jù 兼:jiān 冒:mào
写:xiě 军:jūn 冰:bīng 凤:fèng 凭:píng 凶:xiōng 出:chū 击:jī 刀:dāo 利:lì 制:zhì 刷:shuā 刻:kè
割:gē 办:bàn 务:wù 动:dòng 劫:jié 勒:lè 包:bāo 单:dān 卖:mài 博:bó 卡:kǎ 去:qù 发:fā 古:gǔ 可:kě
台:tái 号:hào 合:hé 吓:hè 听:tīng 吸:xī 咒:zhòu 品:pǐn 售:shòu 器:qì 四:sì 因:yīn 围:wéi 图:tú
圣:shèng 地:dì 场:chǎng 处:chǔ 备:bèi 复:fù 外:wài 夜:yè 大:dà 天:tiān 头:tóu 奖:jiǎng 套:tào
女:nǚ 姐:jiě 娼:chāng 婴:yīng 嫖:piáo 子:zǐ 孔:kǒng 孕:yùn 官:guān 定:dìng 客:kè 家:jiā 小:xiǎo
局:jú 屏:píng 山:shān 工:gōng 币:bì 平:píng 幻:huàn 庄:zhuāng 庞:páng 废:fèi 开:kāi 弩:nǔ 弹:dàn
录:lù 彩:cǎi 影:yǐng 怖:bù 性:xìng 恐:kǒng 息:xī 情:qíng 成:chéng 战:zhàn 户:hù 房:fáng 手:shǒu
批:pī 抢:qiǎng 报:bào 押:yā 拍:pāi 招:zhāo 探:tàn 援:yuán 搜:sōu 摄:shè 摇:yáo 播:bō 支:zhī
改:gǎi 教:jiào 文:wén 方:fāng 日:rì 时:shí 易:yì 暴:bào 替:tì 服:fú 末:mò 机:jī 杀:shā 极:jí
枪:qiāng 架:jià 查:chá 案:àn 械:xiè 棋:qí 楼:lóu 款:kuǎn 死:sǐ 残:cán 殴:ōu 毒:dú 氏:shì 气:qì
氯:lǜ 水:shuǐ 汽:qì 法:fǎ 泼:pō 洗:xǐ 洛:luò 海:hǎi 淫:yín 渣:zhā 溜:liū 滚:gǔn 漫:màn 激:jī
火:huǒ 炮:pào 炸:zhà 烟:yān 照:zhào 爆:bào 片:piàn 牌:pái 牙:yá 牛:niú 物:wù 犀:xī 狗:gǒu
猎:liè 猪:zhū 王:wáng 现:xiàn 珠:zhū 球:qiú 生:shēng 用:yòng 甲:jiǎ 电:diàn 画:huà 白:bái 百:bǎi
盐:yán 监:jiān 盘:pán 直:zhí 真:zhēn 短:duǎn 码:mǎ 砍:kǎn 硫:liú 社:shè 神:shén 票:piào 禁:jìn
私:sī 种:zhǒng 秽:huì 穿:chuān 窃:qiè 站:zhàn 章:zhāng 端:duān 笑:xiào 符:fú 答:dá 管:guǎn
箭:jiàn 籍:jí 粉:fěn 粟:sù 索:suǒ 约:yuē 级:jí 组:zǔ 织:zhī 绑:bǎng 络:luò 罂:yīng 网:wǎng
群:qún 老:lǎo 考:kǎo 聊:liáo 职:zhí 肉:ròu 育:yù 肾:shèn 胺:àn 能:néng 脑:nǎo 腕:wàn 腥:xīng
自:zì 色:sè 草:cǎo 药:yào 荷:hé 蔽:bì 虎:hǔ 虚:xū 蛋:dàn 血:xuè 行:xíng 袭:xí 裸:luǒ 西:xī
视:shì 角:jiǎo 言:yán 记:jì 设:shè 证:zhèng 诈:zhà 试:shì 话:huà 说:shuō 谣:yáo 象:xiàng 贩:fàn
购:gòu 贱:jiàn 贷:dài 资:zī 赌:dǔ 走:zǒu 跳:tiào 身:shēn 车:chē 转:zhuǎn 软:ruǎn 运:yùn 返:fǎn
违:wéi 迷:mí 通:tōng 逼:bī 邪:xié 配:pèi 酮:tóng 酸:suān 醉:zuì 野:yě 金:jīn 针:zhēn 钞:chāo
钢:gāng 钱:qián 银:yín 销:xiāo 锁:suǒ 门:mén 集:jí 雇:gù 零:líng 雷:léi 震:zhèn 非:fēi 预:yù
频:pín 风:fēng 香:xiāng 马:mǎ 驱:qū 骗:piàn 高:gāo 鬼:guǐ 魂:hún 鸦:yā 麻:má 黄:huáng 黑:hēi
优:yōu 调:tiáo 定:dìng
""".split())

NOISE = ["*", "❤", "~", ".", "_", "-", "|", "/", "#", "@", "★", "♥", "※", "🔥", "😀", "+", "="]
# Clause punctuation and full-width symbols, which filters that stop at punctuation let through
# (issue #19: 约！炮, 裸，聊, 澳门，赌，场, 少～妇！自♥拍).
CLAUSE = ["，", "！", "、", "？", "。", ",", "!", "?", ";", "；"]
SYMBOLS = ["～", "♥", "＊", "．", "·", "【", "】", "「", "」", "…", "♀", "☆", "◆", "→", "😘", "💋", "🎲"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"]
SPACES = [" ", "\u3000"]
LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
CIRCLED = {"0": "⓪", **{str(d): chr(0x2460 + d - 1) for d in range(1, 10)}}
# Characters inserted into a term for the negative cases (no Chinese numerals: they fold to digits).
INSERTED = "的了是在和也很就都有被把给我你他她它这那"

PREFIXES = ["今天看到", "有人在群里说", "朋友发来消息问我", "刚才刷到有人卖", "这条帖子提到", "听同事讲起",
            "评论区有人推荐", "请问大家知道", "昨晚在论坛看见", "妈妈问我什么是", "有个陌生号码发来",
            "新闻里报道了", "老师提醒我们远离", "我不太懂", "小区门口贴着", "客服说不提供",
            "这个视频标题写着", "邻居抱怨说", "有网友举报", "据说隔壁在搞"]
SUFFIXES = ["真的吗", "大家小心点", "这是真的吗", "怎么举报呢", "已经被封了", "谁知道是真是假",
            "太离谱了", "请管理员处理", "我没敢点开", "看着就很可疑", "千万别信", "有没有人管管",
            "赶紧删掉吧", "这种人真多", "我报警了", "还挺常见的", "简直无语", "让人担心"]

# Combinations: (parts, needs). Gap parts are merged per gap; char parts apply in order.
COMBOS = [
    ("traditional", "noise1", "zero_width"),
    ("traditional", "spaces"),
    ("traditional", "pinyin"),
    ("traditional", "noise2"),
    ("traditional", "pinyin", "zero_width"),
    ("pinyin", "noise1"),
    ("pinyin", "spaces"),
    ("noise1", "zero_width"),
    ("noise2", "zero_width"),
    ("spaces", "noise1"),
    ("spaces", "zero_width"),
    ("fullwidth", "spaces"),
    ("fullwidth", "noise1", "zero_width"),
    ("uppercase", "noise1"),
    ("uppercase", "zero_width"),
    ("lookalike", "noise1"),
    ("lookalike", "fullwidth"),
    ("lookalike", "zero_width", "spaces"),
    ("fullwidth", "traditional", "noise1"),
]
KINDS = ["traditional", "uppercase", "fullwidth", "noise1", "noise2", "zero_width", "spaces",
         "pinyin", "lookalike", "combo"]
# Reported after KINDS; generated from their own random stream (see generate).
PUNCT_KINDS = ["punct", "punct_mixed"]


def is_cjk(c):
    return 0x3400 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF


def is_latin(c):
    return c.isascii() and c.isalnum()


NUMERALS = dict(zip("〇零一二两三四五六七八九", "001223456789"))


def fold(s):
    """Enough of the engine's folding for the plain (undisguised) carrier checks: one char in,
    one char out, so indices stay aligned."""
    return "".join(NUMERALS.get(c, c.lower()) for c in s)


def applicable(part, term):
    if part == "traditional":
        return any(c in TRAD for c in term)
    if part == "pinyin":
        return any(is_cjk(c) for c in term)
    if part in ("uppercase", "fullwidth"):
        return any(is_latin(c) for c in term)
    if part == "lookalike":
        return any(c in LOOKALIKE or c in CIRCLED for c in term)
    if part in ("noise1", "noise2", "zero_width", "spaces"):
        return len(term) >= 2
    raise ValueError(part)


def render(term, parts, rng):
    """The disguised term and the span (start, end) of its first to last real character."""
    parts = set(parts)
    chars = []
    for c in term:
        if "traditional" in parts:
            c = TRAD.get(c, c)
        if "lookalike" in parts and (c in LOOKALIKE or c in CIRCLED):
            c = LOOKALIKE.get(c) or CIRCLED[c]
        elif "fullwidth" in parts and is_latin(c):
            c = c.upper() if c.isalpha() and rng.random() < 0.5 else c
            c = chr(ord(c) + 0xFEE0)
        elif "uppercase" in parts and c.isascii() and c.isalpha():
            c = c.upper()
        chars.append(c)
    if "lookalike" in parts and "fullwidth" not in parts and rng.random() < 0.3:
        # Upper-case the letters that were not replaced, as a spammer would.
        chars = [c.upper() if c.isascii() else c for c in chars]
    out, end = "", 0
    for i, (orig, c) in enumerate(zip(term, chars)):
        if i:
            gap = []
            if "noise1" in parts:
                gap.append(rng.choice(NOISE))
            if "noise2" in parts:
                gap += [rng.choice(NOISE), rng.choice(NOISE)]
            if "spaces" in parts:
                gap.append(rng.choice(SPACES))
            if "zero_width" in parts:
                gap.append(rng.choice(INVISIBLE))
            rng.shuffle(gap)
            out += "".join(gap)
        out += c
        end = len(out)
        if "pinyin" in parts and is_cjk(orig):
            syllable = PINYIN[orig]
            out += rng.choice(["({})", "({})", "（{}）"]).format(syllable)
    return out, (0, end)


def carrier(rng, term, lexicon_forms, body, span, latin_edge):
    """Wraps `body` in carrier text such that the plain term in that carrier forms no other
    lexicon term: returns (text, start, end) or None."""
    for _ in range(500):
        pre, suf = rng.choice(PREFIXES), rng.choice(SUFFIXES)
        sep_l = " " if latin_edge[0] and rng.random() < 0.5 else ""
        sep_r = " " if latin_edge[1] and rng.random() < 0.5 else ""
        plain = fold(pre + sep_l + term + sep_r + suf)
        ts = len(pre) + len(sep_l)
        te = ts + len(term)
        clash = False
        for form in lexicon_forms:
            at = plain.find(form)
            while at >= 0:
                if not (ts <= at and at + len(form) <= te):
                    clash = True
                    break
                at = plain.find(form, at + 1)
            if clash:
                break
        if not clash:
            start = len(pre) + len(sep_l)
            return (pre + sep_l + body + sep_r + suf, start + span[0], start + span[1])
    return None


def generate(seed):
    rng = random.Random(seed)
    lexicon = []
    for category, terms in CHINESE_TERMS + LATIN_TERMS:
        for term in terms.split():
            lexicon.append((term, category))
    terms = [t for t, _ in lexicon]
    assert len(set(fold(t) for t in terms)) == len(terms), "duplicate terms"
    forms = [fold(t) for t in terms]
    missing = {c for t in terms for c in t if is_cjk(c) and c not in PINYIN}
    assert not missing, f"no pinyin for {''.join(sorted(missing))}"

    # How many variants of each kind per term.
    per_kind = {"traditional": 1, "uppercase": 2, "fullwidth": 2, "noise1": 2, "noise2": 1,
                "zero_width": 1, "spaces": 1, "pinyin": 1, "lookalike": 2, "combo": 2}
    cases = []
    for term in terms:
        latin_edge = (is_latin(term[0]), is_latin(term[-1]))
        combos = [c for c in COMBOS if all(applicable(p, term) for p in c)]
        for kind in KINDS:
            for _ in range(per_kind[kind]):
                if kind == "combo":
                    if not combos:
                        continue
                    parts = rng.choice(combos)
                elif applicable(kind, term):
                    parts = (kind,)
                else:
                    continue
                body, span = render(term, parts, rng)
                if body == term:
                    continue
                placed = carrier(rng, term, forms, body, span, latin_edge)
                assert placed, f"no carrier for {term}"
                text, start, end = placed
                case = {"id": f"p{len(cases) + 1:05d}", "text": text, "kind": kind, "term": term,
                        "start": start, "end": end}
                if kind == "combo":
                    case["parts"] = list(parts)
                cases.append(case)
    positives = len(cases)
    # Negatives: a CJK character between two characters of the term, sometimes disguised too.
    for term in terms:
        for _ in range(2):
            at = rng.randrange(1, len(term))
            extra = rng.choice(INSERTED)
            disguise = rng.choice([(), (), ("traditional",), ("noise1",), ("spaces",), ("zero_width",)])
            if disguise and not applicable(disguise[0], term):
                disguise = ()
            left, _ = render(term[:at], disguise, rng)
            right, _ = render(term[at:], disguise, rng)
            glue = ""
            if disguise and disguise[0] in ("noise1", "spaces", "zero_width"):
                glue, _ = render("ab", disguise, rng)
                glue = glue[1:-1]
            body = left + glue + extra + glue + right
            latin_edge = (is_latin(term[0]), is_latin(term[-1]))
            placed = carrier(rng, term, forms, body, (0, len(body)), latin_edge)
            assert placed, f"no carrier for {term}"
            text, _, _ = placed
            assert fold(term) not in fold(text)
            kind = "inserted_cjk"
            cases.append({"id": f"n{len(cases) - positives + 1:05d}", "text": text, "kind": kind,
                          "term": term, "start": None, "end": None,
                          **({"parts": list(disguise)} if disguise else {})})
    # Punctuation noise (appended with its own random stream, so the cases above stay as they
    # were): clause punctuation, full-width symbols and emoji between every character, alone
    # or mixed, with the term as a message of its own or inside carrier text.
    prng = random.Random(seed * 1000 + 19)
    extra = 0
    for term in terms:
        if len(term) < 2 or not all(is_cjk(c) for c in term):
            continue
        for kind in ("punct", "punct_mixed"):
            out = term[0]
            for c in term[1:]:
                if kind == "punct":
                    gap = [prng.choice(CLAUSE)]
                else:
                    gap = [prng.choice(CLAUSE), prng.choice(SYMBOLS + NOISE)]
                    prng.shuffle(gap)
                out += "".join(gap) + c
            alone = prng.random() < 0.5
            if alone:
                text, start, end = out, 0, len(out)
            else:
                placed = carrier(prng, term, forms, out, (0, len(out)), (False, False))
                assert placed, f"no carrier for {term}"
                text, start, end = placed
            extra += 1
            cases.append({"id": f"q{extra:05d}", "text": text, "kind": kind, "term": term,
                          "start": start, "end": end, "parts": ["alone" if alone else "carrier"]})
    return lexicon, cases


def write(lexicon, cases, seed):
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(LEXICON, "w", encoding="utf-8") as f:
        f.write(f"# Custom lexicon for scripts/evasion.py (seed {seed}). GENERATED; regenerate with\n"
                "# scripts/evasion.py --generate. Format: term<TAB>category<TAB>action.\n")
        for term, category in lexicon:
            f.write(f"{term}\t{category}\tblock\n")
    with open(CASES, "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")


def load():
    with open(CASES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scan(binary):
    cmd = [binary, "scan", "--jsonl", "--format", "json", "--no-default-lexicon",
           "--lexicon", LEXICON, CASES]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.exit(f"scan failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]


def visible(s):
    """The text with invisible and unusual characters written as escapes."""
    out = []
    for c in s:
        if c in INVISIBLE or c == "\u3000" or not c.isprintable():
            out.append(f"\\u{{{ord(c):04X}}}")
        else:
            out.append(c)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "qinglang"))
    ap.add_argument("--generate", action="store_true", help="regenerate test_data/evasion/")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--show", type=int, default=0, help="print up to N misses per kind")
    args = ap.parse_args()

    if args.generate or not (os.path.exists(LEXICON) and os.path.exists(CASES)):
        lexicon, cases = generate(args.seed)
        write(lexicon, cases, args.seed)
        print(f"generated {len(lexicon)} terms, {len(cases)} cases in "
              f"{os.path.relpath(OUT_DIR, ROOT)}/ (seed {args.seed})")
    cases = load()
    verdicts = scan(args.bin)
    if len(verdicts) != len(cases):
        sys.exit(f"{len(cases)} cases but {len(verdicts)} verdicts")

    stats = collections.defaultdict(lambda: collections.Counter())
    misses = collections.defaultdict(list)
    bad_offsets = 0
    for case, verdict in zip(cases, verdicts):
        if str(verdict.get("id")) != case["id"]:
            sys.exit(f"verdict for {verdict.get('id')!r} where {case['id']!r} was expected")
        text, kind = case["text"], case["kind"]
        hits = [h for h in verdict["hits"] if h["term"] == case["term"]]
        for h in verdict["hits"]:
            ok = (h["text"] == text[h["start"]:h["end"]]
                  and h["byte_start"] == len(text[:h["start"]].encode())
                  and h["byte_end"] == len(text[:h["end"]].encode()))
            if not ok:
                bad_offsets += 1
                print(f"inconsistent hit offsets in {case['id']}: {h}", file=sys.stderr)
        s = stats[kind]
        s["cases"] += 1
        if case["start"] is None:
            if hits:
                s["matched"] += 1
                misses[kind].append((case, verdict["hits"]))
            continue
        found = any(h["start"] == case["start"] and h["end"] == case["end"]
                    and h["text"] == text[case["start"]:case["end"]]
                    and h["byte_start"] == len(text[:case["start"]].encode())
                    and h["byte_end"] == len(text[:case["end"]].encode()) for h in hits)
        if found:
            s["found"] += 1
        else:
            s["wrong_span" if hits else "missed"] += 1
            misses[kind].append((case, verdict["hits"]))

    print(f"{'kind':<14}{'cases':>7}{'found':>7}{'recall':>9}{'missed':>8}{'wrong span':>12}")
    total = collections.Counter()
    for kind in KINDS + PUNCT_KINDS:
        s = stats.get(kind)
        if not s:
            continue
        total.update(s)
        print(f"{kind:<14}{s['cases']:>7}{s['found']:>7}{s['found'] / s['cases']:>9.2%}"
              f"{s['missed']:>8}{s['wrong_span']:>12}")
    recall = total["found"] / total["cases"]
    print(f"{'overall':<14}{total['cases']:>7}{total['found']:>7}{recall:>9.2%}"
          f"{total['missed']:>8}{total['wrong_span']:>12}")
    neg = stats["inserted_cjk"]
    print(f"negatives (inserted_cjk): {neg['cases']} cases, {neg['matched']} matched the term "
          f"({neg['matched'] / max(neg['cases'], 1):.2%}, must be 0)")
    if bad_offsets:
        print(f"{bad_offsets} hits with inconsistent text/byte offsets")

    if args.show:
        for kind in KINDS + PUNCT_KINDS + ["inserted_cjk"]:
            for case, hits in misses.get(kind, [])[:args.show]:
                text = case["text"]
                parts = "+".join(case.get("parts", [])) or kind
                if case["start"] is None:
                    print(f"\n[{kind}] {case['id']} ({parts}) term {case['term']!r} should not match")
                else:
                    print(f"\n[{kind}] {case['id']} ({parts}) term {case['term']!r} expected "
                          f"{case['start']}-{case['end']} {visible(text[case['start']:case['end']])!r}")
                print(f"  text: {visible(text)}")
                for h in hits:
                    print(f"  hit:  {h['term']!r} {h['start']}-{h['end']} {visible(h['text'])!r}")
                if not hits:
                    print("  hit:  (none)")

    ok = recall >= MIN_RECALL and neg["matched"] == 0 and bad_offsets == 0
    print(f"\n{'PASS' if ok else 'FAIL'}: overall recall {recall:.2%} (needs >= {MIN_RECALL:.0%}), "
          f"{neg['matched']} negative matches (needs 0)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
