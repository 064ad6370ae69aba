"""Is someone in danger right now? The emergency act, decided by what is happening, not by keywords alone.

Why a module of its own rather than more emergency keywords:
- Danger is often two things together that are harmless apart: a person and a state ("老人…头在流血"),
  a child and a place ("小孩…站在阳台护栏上"), an elevator that stopped and someone inside
  ("电梯卡住了 我妈被关在里面"). Keyword weights cannot say "both"; these patterns can.
- The same words appear in reports that are not emergencies: a hazard ("有火灾隐患"), a hypothetical
  ("哪天着火了都跑不掉"), a past event ("上次电梯困人"), something already over ("已经灭了"), a rule
  question ("着火了应该打什么电话"). Those frames are recognised around each cue, so a message is an
  emergency when at least one cue is *not* inside such a frame.
- A miss costs far more than a false alarm (a false alarm shows 119/120/110 and files an urgent
  case), so cues are generous and frames are narrow: a word that says "now" (现在, 正在, 快, 救命)
  lifts the past/hypothetical/question frames.

Frames added for issue 11 item 4, each scoped to what it can undo: nobody there ("幸好里面没人", "没人受伤")
sets aside only the cues that need a person (trapped, medical); the stove or the valve already off only fire,
smoke and gas; "already over" is lifted while it still goes on (还在, 又烧起来); a cue before "原来是" was a
false alarm explained; the news, a dream or another town is a report from elsewhere; idioms on 火/炸/死
("火冒三丈", "头都要爆炸了", "打死我也不") and a sensation before a fire cue ("辣得嘴巴都着火了") are figures.

Frames are scoped to the cue (issue 11 item 4, after emergency_dev3): the story's frames (past, over, elsewhere,
asked, nobody there, turned out) reach a cue only from FRAME_BEFORE / FRAME_AFTER characters around it and never from
before a turn to now (结果, 今天, 刚才); a now word lifts them only from the cue's own clause. So "我本来想问一下停车的事
结果看见楼下有人打架" is an emergency, and "我儿子两年前溺水 现在想学游泳" is not. The register of a complaint to
officials (领导, 来电反映, 望…解决) is the whole message's, lifted by any now word. Alarm emoji, which
normalisation drops, are read from the original text as words (`with_alarm_signs`).

After emergency_dev4 (blind once at 18/80 missed, 8/80 false alarms) each miss was taken as a family, not a phrase:
bleeding that will not stop, a head struck and the person dazed, a limb pinned, many people sick at once, stove fumes
with people not answering, a dog that holds on, water rising round someone who cannot move, a collapse with someone
under it, a lift stuck between floors, being followed from afar, and their Cantonese forms (俾刀割亲, 企喺, 跳落去).
Its false alarms were frames: a fight already broken up, a misunderstanding, a pet at the vet, 冇人困住, a how-to or
training question, the next district's news.

After emergency_dev5 (blind once at 21/79 missed, 9/80 false alarms) the same way (danger3): a dog on a person, a
neighbour unseen for days with a smell and no answer, a child gone from sight or fallen in by water, an oil fire
spreading, hot liquid thrown on someone, shut in by someone (不让我走), a threat to throw someone down, a fever fit, no
pulse, slurred speech or a fall with sweating, water rising round someone who cannot walk, fumes making people dizzy, an
allergy swelling the throat, a bare address with 快. Its false alarms were frames: a simile (像打架一样), a drama,
hearsay, a joke (开玩笑), a how-to, 免得/以免, 就完蛋, a Cantonese past (琴日, 冇事啦).

After emergency_dev7 (blind once at 17/80 missed, 2/80 false alarms; danger4): breathing that is hard work (喘气费劲,
唞唔到气, "breathing很困难"), an allergy after a food or a sting (face, lips or throat swelling, hives all over), robbed
or pushed down just now, mushrooms and then vomiting, dizzy and unable to stand, a fit said 抽抽, someone fallen
suddenly in the middle of doing something, unresponsive however long called (喊了半天没反应, 叫都叫不醒), blood
spurting out, a cut wrist, life said to have no point, someone shut in alone and gone silent, many pills at once, a
neighbour unseen for days who does not answer, a lift called lift/𨋢/升降机, 好大烟. Words typed with a space between
them ("突然 说不出话 半边 身子 动不了") are matched as one (`_spaced_cues`). A change of topic (对了, 另外, 哦还有) is a
turn: a question before it does not frame the danger after it; 不小心 is an accident, not a caution; playing a game
(打游戏) is what someone was doing, not a report from a game. Frames: 到/得 before 爆炸 or 冒烟 is hyperbole
(排队排到爆炸, 气到冒烟); a bare 抽 with smoke, a pump or a draw; 不让我走 said of a shop, a guard or a parent with no
force; 说不出话来 after a mood; 烧炭 said of people in general as a reminder (还有人/有些人…, nobody affected);
再…就 (a conditional threat); out of breath on the stairs; a bare address + 快 naming an errand (快递, 外卖).
A probe of 40 messages written before running them then found 15 more missing, fixed the same way: 喘不动/喘得厉害,
a throat blocked, a bag snatched by someone who runs, a fit and then still, a person with dementia not back, a bottle
of pills, a stranger forcing the door, low blood sugar with signs, a hand caught in a machine, a scald taking the
skin off, 怎么拍都不醒, 误吃 medicine, chasing with a bottle or a tool; a second probe of 30 found 11: 全身是血,
English alarms (fire fire, collapsed), pinyin yun dao, arson now, a gas meter hissing, a face turning purple (not with
cold), hit by a partner still at the door, cardiac arrest and CPR now, a finger crushed off, someone in a lift shaft.

Round 5 (danger5) made detection compositional, because cue families fitted on one set missed one in three on the next.
Besides cues that stand alone, `_SIGNS` holds signs that are ordinary alone (胸口闷, 冷汗, 头晕, 吐了, 起疙瘩, 着火 with
nobody named, 里面还有人 with no peril) and `_CAUSES` things that explain a sign (pills by the bottle, a sting, a scald, a
fall, a fever, diabetes, a blow to the head, water inhaled, a chemical spilt). Each part is framed on its own like a cue;
the parts left standing make an emergency only as a known pair (`_PAIRS`: chest pain + sweat, a sudden headache +
vomiting, hives + a tight throat, a peril + someone in it, despair + the means…), three body families at once, or a cause
with a sign it explains; body signs asked about or told as recurring (最近, 怎么回事) with no now word are a health
question. Probes of our own (emergency_probe5 … 5e, written before their rules ran on them) were fixed on by family.
Traditional 著 is read as 着; a polite opener (请问一下) asks only if a question follows it.

Round 6 (danger6; emergency_dev8 was blind at 19/80 missed, 4/79 false alarms) widened groups rather than adding
phrases: hedged signs (胸口有点痛, 头好晕, 也麻, 脸色有点白, 出了挺多汗), English signs and perils (face swollen, hard to
breathe, fire + still inside), something about to fall over people below, chest with back pain, dizziness then a
collapse, a child crying while someone beats them, a small child alone behind a locked door, fumes breathed in
(a cause that needs two of its signs: "闻了油漆味头晕" is a complaint). Narrowed: a weapon in hand (_BARE_WEAPON)
stands only with a target or a threat (_WEAPON_THREAT), a weapon's blow needs a person or a door as its object,
a child climbing needs a height, violence after a divorce or an arrest is over; "what do I do" for one's own is a
plea, not a rule question; 以为 (a mistaken belief), group-chat hearsay, Cantonese 成日 and 烧嘢 are frames.

Input is the classifier's normalised text (Simplified, lower-case, emoji dropped). OpenCC keeps 著
in 著火, so both spellings are listed. The admin-written keywords in `intents/emergency.yaml` still
count: `decide` combines them with what is found here. A message over LETTER_CHARS is a letter
(they tell of past events; people in danger type short) and is never an emergency.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: Someone who can be hurt; patterns that need a person use this.
_PERSON = (
    r"(?:人|孩|娃|宝宝|婴儿|小朋友|老人|老太|老头|老汉|大爷|大妈|大娘|阿姨|阿婆|婆婆|奶奶|爷爷|外婆|外公|姥姥|"
    r"姥爷|孙子|孙女|学生|爸|妈|爹|娘|老公|老婆|媳妇|丈夫|妻子|儿子|女儿|姐|哥|弟|妹|女孩|男孩|女的|男的|工人|师傅|邻居|我|他|她|"
    r"阿伯|阿叔|伯伯|阿嫲|阿爷|阿公|阿爸|阿妈|叔|婶|舅|姨|嫂|姑|老豆|老窦|老母|细路|佢|女仔|男仔|后生仔)"
)
_CHILD = r"(?:孙子|孙女|孩|娃|宝宝|婴儿|小朋友|女孩|男孩|儿子|女儿|细路|bb)"
_GAS = r"(?:煤气|燃气|天然气|瓦斯|液化气|燃汽|煤汽|气管|气罐|气瓶|煤气罐)"

#: (kind, triggers, pattern). Kinds say which number fits (fire/gas → 119, medical → 120, police → 110).
#: Every match of a pattern contains one of its trigger characters; a pattern whose triggers are all absent is
#: not run. Python's regex engine tries each alternative at each position, so this keeps a message to a few
#: C-level `in` checks plus the patterns that can match.
_CUES: tuple[tuple[str, str, str], ...] = (
    # fire starting
    ("fire", "火伙燃烧著起点", (
        r"(?<!随)着火(?!车)|著火|火烛|起火|失火|着伙|火灾了|发生火灾(?!时|怎么|的话|隐患)|"
        r"自燃|烧起来|着起来|著起来|燃起来|烧着了|点着了|火烧起来"
    )),
    ("fire", "火", r"冒火|火苗|火光|火焰|明火|大火|火(?:很|好|太|特别|非常)大|火势|火(?:越来越|越烧越)大"),
    # "车着了": caught fire, said colloquially
    ("fire", "着烧", (
        r"(?:车|房子|屋子|房间|仓库|柴火|草堆|被子|沙发|窗帘|电线|插座|电视|锅)(?:里)?(?:着了|(?:在|正在)烧(?!水|饭|菜|香|纸|烤))"
    )),
    ("fire", "火焦糊烧爆", (
        r"火花|火星子|冒火星|火星四溅|电火|打火花|焦糊|烧焦|糊味|焦味|烧黑了|爆炸|"
        r"(?:电池|电瓶|充电|气罐|煤气罐|锂电).{0,4}爆了"
    )),
    ("smoke", "烟", (
        r"冒烟|冒黑烟|冒浓烟|浓烟|黑烟|(?:全是|都是|到处是|到处都是|满屋子?|好多|好大的|很大的)烟|"
        r"烟(?:很|好|太|超|特别|非常)(?:大|浓)|(?:好|很|超|特别|非常)(?:大|浓)(?:的)?烟"
    )),
    # gas leak
    ("gas", "味气碳", r"(?:煤气|燃气|天然气|瓦斯|液化气|燃汽|煤汽)[^ ,，。]{0,4}味|臭鸡蛋(?:的)?味|漏气|一氧化碳|煤气中毒"),
    ("gas", "气斯汽", _GAS + r".{0,10}(?:漏|泄|喷|破了|断了|裂)"),
    ("medical", "触电粘贴吸", (
        r"触电|被电(?:打|击|到|着|了|倒|晕|伤)|电到人|电(?:倒|晕)了?(?:一个|个|一条|条|一只|只)?|"
        r"(?:手|人|身子).{0,3}粘在(?:上面|电|线)|"
        r"(?:电线|电闸|电门|电箱|漏电|带电)[^。]{0,12}(?:手|人|身子)[^。 ]{0,3}(?:粘|贴|吸)(?:在|住)"
    )),
    ("gas", "炭", r"烧炭"),
    # someone collapsed, unconscious, not breathing
    ("medical", "晕昏休省", (
        r"晕倒|昏倒|(?:晕|昏)在(?:了)?(?:浴室|卫生间|厕所|地上|床上|家里|门口|楼道|电梯|路边|里面)|晕道|昏道|昏到|晕过去|昏过去|晕了过去|昏了过去|晕到|晕起|晕厥|昏厥|昏迷|休克|不省人事|人事不省"
    )),
    ("medical", "反静醒", (
        r"(?:叫|喊|拍|推|摇)(?:了)?(?:他|她)?(?:好几声|几声|半天|好久|好一会儿?|好几遍|几遍)(?:都|也)?没(?:有)?(?:反应|动静)|"
        r"(?:叫|喊)(?:都|也)(?:叫|喊)?不(?:太)?醒|(?:叫|喊)不太醒"
    )),
    ("medical", "意醒应反话语志静", (
        r"没(?:有)?意识|失去意识|意识(?:不清|模糊)|神志不清|说胡话|胡言乱语|叫不醒|喊不醒|叫不应|喊不应|叫也不应|喊也不应|(?:叫|喊)(?:他|她)?都?没(?:有)?反应|(?:摇|拍|推|敲窗户?|拍窗户?)(?:了)?(?:他|她)?(?:好几下|几下|半天|好久|一会儿)?(?:都|也)?没(?:有)?(?:反应|动静)"
    )),
    ("medical", "倒躺动摔", (
        r"倒地|倒在地上|倒在路边|躺在地上|躺地上|一动不动|躺着不动|摔在地上|摔倒在地|"
        r"倒在(?:路上|沙发|床边|门口|卫生间|厕所|浴室|楼道|楼梯|血泊|马路)|突然倒下"
    )),
    ("medical", "磕撞摔", (
        r"(?:头|脑袋|额头|脑壳|下巴).{0,3}(?:磕|撞|摔)(?:破|烂|伤|开)|(?:磕|撞|摔)(?:破|烂|开)了?(?:头|脑袋|额头|脑壳)"
    )),
    ("medical", "抽吐翻喘呼吸气噎憋惊", (
        r"抽搐|抽筋|抽风(?!机)|惊厥|抽起来了|口吐白沫|翻白眼|喘不上气|喘不过气|呼吸困难|没(?:有)?(?:呼吸|呼西|乎吸|呼息)|没气了|"
        r"上不来气|噎着|噎住|憋得|(?<![会能要])不(?:呼吸|喘气)了?(?![道科])"
    )),
    ("medical", "心突梗风脑胸唇脸嘴暑呼", (
        r"心脏病(?:犯|发|又犯)|心脏骤停|心跳骤停|(?:在|正在)(?:给他|给她|帮他|帮她)?(?:做)?(?:心肺复苏|人工呼吸)|"
        r"(?:脸|脸色|嘴唇|嘴巴)(?:都|已经)?(?:发紫|青紫|紫了|青了)|心脏(?:不舒服|难受|疼|痛)|突发|(?:心梗|中风|脑梗)了|(?:胸(?:口|部)?|心口)(?:突然|好|很|特别|一阵)?(?:剧痛|剧烈疼痛|绞痛|疼|痛)|嘴唇发紫|"
        r"脸色发青|中暑(?!假|期)|呼吸机.{0,3}(?:停|坏|没电)"
    )),
    ("medical", "毒药吞腕杀生楼河跳寻活服误", (
        r"中毒了|中毒(?:晕|昏)|喝了?农药|老鼠药|误吞|误服|误食|误喝|"
        r"误吃(?:了)?[^。 ]{0,6}(?:药|片|颗|粒|电池|磁铁|毒|剂|液|水银)|吞了.{0,6}药|割腕|(?<!慢性)自杀|"
        r"轻生(?!产)|跳楼(?!机|价)|跳河|往下跳|寻死|不想活了|活不下去|不活了|不想再活|活够了|"
        r"活着(?:真|好|都|也|还)?没(?:有|什么|啥)?(?:意思|意义|劲)"
    )),
    # injury
    ("medical", "血", (
        r"流血|出血|血流不止|血止不住|(?:都|全|全身|浑身|满头|满脸|满身|一身|一脸|满地|到处)是血(?!水|渍|迹|块|丝)|一地血|"
        r"一地的血|好多血(?!渍|迹)|很多血(?!渍|迹)|血泊|头破血流|满身血|满脸血|"
        r"血(?:一直|不停|都)?(?:喷|涌|冒|流|淌|飙|渗)(?:了)?(?:出来|一地|满地|不止|个不停)|"
        r"血[^ ,，。]{1,6}(?:喷|涌|冒|流|淌|飙)(?:了)?出来|血流了?(?:一地|满地|好多|很多)|"
        r"血(?:直|一直|不停地?)?(?:往外|向外)(?:喷|涌|冒|流|淌|飙)"
    )),
    ("medical", "伤骨断烫", (
        r"受伤|摔伤|砸伤|砍伤|捅伤|刺伤|烫伤|烧伤|骨折|摔断|(?:(?<![桌椅凳床])(?<!桌子|椅子|凳子)腿|胳膊|(?<![扶把拉])手|骨头|脖子).{0,3}断了|"
        r"被(?:开水|热油|油)烫"
    )),
    ("medical", "摔跌滑栽", r"(?:摔|跌|滑倒|栽).{0,12}(?:起不来|站不起来|爬不起来|动不了|不动了|不能动)"),
    ("medical", "唔冇", r"起唔(?:到|嚟|番)身?|郁唔到|唔郁|(?:叫|喊).{0,3}唔(?:醒|应)|冇(?:晒)?(?:反应|呼吸|气|知觉)"),
    ("medical", "晕昏", r"(?:晕|昏)(?:低|咗|死过去)"),
    ("medical", "血", r"流(?:紧|咗|住)血|血(?:一直|不停|止不住|哗哗|直)(?:地|的)?(?:往外)?(?:流|冒|淌|喷)|冒血|淌血|喷血"),
    ("medical", "烫渌", (
        r"(?:开水|热水|滚水|热油|滚油|沸水|热汤|油锅).{0,6}(?:烫|渌)(?:到|着|伤|亲|了)|渌亲|烫亲|"
        r"烫(?:得|出|起)?.{0,4}(?:脱皮|起泡|水泡|破皮|掉皮|红肿)|烫(?!了?个?头|发)[^。]{0,8}皮(?:都|全)?(?:掉|烂|脱)了"
    )),
    ("medical", "从", _PERSON + r".{0,4}从.{1,8}(?:摔|掉|跌|坠|滚)(?:下|了)(?!的)"),
    # signs of a stroke; something stuck in the throat
    ("medical", "清歪麻半话边", (
        r"说话不清|口齿不清|嘴(?:巴)?歪|脸歪|半边(?:身子|身体|脸)?(?:麻|动不了|没知觉|不能动)|突然说不出话|"
        r"一边(?:手|脚|胳膊|腿|身子)(?:没力|麻|动不了|抬不起)"
    )),
    ("medical", "喉嗓气吞", (
        r"卡在(?:喉咙|嗓子|气管)|卡(?:住)?(?:喉咙|嗓子)|"
        r"吞(?:了|下去了|下了|进去了)?.{0,3}(?:硬币|纽扣|磁铁|珠子|钉子|别针|刀片)|"
        r"把(?:硬币|纽扣|电池|磁铁|珠子|钉子|别针|刀片).{0,2}吞"
    )),
    # cut by a blade or glass; something swallowed or drunk that poisons
    ("medical", "割划砍切扎刺捅剁夹压轧砸", (
        r"被.{0,4}(?:刀|玻璃|刀片|斧头|剪刀|铁片|钢筋|钉子).{0,2}(?:割|划|砍|切|扎|刺|捅)(?:到|伤|破|开|中|断|穿)|"
        r"(?:手指|指头|脚趾)(?:头)?[^。 ]{0,4}(?:夹|压|轧|砸)(?:断|掉|烂)|"
        r"(?:割|切|剁|砍)(?:掉|断)了?.{0,3}(?:手指|指头|手|脚趾)|(?:划|割)(?:到|破|伤|开)了?(?:手腕|动脉|脖子)|(?:手指|指头|脚趾)(?:头)?.{0,2}(?:切|割|剁|砍)(?:掉|断)"
    )),
    ("medical", "药", (
        r"(?:一瓶|一整瓶|整瓶|一把|好多|很多|一堆|大把|一板)(?:的)?.{0,4}药.{0,3}(?:全|都)?(?:吃了|吞了|喝了|吃下去|吞下去|吃光)|"
        r"把.{0,6}药(?:全|都)?(?:吃|吞|喝)(?:了|下去|光)"
    )),
    ("medical", "吃吞喝", (
        r"(?:凝珠|洗衣球|干燥剂|樟脑丸|消毒液|消毒水|洁厕|漂白|农药|老鼠药|杀虫剂|敌敌畏|百草枯|电池|磁铁)"
        r"[^ ,，。]{0,6}(?:吃|吞|喝)(?:了|进去|下去)|(?:吃|吞|喝)进去了"
    )),
    ("medical", "误吃喝吞舔", (
        r"(?:误食|误喝|喝了|吃了|吞了|喝下|吃下|吞下|舔了|喝错|吃错)(?:一口|一点|几口|半瓶|一瓶|一些|好多|些)?.{0,6}"
        r"(?:毒蘑菇|野蘑菇|野生菌|野菌|菌子|消毒液|消毒水|84|洁厕|漂白|清洁剂|洗衣液|洗洁精|杀虫剂|除草剂|敌敌畏|百草枯|"
        r"安眠药|一整瓶药|纽扣电池|电池|磁铁|水银|凝珠|洗衣球|干燥剂|樟脑丸)"
    )),
    # a dog attacking a person now
    ("medical", "咬扑", (
        r"(?:狗|犬)[^ ,，。!?；;]{0,6}(?:咬|扑)(?!过)(?:住|着|伤|倒|了)?(?:一个|个|了)?.{0,3}" + _PERSON + r"|"
        r"(?:狗|犬)(?:在|正在)?咬人|(?<![狗猫])(?:被|俾|畀).{0,4}(?:狗|犬)(?:追着|在)?(?:咬|扑)"
    )),
    ("medical", "撞祸咬砸压埋碾轧卷绞", (
        r"被.{0,5}车.{0,2}(?:撞|碾|轧)(?!坏|歪)|撞飞|(?:卷|绞)(?:进|入|到)了?.{0,4}(?:机器|机|传送带|滚筒|履带)|"
        r"被[^。 ]{0,6}(?:机器|机|传送带|滚筒|履带)(?:卷|绞)(?:进去|进|住|伤|断)|"
        r"砸(?:到|中|伤)了?(?:一个|个|两个|几个)人"
    )),
    ("medical", "撞祸咬砸压埋", r"被车撞|撞倒|车祸|咬得很深|砸到人|砸中人|砸伤人|压住了?.{0,3}人|压在下面|被埋"),
    ("medical", "压埋砸", (
        r"(?<!车)被?(?:压|埋|砸)在.{0,10}(?:下面|底下|下边|下头|里面|里头)|"
        r"(?:下面|底下|下边|里面|里头)(?:还|好像|可能|似乎|应该|估计)*(?:压|埋|困)着(?:[一两三四五几\d]+个|个|有)?.{0,2}人|埋(?:了|着)(?:一个|两个|几个|个)?人"
        r"|(?<!车)被(?:压|埋|砸)住|" + _PERSON + r".{0,4}被(?:压|埋)"
    )),
    ("medical", "把拔抽", (
        r"把(?:[一两几三]?(?:个|名|位))?.{0,2}" + _PERSON + r".{0,4}(?:压|砸|埋|卡|夹|撞)(?:住|在|伤|倒|晕)|"
        r"(?:腿|脚|手(?!机)|胳膊|身子|头)[^ ,，。!?]{0,8}(?:拔不出|抽不出|拉不出)"
    )),
    ("medical", "塌垮倒", (
        r"(?:塌|垮|倒)了?.{0,8}(?:下面|底下|里面|里头)(?:还|好像|可能|似乎|应该|估计)*有" + _PERSON + r"|"
        r"(?:楼|房子|房屋|屋顶|楼房|大楼)(?:塌|垮)(?:了|下来)(?!一块|一角|一点|一部分|一半)"
    )),
    ("medical", "砸", r"砸(?:到|中|伤)了?[^ ,，。]{0,4}" + _PERSON + r"(?![家的])|(?:在|正在|拿.{0,4})砸人"),
    ("medical", "掉落溺扑游跌摔滚挣沉淹冲", _PERSON + r"[^的]{0,6}(?:掉进|掉到|掉下去|掉(?:河|水|井|湖|池|海)里|落水|溺水|"
                              r"(?:跌|掉|摔|滚)(?:咗|了)?(?:落|进|入|下)(?:了)?(?:河|水|湖|海|塘|池|井|江|涌))|扑腾|不会游泳|"
                              r"(?:水|河|湖|海|池|塘|江)(?:里|中)?.{0,3}(?:挣扎|沉下去)|快?(?:沉|淹)下去了|淹着了|被水冲走"),
    # families emergency_dev4 showed missing (danger2): bleeding that will not stop; a cut said the Cantonese way
    # (俾刀割亲); a head struck and dazed; pinned by a limb; many people sick at once; fumes from a stove with
    # people not responding; a dog that bites and holds on; water rising where someone cannot get out.
    ("medical", "血", (
        r"血(?:一直|还|还是|怎么也|都)?"
        r"(?:止不住|止不了|止不下来|停不下来|流不停|流个不停|流唔停|流唔止|唔停|唔止|停唔到|止唔到)"
    )),
    ("medical", "割划砍切扎刺捅剁", (
        r"(?:被|俾|畀|给)(?:[^ ,，。]{0,4})(?:刀|玻璃|刀片|斧头|剪刀|铁片|铁皮|钢筋|钉子)(?:[^ ,，。]{0,2})"
        r"(?:割|划|砍|切|扎|刺|捅)(?:到|伤|破|开|中|断|穿|亲|咗|了)|"
        r"把(?:手指|指头|手|脚|手腕|胳膊)(?:头)?.{0,2}(?:切|割|剁|砍|划)(?:了|到|破|伤|断|掉|开)"
    )),
    ("medical", "磕撞摔砸", (
        r"(?:头|脑袋|额头|后脑勺?|脑壳)(?:先)?(?:磕|撞|砸|摔)(?:在|到)了?[^。]{0,12}"
        r"(?:迷迷糊糊|迷糊|不清醒|没反应|叫不醒|起不来|吐了|呕吐|流血|出血)"
    )),
    ("medical", "压砸卡夹", (
        r"(?:压住|砸住|卡住|夹住|压着|压在)了?(?:[^ ,，。]{0,4}的)?"
        r"(?:腿|脚|手(?!机)|胳膊|身子|身体|下半身|半个身子|头)(?![机套发表])"
    )),
    ("medical", "吐泻毒晕昏", (
        r"(?:几个|十几个|几十个|好多|很多|一群|一批|一家|全家|一家人|多个)人?[^。]{0,10}(?:上吐下泻|又吐又拉|呕吐|食物中毒)|"
        r"食物中毒|(?:有人|有个人|几个人|两个人|好几个人)(?:突然|一下|都|也|直接)?(?:晕|昏)(?:了|倒|过去)|"
        r"(?:他|她|老人|孩子|小孩|奶奶|爷爷|老公|老婆|妈|爸)(?:突然|一下子?|直接)(?:晕|昏)(?:了|倒|过去)"
    )),
    ("gas", "炉炭煤盆", (
        r"(?:炉子|煤炉|炭炉|炭盆|火盆|蜂窝煤|炭火|煤球)[^。]{0,20}(?:没反应|叫不醒|喊不醒|晕|昏|没动静)|"
        r"(?:没反应|叫不醒|喊不醒|晕|昏|躺)[^。]{0,20}(?:炉子|煤炉|炭炉|炭盆|火盆|蜂窝煤|炭火|煤球)(?:还)?(?:烧着|开着|点着|生着)"
    )),
    ("medical", "咬", (
        r"咬(?:住|着)(?:咗|了)?[^。]{0,8}(?:手|脚|腿|胳膊|手臂|裤|脖子|脸|屁股|人|孩|细路|老人)[^。]{0,6}"
        r"(?:不放|唔放|唔肯放|不肯放|不松口|唔松口|拉不开|拉唔开)"
    )),
    ("trapped", "淹漫涌灌涨", (
        r"(?:水|洪水)[^。]{0,14}(?:漫|涌|灌|淹|涨)[^。]{0,60}(?:走不动|搬不动|背不动|动不了|瘫痪|瘫在|卧床|困在)|"
        r"(?:走不动|搬不动|背不动|动不了|瘫痪|瘫在|卧床)[^。]{0,40}(?:水|洪水)[^。]{0,8}(?:漫|涌|灌|淹|涨)"
    )),
    ("medical", "塌垮听救", (
        r"(?:塌|垮)(?:了|下来|下去)[^。]{0,40}(?:有人|人在)[^。]{0,10}(?:下面|底下|里面|废墟)|"
        r"(?:听到|听见)(?:有)?人在?(?:下面|底下|废墟|瓦砾)(?:里)?(?:叫|喊|呼救|哭|求救)|有人(?:在)?(?:呼救|求救)"
    )),
    # families emergency_dev5 showed missing (danger3), each said more ways than the one seen: a dog on a person; a
    # neighbour not seen for days with a smell and no answer; a child gone from sight or fallen in by water; an oil or
    # pot fire spreading; hot water or oil thrown on someone; shut in by someone (不让我走); a threat to throw someone
    # down; a fever fit; no pulse / CPR; slurred speech or a fall with sweating and trembling; water rising round
    # someone who cannot walk; fumes (mixed cleaners, a gas smell) making people dizzy; an allergy swelling the
    # throat; a hand pressed to the chest; someone lying and not moving however called; Cantonese 打交, 揸刀, 㶶味.
    ("medical", "扑咬按", (
        r"(?:狗|犬)[^。]{0,4}把[^。]{0,4}" + _PERSON + r"[^。]{0,2}(?:扑倒|在咬|咬住|按住)|"
        r"(?:狗|犬)[^。]{0,6}(?:扑倒|咬住|按住)了?[^。]{0,3}" + _PERSON
    )),
    ("medical", "臭异怪味", (
        r"(?:臭味|异味|怪味|尸臭)[^。]{0,40}(?:没人应|没人回应|没有回应|没人开门|没动静|没人答应)|"
        r"(?:没开门|没出门|没出来|没见(?:到|过)?(?:人|她|他)|没人应|没人回应)[^。]{0,40}(?:臭味|异味|怪味)"
    )),
    ("child", "找见丢影", _CHILD + r"[^。]{0,24}(?:到处找不到|到处都找不到|找遍了|怎么也找不到|人不见了|突然不见|没影了)"),
    ("child", "掉落栽", (
        r"(?:池塘|河|湖|井|水塘|江|海|水池|泳池|水沟|鱼塘)边?(?:(?!怕|会|万一|如果|(?<!不)小心|担心)[^。]){0,14}(?:掉下去|掉进去|掉水里|掉进|落水|栽下去|滑下去|跌落)"
    )),
    ("fire", "着窜蹿烧起", (
        r"(?:油|锅)[^。 ]{0,4}(?:着了|烧起来|起火|着起来)|"
        r"火(?:窜|蹿|冲|烧)(?:到|上)[^。 ]{0,4}(?:油烟机|天花板|窗帘|柜子|墙|屋顶|楼上)"
    )),
    ("medical", "水油汤粥", (
        r"(?:开水|热水|滚水|热油|滚油|沸水|热汤|热粥)[^。 ]{0,2}(?:泼|洒|浇|倒|溅|淋)(?:到|在|了|着)[^。 ]{0,6}"
        r"(?:身上|脸上|手上|脚上|腿上|头上|背上|胸口|胳膊)"
    )),
    ("trapped", "关锁困", (
        r"(?:^|[ ,，。!?]|" + _PERSON + r")被(?:人|他|她|男的|坏人|老板)?(?:关|锁|反锁|困)在"
        r"(?![^ ,，。]{0,4}(?:门外|外面|外边|外头))"
    )),
    ("police", "让放准走出", r"(?:不让|不放|不准|不许)(?:我|我们|她|他)(?:走|离开|出去|出门|报警)"),
    ("police", "扔推丢抛", r"(?:要|想|威胁|扬言|说要)把.{0,8}(?:从.{0,6})?(?:扔|推|丢|抛)(?:下去|出去|下楼)"),
    ("medical", "抽翻", r"(?:在|一直在|又在|开始|一直)抽(?=$|[ ,，。!?了])|(?:在|一直|又|开始|还在|不停地?)抽抽(?!乐)|"
                       r"眼(?:睛|珠)(?:往上|向上|一直)翻"),
    ("medical", "心脉按胸肺", (
        r"(?:没|没有|摸不到|摸不着|听不到|测不到)(?:了)?(?:心跳|脉搏|脉)|(?:在|帮他|帮她|给他|给她)?按胸口"
    )),
    ("medical", "倒", _PERSON + r"[^。 ,，的]{0,10}(?<![树墙柜杆牌棚门架])突然(?:倒了|倒下|倒地)"),
    ("medical", "含糊起抖汗", (
        r"说话(?:含含糊糊|含糊|不利索|大舌头)|(?:坐|瘫|倒|躺)在地上[^。 ]{0,4}(?:起不来|站不起来|爬不起来|动不了)|"
        r"(?:全身|浑身)(?:发抖|抽)[^。]{0,4}(?:出冷汗|冒冷汗)|(?:出|冒)冷汗[^。]{0,12}(?:说不出话|讲不出话|按着|捂着|晕)"
    )),
    ("trapped", "多深腿膝腰没", (
        r"水[^。]{0,8}(?:越来越多|越来越深|到小腿|到膝盖|到腰|没过)[^。]{0,60}(?:走不动|搬不动|背不动|动不了|瘫痪|卧床|拄拐)"
    )),
    ("gas", "混掺兑晕咳", (
        r"(?:洁厕|84|漂白|消毒液|消毒水)[^。]{0,8}(?:混|掺|兑)|"
        r"(?:味道?|气味|刺鼻的气|毒气)(?:(?!令|让|使|熏得)[^。]){0,12}(?:有人头晕|头晕了|晕了|晕倒|咳得|喘不)"
    )),
    # families emergency_dev7 showed missing (danger4): breathing that is hard work, said many ways (Cantonese 唞唔到气,
    # English); an allergy after a food or a sting (a face, lips or throat swelling, hives all over); robbed or pushed
    # down just now; mushrooms and then vomiting; dizzy and unable to stand; someone shut in alone after saying life
    # has no point and now silent; many pills at once; a neighbour unseen for days who does not answer the door.
    ("medical", "喘呼吸唞透抖喉嗓b", (
        r"(?:喘气|呼吸|透气|breathing)(?:好|很|特别|非常|越来越)?(?:费劲|困难|吃力|费力|急促)|"
        r"喘不(?:动|上|过|来)|喘得(?:很|好|特别)?(?:厉害|不行|说不出话)|呼吸(?:有点|很|好|特别|越来越)?(?:急|弱|浅)(?!救|诊)|"
        r"(?:喉咙|嗓子)(?:好像|里)?被[^。 ]{0,4}(?:堵住|卡住)|"
        r"(?:唞|抖|透|吸)唔(?:到|切|过)气"
    )),
    ("medical", "敏蛰蜇叮吃食a", (
        r"(?:过敏|蛰|蜇|叮|吃了|吃完|食咗|allergic)[^。]{0,16}"
        r"(?:(?:脸|面|嘴唇|嘴巴|眼睛|眼皮)(?:全|都|整个|成块)?(?:肿|腫)|(?:喉咙|嗓子)(?:发紧|收紧|好紧|肿)|"
        r"(?:全身|浑身)(?:都)?(?:起|长|冒)?(?:了)?(?:红疹|疹子|风团))"
    )),
    ("police", "抢推", (
        r"被(?:人)?抢(?:了|走了?)?(?:我的)?(?:包|手机|钱|项链|金链|首饰|耳环)|被(?:人)?抢劫|"
        r"把(?:我|她|他|老人|孩子|我妈|我爸)推倒|被(?:人)?推倒(?:在地)?"
    )),
    ("medical", "菇菌", (
        r"(?:蘑菇|菌子|野菌|野生菌|菌菇|菌汤|毒菇)[^。]{0,20}(?:吐|拉肚子|腹泻|肚子[^。 ]{0,3}(?:疼|痛)|头晕|晕|说胡话|幻觉|发麻)"
    )),
    ("medical", "晕", r"晕[^。]{0,8}(?:站不住|站不稳|站不起来|撑不住|要倒了|快倒了|要晕倒)"),
    ("medical", "锁关", (
        r"把自己(?:反)?(?:锁|关)(?:在)?[^。]{0,8}(?:里|里面|里头)[^。]{0,40}"
        r"(?:没(?:有)?(?:声音|动静|反应|回应)|(?:声音|动静)都没(?:有)?|不开门|不应|不回)"
    )),
    ("medical", "颗片粒", (
        r"(?:吃|吞|喝)(?:了|下|下去|咗)?(?:十几|几十|好几十|一大把|一把|[二三四五六七八九]十多?|\d{2,}多?)(?:颗|片|粒)"
    )),
    ("police", "抢", (
        r"(?:有人|有个|男的|女的|那人|小偷|骑[^ ,，。]{0,4}的)[^。 ]{0,6}抢(?:了|走了?)?(?:我|她|他)?的?"
        r"(?:包|手机|钱包|项链|金链|首饰|耳环|钱)|抢(?:了|走了?)?(?:我|她|他)?的?(?:包|手机|钱包|项链|金链|首饰|耳环)[^。]{0,4}(?:就?跑|逃)"
    )),
    ("police", "痴默智障", (
        r"(?:老年痴呆|痴呆|阿尔茨海默|失智|认知障碍)[^。]{0,30}(?:没回来|没回家|找不到|联系不上|不接)|"
        r"(?:没回来|没回家|找不到|联系不上|不接)[^。]{0,30}(?:老年痴呆|痴呆|阿尔茨海默|失智|认知障碍)"
    )),
    ("medical", "瓶把板盒", (
        r"(?:吃|吞|喝)(?:了|下|下去|咗)?(?:一整?瓶|整瓶|半瓶|一大把|一整板|一整盒)(?:的)?[^。 ]{0,4}药"
    )),
    ("police", "认陌", (
        r"(?:不认识|陌生)[^。]{0,20}(?:砸门|踹门|要进来|硬闯|撬)|(?:砸门|踹门|要进来|硬闯|撬门)[^。]{0,20}(?:不认识|陌生)"
    )),
    ("medical", "糖", (
        r"(?:低血糖|血糖(?:太|很|好|特别)?低)[^。]{0,16}(?:冷汗|手抖|发抖|说胡话|迷糊|反应(?:很|特别)?慢|晕|叫不醒)"
    )),
    ("medical", "抽", r"抽(?:了|着)?(?:好)?几下[^。]{0,8}(?:不动了|没反应|没动静|叫不醒)"),
    ("police", "火", r"有人(?:在|正在)?[^。 ]{0,6}(?:放火|纵火)"),
    ("gas", "嘶呲哧", r"(?:燃气|煤气|天然气|液化气)(?:管|表|阀|罐|瓶|接口|软管)[^。]{0,6}(?:嘶嘶|呲呲|哧哧)"),
    ("trapped", "井", r"(?:有人|人)[^。]{0,4}(?:掉进|掉到|掉下|摔进|在)电梯井|电梯井(?:里|下面|底下)[^。]{0,4}(?:有人|有个人)"),
    ("medical", "没", (
        r"(?:好几天|几天|两天|三天|四天|五天|一周|一个星期|好久|[两三四五六七八九十\d]+天)(?:都|了)?"
        r"没(?:见|看见|看到|见到|见过|出门|出来|露面|下楼)[^。]{0,24}(?:敲门|打电话|叫门|喊)[^。]{0,6}"
        r"(?:没人应|没人开|没反应|没动静|不应|不开|没人接|没人回应)|"
        r"(?:敲门|叫门)[^。]{0,6}(?:没人应|没人开|没反应|没动静|没人回应)[^。]{0,24}"
        r"(?:好几天|几天|两天|三天|一周|一个星期|[两三四五六七八九十\d]+天)(?:都|了)?没(?:见|看见|看到|见到|出门|出来|露面)"
    )),
    # a bare address and "quick": the whole message ("3栋12楼 快")
    ("help", "快", (
        r"^[\d一二三四五六七八九十]+(?:栋|号楼|幢|座|单元)(?:(?!快递|外卖|包裹|取件|送|货|拿|取|修|搬)[^ ]){0,8}"
        r"\s?(?:快|快点|快来|快啲)(?:啊|呀)?[! ]*$"
    )),
    ("gas", "qsi", r"(?<![a-z])(?:ranqi|meiqi|tianranqi|wasi)(?![a-z])\s?(?:漏|泄|味|好大)"),
    ("medical", "肿过敏", r"过敏[^。]{0,12}(?:肿|喘不(?:过|上)?(?:气|来)?|呼吸|说不出话|透不过气)|(?:喉咙|嗓子|舌头)肿得"),
    ("medical", "按捂抓揪讲说", (
        r"(?:按|捂|抓|揪)(?:着|住)(?:心口|胸口)|(?<!得)(?:讲|说)不出话来"
    )),
    ("medical", "叫喊推摇拍药", r"(?:怎么|咋)(?:叫|喊|推|摇|拍)(?:他|她)?(?:都|也)不(?:动|醒|应)|空药瓶"),
    ("police", "打劈揸拎拿", r"(?<!自)打交(?!房|楼|钥匙|付|费|租|道)|劈友|(?:揸|拎|拿)(?:住|着)(?:把|支|条|一把)?(?:刀|铁通|棍)"),
    ("fire", "㶶燶", r"㶶味|燶味|㶶晒|燶晒"),
    ("smoke", "烟", r"烟[^。 ]{0,6}(?:涌|冒|喷|窜|灌)(?:出|进)"),
    # someone trapped
    ("trapped", "困出锁", (
        r"被困|困在|(?<!贫|穷)困住|(?<!贫|穷)困人|困咗|困电梯|(?:关|锁|卡)在.{0,10}(?:出不来|出不去)|"
        r"出不来|出不去|反锁在"
    )),
    ("trapped", "关锁困", _PERSON + r"(?:.{0,2}|在[^。 ,，]{1,4})被(?:关|锁|反锁|困)在(?![^ ,，。]{0,4}(?:门外|外面|外边|外头))"),
    ("trapped", "梯夹l䢂𨋢降", (
        r"(?:电梯|lift|䢂|𨋢|升降机).{0,12}(?:卡住|卡在|突然停|掉下|往下掉|急坠|坠|下坠|冲顶|蹲底|门打不开|打不开)|夹住了?.{0,4}(?:手|脚|头|人)"
    )),
    ("trapped", "梯l䢂𨋢降", r"(?:电梯|lift|䢂|𨋢|升降机).{0,12}(?:停在|停了|停咗|不动了).{0,12}"
                          r"(?:里面|里头|入面|" + _PERSON + ")|"
                          r"(?:电梯|lift|䢂|𨋢|升降机).{0,6}(?:关着|锁着|困着|关了).{0,4}" + _PERSON + "|"
                          # a lift that "困了人" holds someone now ("电梯坏了困了人"); "困了" alone is sleepy
                          r"(?:电梯|lift|䢂|𨋢|升降机).{0,12}困了.{0,3}" + _PERSON),
    ("trapped", "卡困停", r"(?:卡|困|停)在.{0,4}(?:楼|层).{0,2}(?:和|与|跟|到).{0,4}(?:之间|中间)"),
    ("trapped", "卡夹", _PERSON + r".{0,3}(?:的手|的脚|的头|的腿)?被?(?:卡在|夹住|卡住)"),
    ("trapped", "锁关困", r"(?:锁|关|困)(?:着|在).{0,6}" + _CHILD + r"|" + _CHILD + r".{0,8}(?:锁|关|困)在?.{0,4}车"),
    # violence
    ("police", "打殴斗暴砸踹", (
        r"打人|打我(?!电话|手机)|打老婆|打媳妇|打老公|打孩子|打小孩|殴打|被人打|被(?:几个|一群|好几个|两个)人打|"
        r"被(?:我)?(?:老公|老婆|丈夫|男朋友|男友|女朋友|女友|前男友|前女友|前夫|前妻|他|她|那人|那个人|醉汉|陌生人|邻居|房东|小偷|坏人)"
        r"打(?:了|伤|得|晕|倒)(?!电话|针|折|卡|招呼|扰)|"
        r"(?:在|还在|正在|一直)(?:外面|门外)?(?:砸|踹)(?:门|我家门)|"
        r"打起来|打架(?!子)|斗殴|被打|挨打|家暴|打死|打伤|打晕"
    )),
    ("police", "刀砍捅棍砖抢绑死杀", (
        r"持刀|拿刀|拿着刀|动刀|挥刀|砍人|乱砍|捅了|被捅|拿棍|拿砖头|抢劫|抢东西|"
        r"绑架|弄死|杀人|要杀"
    )),
    ("police", "拿持举抄拎提挥握追", (
        r"(?:拿|持|举|抄|拎|提|挥|握)(?:着|起|了)?(?:一?[把根个条])?(?:铁|木|钢|大|长|菜|砍|水果|尖)?"
        r"(?:刀(?!鱼)|棍|棒(?!糖|球)|钢管|铁管|斧头|斧子|匕首|枪|砖头|砖)|追着.{0,8}(?:打|砍|捅)|追打|追砍|"
        r"(?:拿|持|举|抄|拎|提|挥|握)(?:着|起)(?:一?[把根个条])?(?:酒瓶|瓶子|锤子|铁锹|扳手|铁棍|木棍|棍子|刀|砖头|钢管)"
        r"(?:在|正在|到处)?追(?:人|着人|我|着我|打)|"
        r"(?:还在|一直|正在|在)追(?:我|着我)"
    )),
    ("police", "进闯摸躲藏声", (
        r"(?:进|闯进|摸进|钻进)(?:了|来)?(?:一个|个|几个|两个)?(?:陌生人|陌生男人|小偷|贼|坏人)|"
        r"(?:小偷|贼|陌生人|坏人)(?:进|闯进|摸进|钻进)(?:了|来了|来)?(?:我家|家里|屋里|房间|屋)|"
        r"(?:躲在|藏在)(?:房间|屋|厕所|卫生间|柜|床底|衣柜|阳台)[^,，。!?]{0,8}(?:不敢|好怕|害怕|别出声)|不敢出声|"
        r"(?:我|我们|孩子)(?:正|现在)?躲在(?:厕所|卫生间|柜|床底|衣柜)"
    )),
    ("police", "掐勒扼打", (
        r"(?:掐|勒|扼)(?:着|住)?(?:我|她|他)?(?:的)?(?:脖子|喉咙)|"
        r"(?:男的|女的|男人|女人|他|她|老公|老婆).{0,2}(?:在|正在)?打(?:女的|男的|女人|男人|老人|孩子|小孩|她|他|我)"
        r"(?!电话|手机|游戏|球|牌|的电话)"
    )),
    ("police", "跟尾踪", (
        r"(?:男的|男人|陌生人|有人|一个人|那人|那个人)[^,，。]{0,10}(?:一直|偷偷|老是)?(?:跟着|跟住|跟踪|尾随)(?:我|我们|我女儿|我儿子|孩子)|跟踪我|尾随我|被.{0,4}(?:跟踪|尾随)"
    )),
    ("police", "砍捅杀弄死尽火烧点炸斩劈", (
        r"(?:要|想|威胁|扬言|喊着|说要|话要)(?:把.{0,8})?(?:砍死|捅死|杀了|弄死|打死|同归于尽|点火|放火|纵火|烧了|烧死|点了|炸了)|"
        r"(?:说|话|喊着|扬言)要(?:斩|砍|捅|劈|杀)(?:死)?(?:我|你|佢|他|她|人)|"
        r"(?:要|想|威胁|扬言|喊着|说要)(?:去)?[^ ,，。]{0,8}(?:砍死|捅死|杀了|弄死|同归于尽|放火|纵火|烧死)"
    )),
    ("police", "油精", (
        r"(?:泼|浇|倒|洒)(?:了)?.{0,6}(?:汽油|柴油|煤油|酒精)|(?:汽油|柴油|煤油).{0,10}(?:打火机|点火|火柴)|"
        r"(?:拿着|提着|拎着|带着|抱着)(?:一?[桶瓶壶])?(?:汽油|柴油|煤油)"
    )),
    ("medical", "跳", (
        r"(?:想|要)跳(?:落|下)去|跳落嚟|说要跳(?!槽|舞|绳|远|高|水)|(?<!不)要跳(?=$|[ ,，。!?])|要跳下去|想跳下去|跳下来|"
        r"要往下跳|跳江|跳湖"
    )),
    ("medical", "顶台缘窗栏桥", (
        _PERSON + r".{0,6}(?:站在|坐在|爬到|爬上|蹲在|挂在|企喺|坐喺|踎喺|爬咗上)(?:了)?.{0,6}"
        r"(?:楼顶边|天台边|屋顶边|楼顶上|天台上|边缘|阳台外|窗户外|窗外|窗台外|窗台出面|窗口出面|护栏外|栏杆外|栏杆出面|桥边|桥栏)"
    )),
    ("police", "撬闯室胁扬", r"正在撬|在撬|撬门|撬锁|闯进|(?<![进滴流渗漏灌])入室(?!内)|威胁我(?!的|们的)|威胁要|威胁说|扬言"),
    # a child at risk
    ("child", "孩娃宝婴朋儿女细b孙", _CHILD + (
        r".{0,10}(?:窗外|窗台|窗户外|护栏|栏杆|阳台外|"
        r"(?:爬到|爬上)(?:了)?[^。 ,，]{0,6}(?:窗|阳台|栏杆|护栏|楼顶|屋顶|房顶|天台|高处|柜顶|柜子顶|外机|防盗网|围墙|树|"
        r"电线杆|水箱|扶手|桥|边上|边缘|顶上)|爬出(?!来)|翻出(?:窗|阳台|栏杆|护栏|去)|翻过(?:栏杆|护栏|围栏|窗|阳台|围墙)|"
        r"挂在|吊在|外机|防盗网|马路中间|"
        r"找不到|走丢|不见了|没影了|被拐|抱走|扑倒|在咬)"
    )),
    ("child", "拉拽抱扯", r"(?<!我)(?:拉|拽|抱|扯)着(?:我(?:家)?的?)?" + _CHILD + r"子?(?:不放|不松手)"),
    ("child", "抢", r"抢(?:走)?(?:了)?(?:我家|我的|一个|个)?(?:的)?小?" + _CHILD),
    ("child", "拽拉抱拖把", r"(?:拽|拉|抱|拖).{0,6}" + _CHILD + r".{0,6}(?:车|走)|把" + _CHILD + r".{0,3}(?:扑倒|咬)"),
    # a birth starting; an old person lost (dementia, wandering off)
    ("medical", "羊破生", r"羊水破|破水了|(?:马上|快|快要)要?生了|生在(?:家里|路上|车上|电梯里)"),
    ("police", "丢失见到", (
        r"(?:老人|老太|老头|大爷|大妈|奶奶|爷爷|外婆|外公|姥姥|姥爷|老伴|婆婆|老母|阿婆|阿公|阿嫲)"
        r"[^的 ,，。]{0,4}(?:走丢|走失|不见了|找不到了)"
    )),
    # a call for help; a one-word alarm shouted ("火!!!", "抢劫!!"); a call to the emergency numbers now
    ("help", "救来车", r"救命(?!钱|稻草|恩|药)|救救|快来人|快叫救护车|叫救护车|叫白车|救人(?:啊|呀|!)"),
    ("help", "!", (
        r"(?<![\u4e00-\u9fff])(?:火|着火|失火|起火|火烛|救火|救人|抢劫|抓贼|杀人|打人)(?:了|啦|呀|啊|喇)?\s?!"
    )),
    # a bare alarm word standing alone, with no "!" ("火 火 5号楼", "抓贼 二楼"); emoji alarms arrive as these words
    ("help", "火贼偷", r"(?<![\u4e00-\u9fff])(?:救火|抓贼|有贼|抓小偷|火+)(?:了|啦|呀|啊|喇|咯)?(?![\u4e00-\u9fff])"),
    ("help", "s", r"(?<![a-z])sos(?![a-z])"),
    ("help", "hmyd", (
        r"(?<![a-z])(?:zhao\s?huo|qi\s?huo|shi\s?huo|jiu\s?ming|yun\s?dao|hun\s?dao|hun\s?mi|jiu\s?hu\s?che)(?![a-z])"
    )),
    # English alarms typed in a Chinese message ("fire fire 3号楼", "someone collapsed 快叫人")
    ("help", "elu", (
        r"(?<![a-z])(?:fire\s*fire|help\s*help|help me|call 911|call an ambulance|ambulance|collapsed|unconscious|"
        r"not breathing|bleeding|can'?t breathe|anaphyla[a-z]*|epipen)(?![a-z])"
    )),
    ("help", "19", r"(?:快|赶紧|马上|帮我|帮忙|快点|快啲)(?:打|叫|拨|报)\s?(?:个)?(?:119|120|110|999)"),
    # Round 5 (danger5): signs that stand alone, each said as a sign of the body, not as a listed phrase. Whoever is
    # called and does not answer (叫他不应, 问他话也不回, 喊他半天不理); eyes that do not open; someone lying still;
    # breath that will not come (咳不出声音, pinyin hu xi bu shang); a fit (全身发硬, 眼睛往上吊, 一抽一抽); blood that
    # will not stop or is coughed up; the face or speech of a stroke however it is put (说话也不利索, 舌头打结, 一边脸
    # 耷拉); a limb bent out of shape; a cut wrist; two gone down a pit and not come up; English and pinyin signs.
    ("medical", "叫喊问拍推摇敲", (
        r"(?:叫|喊|问|拍|推|摇|敲)(?:了)?(?:他|她|ta|佢){0,2}(?:名字|话)?(?:好几声|几声|半天|好久|好一会儿?|好几遍|几遍|几下)?"
        r"(?:也|都)?(?:不应|没应|不起来|不理|不回(?!消息|信息|微信|短信|电话)|没回应|没(?:有)?回音|不答应|不吭声|不说话|不醒|"
        r"没(?:有)?(?:反应|动静)|不睁眼)"
    )),
    ("medical", "睁", r"眼睛?(?:都|也)?(?:不睁|睁不开了)(?!眼)"),
    ("medical", "躺趴睁瘫倒歪软栽", (
        r"(?:躺|趴|睁|瘫|倒)(?:着|在)[^。 ,，]{0,6}(?:一点|任何)?(?:反应|动静)(?:都|也)没(?:有)?|"
        r"(?:躺|趴|倒)(?:在)?[^。 ,，的]{0,6}不动(?!产)|突然(?:就)?(?:瘫|歪|软|栽)(?:倒|下去|在|了)"
    )),
    ("medical", "咳喘吸透憋hc", (
        r"咳不出(?:声|来|声音)|(?:吸|透)不(?:上|进|过)气|没法呼吸|不能呼吸|憋得(?:说不出话|脸)|"
        r"(?<![a-z])(?:hu\s?xi|chuan\s?qi|chuan)\s?(?:bu\s?shang|bu\s?guo|kun\s?nan)(?![a-z])"
    )),
    ("medical", "硬僵绷挺吊翻插抽牙", (
        r"(?:全身|浑身|身子|身体)(?:突然)?(?:发硬|僵硬|僵直|绷直|挺直)|(?:眼睛|眼珠|眼)(?:往上|向上|朝上)(?:吊|翻|插)|"
        r"眼睛翻白|一抽一抽|牙关紧(?:闭|咬)"
    )),
    ("medical", "血", (
        r"血[^。 ,，]{0,4}(?:停不下来|止不住|止不了|按不住|捂不住)|"
        r"(?:吐|咳|呕)(?:了)?(?:一口|一大口|好多|很多|几口|大口)?(?:的)?血"
    )),
    ("medical", "说讲舌脸嘴", (
        r"(?:说话|讲话)(?:也|都|突然|有点|开始)?(?:含糊|含含糊糊|不清(?!晰)|不利索|大舌头|打结|口齿不清)|舌头(?:打结|发硬|不听使唤)|"
        r"(?:一边|半边|半张|左边|右边)(?:的)?脸(?:都|也)?(?:耷拉|垂下|歪|麻|没知觉)"
    )),
    ("medical", "形", r"(?:腿|胳膊|手臂|手腕|脚踝|骨头|手|脚)(?:都|好像|已经)?(?:变形|扭曲变形)"),
    ("medical", "割划腕", r"(?:割|划)(?:了)?(?:自己的?)(?:手腕|腕|脖子|动脉)"),
    ("medical", "上出静", (
        r"(?:下|进)(?:去|了)?[^。]{0,8}(?:池|井|罐|窖|化粪池|下水道|沼气池)[^。]{0,14}没(?:有)?(?:上来|出来|动静)"
    )),
    ("medical", "头脑", r"(?:头|脑袋|额头|脑壳)(?:都|也)?(?:被[^。 ]{0,4})?(?:打破了|砸破了|破了|开花了|开了个口)"),
    ("help", "fimnsuhk", (
        r"(?<![a-z])(?:isn'?t moving|not moving|won'?t wake|not responding|unresponsive|passed out|fainted|fell down|"
        r"can'?t get up|stopped breathing|choking|seizure|heart attack|overdos[a-z]*)(?![a-z])"
    )),
    # agent × act: someone with a weapon using it on people, someone beating a person, being followed from place
    # to place, a child gone, a plea to stop hitting, a fire spreading or catching suddenly, a person lying in water
    ("police", "拿持举抄拎提挥握抡", (
        r"(?:拿|持|举|抄|拎|提|挥|握|抡)(?:着|起|了)?(?:一?[把根个条])?[^。 ,，]{0,3}"
        r"(?:刀(?!鱼)|棍|棒(?!糖|球)|钢管|铁管|斧|匕首|砖|酒瓶|瓶子|锤|铁锹|扳手|皮带|鞭子|针管|针头|注射器)"
        r"[^。 ,，]{0,8}(?:(?:砸|打|砍|捅|扎|劈|抽)(?:了|着|伤|死)?(?=$|[ ,，。!?]|[一两几]?(?:个|下|刀)|门|窗|车|玻璃|头|脸|"
        + _PERSON + r")|追|冲|晃|挥|舞|吓|逼|威胁|抵)"
    )),
    ("police", "打抽踢踹揍按摁压", (
        r"(?:男的|男人|女的|女人|醉汉|他们|几个人|一群人|一伙人|老公|老婆|丈夫|前夫|男朋友|他|她)[^。 ,，]{0,8}"
        r"(?:打|抽|踢|踹|揍)(?:了|着)?(?:一个|个|两个|几个)?"
        r"(?:女的|女生|女孩|男生|男孩|女人|男人|老人|孩子|小孩|她|他|我|人)(?!家|民|员|们的|的事|电话|手机|视频|微信)|"
        r"(?:按|摁|压)在地上(?:打|踢|揍|踩)|被[^。 ]{0,8}(?:按|摁)在地上"
    )),
    ("police", "打", r"(?:哭|喊|叫|求)(?:着|喊)?(?:说)?(?:别打了|不要打了|别打我|不要打我)"),
    ("police", "跟", (
        r"跟(?:着)?我(?:到|了一路|一路)|(?:被|让)[^。 ]{0,6}(?:跟着|跟了一路)|从[^。 ]{0,8}(?:一直)?跟(?:我|着我)?到|"
        r"(?:跟|追)(?:着|了)?我[^。 ]{0,4}(?:(?:好|[一两二三四五六七八九十几]+)条街|一路|好几站|几站)"
    )),
    ("child", "找见丢", r"(?:找不到|不见了|走丢了|丢了)(?:我(?:家)?的?|我们家的?)?" + _CHILD + r"(?=了|$|[ ,，。!?])"),
    ("fire", "火着", (
        r"火(?:窜|蹿|冲|烧|蔓延)(?:到|上)了?[^。 ]{0,4}|突然(?:就)?着(?:了|起来)|冒(?:蓝|红|明)火|"
        r"(?:电动车|电瓶车|电瓶|插排|插线板|充电器|充电宝|冰箱|电视|空调|热水器|洗衣机|微波炉)[^。 ]{0,6}着(?:了|起来)"
    )),
    ("gas", "滋嘶呲哧", (
        r"(?:管|管子|阀|接口|热水器|灶)[^。]{0,6}(?:嘶嘶|呲呲|哧哧|滋滋)[^。]{0,10}(?:味|臭)"
    )),
    # probe 5b showed these missing, each said more ways: a mouth drooping or lips gone dark; breath coming fast;
    # Cantonese 唔识应; someone down in any room; blood dripping; a stranger working the door handle; someone sitting
    # at a roof's edge; a child not back and unreachable; windows smashed; people pinned; however shaken, no waking;
    # a gaping head wound.
    ("medical", "耷歪斜垂", (
        r"(?:嘴角|嘴巴|嘴|半边脸|脸)(?:也|都)?(?:往下|往一边|向一边|朝一边)?(?:耷拉|歪|斜|垂)(?!嘴|门|着头|了?一下|着?笑)"
    )),
    ("medical", "乌紫青", (
        r"(?:嘴唇|脸|嘴|脸色|指甲)(?:都|已经|开始)?(?:是)?(?:发乌|乌青|乌紫|乌|发紫|青紫|紫|发青)(?:的|了)|"
        r"(?:嘴唇|脸|脸色)越来越(?:紫|青|乌)"
    )),
    ("medical", "喘", r"喘得(?:很|好|特别|非常)?(?:急|快|凶)"),
    ("medical", "唔", r"(?:叫|喊|拍|摇)[^。 ]{0,4}唔识(?:应|反应|醒|郁)|唔识(?:反应|郁)"),
    ("medical", "倒", (
        r"倒在(?:了)?(?:厨房|客厅|卧室|房间|阳台|院子|地板|楼梯口|电梯口|门边|车里|田里|路口|雪地|草丛|绿化带|花坛|河边)"
    )),
    ("medical", "滴", r"血(?:一直|不停|还在|哗哗)(?:地|的)?(?:往下)?滴"),
    ("police", "拧转扭拽掰", r"(?:不认识|陌生|有人|有个)[^。]{0,16}(?:拧|转|扭|拽|掰)(?:门把手|门把|门锁)"),
    ("medical", "边缘外悬吊挂伸探", (
        r"(?:楼顶|天台|屋顶|窗台|桥)[^。]{0,8}(?:站|坐|蹲|爬)在(?:了)?(?:边上|边缘|栏杆外|外面|外边)|"
        r"(?:腿|脚|半个身子|身子)(?:悬|吊|挂|伸)在(?:外面|外边|半空|窗外)|"
        r"(?:半个身子|大半个身子|上半身|身子)(?:都|已经)?(?:探|伸|挂|悬)(?:了)?(?:出去|出来|到外面|出窗外?)"
    )),
    ("child", "回", _CHILD + r"[^。]{0,24}(?:还没回|没回来|没回家)[^。]{0,24}(?:关机|联系不上|找不到|打不通|没人接|不接)"),
    ("police", "砸踹踢", (
        r"(?:在|还在|正在|一直)(?:外面|门外)?(?:砸|踹|踢)(?:我家|我们家)?(?:的)?(?:窗户|窗|玻璃|门)|(?:砸|踹|踢)紧(?:度)?门"
    )),
    ("medical", "压", (
        r"压着(?:[一两三四五六七八九十几\d]+个|个|一位|几位)(?:人|工人|老人|孩子|小孩|师傅)|压着(?:工人|人)(?!家)"
    )),
    ("medical", "叫喊推摇拍", r"(?:怎么|咋)(?:叫|喊|推|摇|拍)(?:他|她)?(?:都|也)(?:叫|喊|推|摇|拍)?不(?:动|醒|应)"),
    ("medical", "口伤窟", (
        r"(?:头|脑袋|额头|脑门)(?:上)?[^。 ]{0,3}(?:好大|很大|一个大|好深|很深|老大)(?:一个|一道|的)?(?:口子|伤口|窟窿)"
    )),
    # probe 5c showed these missing: an eye pierced; a neck caught in a cord; a fit that takes someone away (抽过去);
    # petrol poured said the other way round; people who went into water to save someone and did not come up; two
    # people hacking at each other; an ambulance asked for however it is put (叫个救护车).
    ("medical", "扎戳刺插溅", r"(?:扎|戳|刺|插|溅)(?:到|进|伤|中)(?:了)?(?:眼睛|眼球|眼)"),
    ("medical", "缠勒套绕", (
        r"(?:脖子|颈)[^。 ]{0,8}(?:缠住|勒住|套住|绕住)|"
        r"(?:绳|绳子|带子|线)[^。 ]{0,4}(?:缠|勒|套|绕)(?:住|在)(?:了)?[^。 ]{0,3}脖子"
    )),
    ("medical", "抽", r"抽(?:了)?过去(?:了)?"),
    ("police", "油精", r"(?:汽油|柴油|煤油|酒精)[^。 ]{0,3}(?:泼|浇|倒|洒)(?:在|到|了)"),
    ("medical", "上来", (
        r"(?:下|进|跳进|掉进|跳下)(?:去|了)?[^。]{0,8}(?:河|湖|海|水库|江|塘|潭)[^。]{0,14}没(?:有)?(?:上来|出来|浮上来)"
    )),
    ("police", "砍捅", r"对砍|互砍|对捅|互捅"),
    ("help", "救车1", r"(?:叫|打|喊|帮我叫)(?:个|辆|一辆|一个)(?:救护车|白车|120)"),
    # probe 5d showed these missing, each as a family: an asthma attack; an animal goring or kicking; a wound open
    # on the body; a gas explosion; a blade drawn; a limb bent at an odd angle; lightning; someone climbing a pylon;
    # a vehicle rolling over a foot or driving into people; someone kicking the door in; labour too early; a child
    # high up; escaping down a sheet; a lot of pills swallowed said the other way round.
    ("medical", "哮喘", r"(?:哮喘|气喘)(?:病)?(?:又)?(?:犯了|发作(?:了)?)|喘(?:个)?不停"),
    ("medical", "顶撞踢踩", r"(?:牛|羊|马|猪|野猪)[^。 ]{0,2}(?:顶|撞|踢|踩)(?:了|伤|到|倒|翻)"),
    ("medical", "洞口窟", r"(?:肚子|胸口|身上|腿|背)(?:上)?(?:破了|开了|被扎了|扎了)(?:一?个)?(?:洞|口子|大口子|窟窿)"),
    ("fire", "爆炸", r"(?:天然气|煤气|燃气|液化气|气罐|高压锅|锅炉)[^。 ]{0,4}(?:爆了|炸了)"),
    ("police", "掏亮抽拔", r"(?:掏|亮|抽|拔)(?:出)?(?:了)?(?:一把|把)?(?:刀|枪|匕首|砍刀|菜刀)(?:来)?"),
    ("medical", "弯扭角", r"(?:弯成|扭成)(?:了)?(?:奇怪的|不正常的|很怪的)?(?:角度|形状)|角度(?:不对|很怪)"),
    ("medical", "雷", r"被雷(?:劈|击|打)(?:了|中|到)?|雷劈(?:了|中)"),
    ("medical", "爬攀", r"(?:爬|攀)(?:到|上)(?:了)?[^。 ]{0,4}(?:高压|电塔|电线杆|铁塔|塔吊|变压器)"),
    ("medical", "压轧碾", r"车[^。 ]{0,4}(?:压|轧|碾)(?:到|住|伤|了)(?:了)?[^。 ]{0,4}(?:脚|腿|手|人|身子|头)"),
    ("police", "踹砸撬", r"(?:有人|那人|他|男的|几个人)[^。 ]{0,4}(?:踹|砸|撬)(?:我家|我们家)?(?:的)?门"),
    ("medical", "红破水", r"(?:见红|破水)[^。]{0,20}(?:周|怀孕|孕|个月)|(?:周|怀孕|孕|个月)[^。]{0,20}(?:见红|破水)"),
    ("child", "爬", (
        r"(?:楼顶|屋顶|房顶|水箱|天台|塔吊|围墙|栏杆)[^。]{0,8}(?:有个|一个|有)?" + _CHILD + r"[^。 ]{0,4}(?:在爬|爬上|爬来爬去)"
    )),
    ("trapped", "爬滑吊逃", (
        r"(?:挂|用|绑)(?:着)?(?:床单|绳子|被单)[^。 ]{0,4}(?:往下爬|往下滑|往下吊|逃)|(?:窗户|窗台|阳台)[^。]{0,10}往下爬"
    )),
    ("medical", "冲撞开", (
        r"(?:车|货车|汽车|轿车)[^。 ]{0,4}(?:冲进|撞进|冲向|开进)(?:了)?[^。 ]{0,4}(?:人群|人堆|行人|学校|幼儿园|菜市场)"
    )),
    # probe 5e showed these missing: a whole bottle of pills said by its name; a child alone at an open window;
    # liquid thrown on someone; shut in and beaten; someone still at the bottom of a pool; a person dragged by a car;
    # a gas pipe dug through; a swimmer gone under; a child pushed into a van.
    ("medical", "药丸胶", r"(?:药|丸|胶囊)[^。 ]{0,4}(?:吃|吞|喝)了(?:一整?瓶|整瓶|一把|一盒|一板|好多|很多)(?!了)"),
    ("child", "窗边", (
        _CHILD + r"[^。]{0,12}(?:窗户边|窗边|窗台边|阳台边)[^。]{0,4}(?:站|坐|爬|趴)[^。]{0,24}(?:开着|没大人|没人看|没人管)"
    )),
    ("police", "泼", r"(?:往|向|朝)[^。 ]{0,4}(?:身上|脸上)泼(?:了)?|泼(?:了)?(?:不明液体|硫酸|强酸|腐蚀)"),
    ("police", "关锁", r"把(?:我|她|他|孩子|我们)(?:反)?(?:关|锁)(?!在?(?:门外|外面|外边))(?:在)?[^。]{0,8}(?:打|揍|不让)"),
    ("medical", "底", _PERSON + r"[^。]{0,6}(?:泳池|水池|池|河|湖|水)(?:底|底下)[^。 ]{0,4}(?:不动|没动静|沉着|躺着)"),
    ("police", "拖", r"车[^。 ]{0,6}拖着(?:一个|个)?(?:人|" + _CHILD + r")"),
    ("gas", "断破", r"(?:挖断|弄断|撞断|碰断|挖破|弄破|铲断)(?:了)?" + _GAS),
    ("medical", "见沉影冒", (
        r"(?:河|湖|水|海|塘|池)(?:里|中)[^。]{0,10}(?:看不见(?:人|头)|(?:人)?不见了|沉下去|没了影|冒不出头)"
    )),
    ("child", "塞拖拽拉抱", (
        _PERSON + r"[^。 ]{0,3}被[^。 ]{0,6}(?:塞进|拖进|拽进|拉进|抱进|抱上|拉上|拖上|拽上|塞上)(?:了)?[^。 ]{0,4}车|"
        r"把" + _PERSON + r"[^。 ]{0,4}(?:塞进|拖进|拽进|拉进|抱进|抱上|拉上|拖上|拽上|塞上)(?:了)?[^。 ]{0,4}车"
    )),
    ("medical", "泡漂浮趴朝", (
        r"(?:人|" + _PERSON + r")[^。]{0,10}(?:泡|漂|浮|趴)在(?:水|河|湖|池|塘|海)|脸朝下[^。 ]{0,6}(?:水|河|池)"
    )),
)


class _LazyPattern:
    """A cue's pattern, compiled the first time a message holds one of its triggers: compiling all ~100 was
    ~0.05 s of every start, and most of them meet no message for a long while after one."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str):
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled().search(text)


#: (kind, the characters one of which a cue needs, its pattern): the set saves running patterns that cannot match.
_COMPILED = tuple((kind, frozenset(triggers), _LazyPattern(pattern)) for kind, triggers, pattern in _CUES)

#: Round 5 (danger5): signs that are ordinary alone ("胸口闷", "头晕", "吐了", "起疙瘩") and an emergency together,
#: and perils that are one only with someone in them. (family, triggers, pattern); every match holds a trigger.
#: Two families that make a known picture (_PAIRS), any three body families, or a cause with a sign it explains
#: (_CAUSES) stand. Each part is framed on its own first (past, asked, news, a simile, nobody there), so
#: "上个月胸闷出冷汗 住了院" stays a report; a single sign never alarms ("我妈说她胸口有点闷").
_SIGNS: tuple[tuple[str, str, str], ...] = (
    ("chest", "胸心喘", (
        r"心脏(?:好|很|特别)?(?:疼|痛)|胸(?:口|部)?(?:有点|有些|好|很|特别|一阵)?(?:闷|发闷|憋|发紧|像压|压着|像被压|疼|痛)|"
        r"胸(?:口|部)?(?:像|好像)?(?:针扎|刀割|刀绞|撕裂)|心口(?:闷|疼|痛)|喘气都疼|"
        r"心跳(?:特别|好|很|非常|突然)*(?:快|乱)|心慌"
    )),
    ("sweat", "汗", r"冷汗|虚汗|一身汗|满头大汗|大汗|(?:浑身|全身)(?:冒|出|都是)汗|冒汗|出(?:了)?(?:好多|很多|挺多|不少|一头)汗"),
    ("limb", "麻力劲抬使拿握", (
        r"(?:胳膊|手臂|手|腿|手脚|身子|半边|一边|左边|右边|左手|右手|左腿|右腿)[^。 ,，]{0,4}"
        r"(?:(?:也|都|有点|有些)?(?:发麻|麻了|麻木|麻(?=$|[ ,，。])|没力气?|没劲)|"
        r"抬不起|使不上劲|不听使唤|拿不起|拿不住|握不住|拿不稳)"
    )),
    ("head", "头", r"头(?:痛|疼)(?:欲裂|得(?:像要?炸|要炸))|(?:剧烈|突然)(?:的)?头(?:痛|疼)|头(?:痛|疼)得像"),
    ("vomit", "吐呕", r"(?<![不想要])吐了|呕吐|一直吐|吐个不停|吐得|喷射状?吐"),
    ("dizzy", "晕黑站旋星昏转", r"头(?:有点|有些|好|很|特别)?晕|发晕|"
     r"头昏|晕得(?:厉害|不行)|(?:天花板|房子|屋子|东西)(?:都|一直)?在转|"
     r"眼前发黑|眼前一黑|眼冒金星|天旋地转|站(?:都站)?不(?:住|稳)|晕乎乎"),
    ("allergy", "肿疙疹团s", (
        r"(?<![a-z])(?:face|lips?|eyes?|tongue)(?: is| are)?(?: very| so| all)? sw[eo]ll(?:en|ing|s)?(?![a-z])|"
        r"(?:嘴唇|嘴巴|脸|眼睛|眼皮)(?:也|都|开始|一下)?肿|(?:全身|浑身|身上)(?:都)?(?:起|长|冒)(?:了)?(?:疙瘩|疹子|红疹|风团)|"
        r"起(?:了)?(?:一片|好多|很多)?(?:疙瘩|风团|红?疹子|红疹)"
    )),
    ("throat", "喉嗓憋抓", (
        r"(?:喉咙|嗓子)(?:有点|好|很|发|特别)?(?:紧|肿|堵|火辣辣|烧得(?:疼|痛|慌)|灼痛|灼烧)|抓(?:着|住)?(?:自己的?)?(?:脖子|喉咙)|"
        r"(?:脸)?憋(?:得)?(?:通)?(?:红|紫|青)"
    )),
    ("sleepy", "睡沉迷软", r"一直想睡|昏昏沉沉|迷迷糊糊|软绵绵"),
    ("confused", "认醒糊", r"不认(?:得)?人|认不出人|叫不太醒|(?:有点|有些)?糊涂了"),
    ("fit", "抽", r"抽了(?:一下|两下|几下)|抽了抽"),
    ("cold", "凉冰僵颤", r"(?:手脚|浑身|身上|全身|手|脚)(?:都|也)?冰凉|冻僵|打颤"),
    ("fumes", "熏呛", r"(?:熏|呛)得(?:人)?(?:睁不开眼|喘不过气|喘不上气|直咳|流泪|受不了)"),
    ("stuck", "塞卡掉", r"(?:鼻子|鼻孔|耳朵|喉咙|嗓子)里?(?:塞|卡|掉)(?:了|进)[^。 ]{0,4}(?:豆|珠|纽扣|电池|硬币|磁铁|东西)"),
    ("tremble", "抖哆", r"发抖|手抖|打哆嗦|哆嗦|(?:手|身子|全身)(?:一直|不停)(?:地)?抖|抖个不停"),
    ("pale", "白黄灰", r"(?:脸色|脸|嘴唇)(?:都|也|一下)?(?:有点|有些|好|很)?"
     r"(?:发白|煞白|惨白|苍白|蜡黄|灰白|发灰|白得吓人|白(?=$|[ ,，。了]))"),
    ("still", "动静反", r"没(?:有)?动静|不动了|一动不动|没(?:有)?(?:任何)?反应"),
    ("immobile", "动起走", r"动不了|不能动|起不来|站不起来|走不了路|走不动路"),
    ("breath", "呼吸喘气h", (
        r"呼吸(?:有点|有些)?(?:困难|急|费劲|不畅)|喘不太上|气不够用|喘不上来|(?:喘气|呼吸)有(?:响)?声音|"
        r"(?<![a-z])(?:hard|difficult|trouble|struggling) (?:to |with )?breath(?:e|ing)(?![a-z])"
    )),
    ("alarm", "报滴", r"报警声|报警器(?:一直|还在)?(?:在)?(?:响|叫)|滴滴(?:地|的)?(?:响|叫)个?不停"),
    ("smell", "味", r"怪味|异味|焦味|煤气味|燃气味|烧焦(?:的)?味"),
    ("noanswer", "开应", r"敲门(?:也|都)?没人(?:开|应)|没人开门|叫门没人应"),
    ("quiet", "哭声", r"不怎么哭|不哭了|没(?:有)?哭声|哭不出(?:声)?|没(?:有)?声音了|不出声(?:了)?|"
     r"(?:声音|哭声)越来越(?:弱|小|低)"),
    ("vision", "清影模看", r"看不清(?:东西)?|(?:看东西|看人)(?:都是|有)?重影|眼前(?:一片)?模糊|一只眼(?:睛)?看不见"),
    ("speech", "话啊哼嗯", (
        r"(?:说话|讲话)(?:也|都)?(?:慢了|变慢|听不懂|不清楚|打颤)|说不了话|说不出话|说不清(?:楚)?话|"
        r"只会(?:啊啊|哼哼|嗯嗯)|不会说话了"
    )),
    ("swollen", "肿", r"肿得(?:老粗|好粗|很粗|很大|好大|厉害|发亮|发紫|很快|好快|越来越)|越来越肿|肿起来了|一下(?:子)?肿"),
    ("mouth", "沫泡口烧烂", (
        r"嘴(?:里|巴)?(?:都是|冒|吐)?(?:白沫|泡沫|泡泡)|嘴(?:巴|里)?(?:都)?(?:烧红|烧伤|起泡|烂)了?|"
        r"口水直流|(?:一直|止不住)(?:地)?流口水"
    )),
    ("skin", "泡皮", (
        r"起(?:了)?(?:好大的|很大的|一串|一片|好多|大)(?:水)?泡|(?:全是|都是|满是)?大(?:水)?泡|(?:全是|都是|满是)(?:水)?泡|"
        r"(?:成只|整只|整个|半边|一大片|全)[^。 ]{0,3}(?:起泡|起皮|脱皮)|起皮|脱皮|掉皮|"
        r"皮(?:都|全)?(?:掉了|脱了|烂了|翻起来)|皮肤(?:发白|发黑|焦了)"
    )),
    ("pain", "疼痛", r"(?:疼|痛)得(?:站不住|直不起|打滚|受不了|满地|说不出话|动不了)|剧痛"),
    ("collapse", "瘫歪倒", r"瘫(?:在|倒)(?:了)?(?:地上|地|床上|沙发上)|歪在(?:沙发|床|椅子|地)上|歪(?:下去|倒)了|倒下去了"),
    ("peril", "火烧烟塌垮水味震晃掉倒坠fk", (
        r"地震了|(?:楼|房子)(?:在|一直)晃|着火|起火|失火|火灾|烧起来|冒烟|浓烟|烟(?:很|好|特别|太)大|火(?:很|好|太)大|塌(?:了|下来)|垮(?:了|下来)|"
        r"(?:洪水|大水|水)(?:已经|都|一下子?)?(?:漫到|淹到|涨到|灌进|没过)|(?:煤气|燃气)味|"
        r"(?:招牌|广告牌|花盆|玻璃|瓷砖|外墙|脚手架|塔吊|吊臂|树|电线杆)[^。]{0,6}(?:快要?|要)(?:掉|倒|塌)(?:下来)?了|摇摇欲坠|"
        r"(?<![a-z])(?:fire|black smoke|thick smoke)(?![a-z])"
    )),
    ("inside", "有在听楼来去下底stp", (
        r"(?:还|好像|可能|应该|估计)+有(?:[一二两三四五六七八九十几\d]+个|个|位)?" + _PERSON + r"(?![^。 ,，]{0,3}[吗没呢])|"
        + _PERSON + r"(?:们|都)?还在(?:家|里面|屋里|楼上|上面|下面|里头)|听(?:见|到)[^。 ]{0,4}(?:在)?(?:喊|叫|哭|呼救|敲)|"
        r"有人在(?:喊|叫|呼救|哭)|下不了楼|跑不出来|出不去|"
        r"(?:下面|底下|楼下)[^。 ]{0,4}(?:一堆|好多|很多|一群|都是|全是|站着|有)(?:的)?人(?!家)|"
        r"(?<![a-z])(?:still|someone|somebody|people)(?: is| are)? (?:inside|in there|trapped)(?![a-z])"
    )),
    ("back", "背", r"(?:后)?背(?:后|部|上)?(?:也|都)?(?:有点|好|很)?(?:疼|痛)"),
    # Round 6: a child crying out while someone beats them, a small child alone behind a door no one can open
    ("cry", "哭叫喊", r"(?:哭喊|惨叫|哭叫|尖叫|哭着喊|喊救命)"),
    ("beating", "打", (
        r"(?:大人|家长|他爸|他妈|男的|女的|有人)(?:在|正在|还在|一直在)打(?!麻将|牌|电话|游戏|球|扫|针|字|工|印|卡|扑克|车|架子|呼)|"
        r"打了(?:半个?小时|一个多?小时|好久|半天|很久|几个小时|一晚上)"
    )),
    ("alone", "个自", _CHILD + r"[^。 ]{0,3}(?:一个人|自己|独自)(?:在|锁在|关在)(?:屋|家|房间|里面|车)"),
    ("locked", "锁打进开", r"(?:反锁|锁上|锁住)了|门(?:打不开|开不了)|进不去"),
    ("despair", "撑累活死脱结受", (
        r"撑不下去|活着太累|不想活|想死|想解脱|结束(?:吧|自己|这一切|生命)"
    )),
    ("farewell", "备买遗说永替", (
        r"(?:药|绳子|刀|炭)(?:都|已经)?(?:准备好|买好)|遗书|永别|替我(?:照顾|跟)|"
        r"跟(?:我)?(?:爸|妈|爸妈|家人|孩子|老婆|老公|女儿|儿子)[^。 ]{0,2}说(?:声)?(?:对不起|再见)"
    )),
)
#: Families read only when their partner (listed before them in _SIGNS) was found.
_PARTNER_FIRST = {"inside": "peril", "farewell": "despair"}
_BODY = frozenset({"chest", "sweat", "limb", "head", "vomit", "dizzy", "allergy", "throat", "sleepy", "tremble", "mouth",
                   "confused", "quiet", "vision", "speech", "pale", "still", "immobile", "breath", "fit", "cold", "stuck",
                   "skin", "pain", "collapse", "back"})
#: Two signs that together are a known emergency: a heart attack (chest pain with sweat or an arm gone numb), a
#: bleed or stroke (a sudden headache with vomiting or a weak side), anaphylaxis (hives with a tight throat), a
#: collapse with no one home in the eyes; a fire, collapse or flood with someone in it; despair with the means.
_PAIRS = frozenset(frozenset(pair) for pair in (
    ("chest", "sweat"), ("chest", "limb"), ("chest", "dizzy"), ("head", "vomit"), ("head", "limb"), ("allergy", "throat"),
    ("allergy", "dizzy"), ("collapse", "sleepy"), ("collapse", "confused"), ("collapse", "mouth"), ("sleepy", "mouth"),
    ("speech", "limb"), ("speech", "dizzy"), ("speech", "vision"), ("vision", "limb"), ("vision", "dizzy"),
    ("vision", "head"), ("speech", "collapse"), ("throat", "quiet"), ("pain", "sweat"), ("pale", "sweat"), ("pale", "pain"),
    ("pale", "tremble"), ("pale", "collapse"), ("dizzy", "immobile"), ("allergy", "breath"), ("throat", "breath"),
    ("sleepy", "fit"), ("dizzy", "pale"),
    ("throat", "speech"), ("fumes", "throat"), ("fumes", "breath"), ("stuck", "breath"),
    ("alarm", "smell"), ("alarm", "noanswer"), ("smell", "noanswer"), ("peril", "noanswer"),
    ("peril", "inside"), ("despair", "farewell"),
    ("chest", "back"), ("dizzy", "collapse"), ("chest", "collapse"), ("cry", "beating"), ("beating", "quiet"),
    ("alone", "locked"),
))
#: Causes and the signs they explain: (cause, triggers, pattern, families). A pill bottle and then sleepiness, a sting
#: and then hives, a scald and then skin coming off; a fever alone with vomiting, or meds taken as prescribed, is not.
_CAUSES: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("swallowed", "珠球池铁剂丸液厕药鼠虫破糖偷误当酒碱酸片", (
        r"(?:凝珠|洗衣球|电池|磁铁|干燥剂|樟脑丸|消毒液|洁厕|农药|老鼠药|杀虫剂)[^。 ]{0,4}(?:咬破|咬开|吃了|吞了|喝了|舔了)|"
        r"(?:咬破|咬开|吃了|吞了|喝了|舔了|误吃|误喝)[^。 ]{0,8}"
        r"(?:凝珠|洗衣球|电池|磁铁|干燥剂|樟脑丸|消毒液|洁厕|农药|老鼠药|杀虫剂|疏通剂|火碱|烧碱|硫酸|清洁剂)|"
        r"(?:吃|吞|喝)了(?:好多|很多|一大把|一堆|大把|一整板|一整盒|一盒)(?:的)?[^。 ]{0,4}(?:药|片)|"
        r"当(?:饮料|水|糖|零食|糖果)(?:喝|吃)|(?:白酒|酒)[^。 ]{0,6}(?:喝了)?(?:半瓶|一瓶|一整瓶|一大瓶)|"
        r"药[^。 ]{0,4}当糖|(?:当糖吃|偷吃|误吃)[^。 ]{0,6}药|药[^。 ]{0,6}(?:好几|一把|一整?瓶|整瓶|一板|十几|几十)(?:粒|颗|片)?"
    ), frozenset({"vomit", "sleepy", "confused", "quiet", "mouth", "dizzy", "throat", "tremble", "collapse", "pain"})),
    ("chemical", "化农硫盐氨氯消", (
        r"(?:化工品|化学品|化学药品|农药|硫酸|盐酸|氨水|氯气|消毒液)[^。 ]{0,4}(?:洒了|泄漏|漏了|倒了|混)"
    ), frozenset({"fumes", "throat", "breath", "dizzy", "skin"})),
    ("pressure", "压", r"(?:血压|高压)(?:飙|升|高|冲)?(?:到)?(?:了)?(?:1[89]\d|2\d\d)",
     frozenset({"vision", "limb", "speech", "dizzy", "vomit", "head"})),
    ("water", "呛溺", r"呛(?:了)?(?:好多|很多|一肚子|几口|一口)?水|溺水",
     frozenset({"quiet", "sleepy", "confused", "collapse", "still"})),
    ("stung", "蛰蜇叮咬", r"(?:蜂|蝎子|蛇|蜈蚣)[^。 ]{0,3}(?:蛰|蜇|叮|咬)|蛰了|蜇了",
     frozenset({"allergy", "throat", "dizzy", "vomit", "sleepy", "confused", "collapse", "swollen"})),
    ("inhaled", "闻吸", r"闻(?:了|到)(?:之后|以后)?|吸(?:入|进)(?:了)?",
     frozenset({"vomit", "dizzy", "breath", "throat", "collapse", "sleepy", "confused"})),
    ("fever", "烧度烫", (
        r"高烧|烧得(?:厉害|很高|迷糊|迷迷糊糊)|(?:浑身|身上)滚烫|烫得吓人|烧到(?:3[89]|4\d)|发烧到?(?:3[89]|4\d)|"
        r"(?:3[89]|4\d)(?:\.\d)?度"
    ),
     frozenset({"confused", "collapse", "mouth", "fit"})),
    ("diabetes", "糖岛", r"糖尿病|低血糖|血糖|降糖|胰岛素",
     frozenset({"sweat", "tremble", "sleepy", "confused", "dizzy", "collapse"})),
    ("hot", "油水烫烧渌", r"热油|滚油|开水|热水|滚水|沸水|油锅|烫(?!了?个?头|发)|渌|火烧|烧伤", frozenset({"skin"})),
    ("fall", "摔跌滚掉f绊滑倒", (
        r"(?:摔|跌|倒)(?:了|在)[^。]{0,8}(?:好久|半天|一夜|一晚上|几个小时|没人发现)|摔了一跤|摔倒|跌倒|绊倒|滑倒|跌了一跤|摔下来|跌下来|"
        r"(?:楼顶|楼上|梯子|架子|树上|屋顶|脚手架|房顶)[^。]{0,8}掉下来|"
        r"滚下(?:楼梯|来)|从[^。 ]{0,8}(?:摔|掉|跌)下(?:来)?|(?<![a-z])fell(?![a-z])"
    ), frozenset({"sleepy", "confused", "quiet", "vomit", "dizzy", "pain", "collapse", "limb", "still", "immobile",
                  "swollen", "cold"})),
    ("struck", "地磕撞砸打敲", (
        r"(?:头|后脑勺|脑袋)[^。 ]{0,3}(?:着地|磕|撞|砸)|(?:打|砸|敲|撞)(?:了|到|中)?(?:我的?|他的?|她的?)?(?:后脑勺?|头|脑袋)"
    ),
     frozenset({"vomit", "sleepy", "confused", "quiet", "dizzy", "still"})),
)
#: Causes common enough to explain a single sign in a complaint ("闻了油漆味头晕"): they need two of their signs.
_TWO_SIGN_CAUSES = frozenset({"inhaled"})
_SIGNS_COMPILED = tuple((family, frozenset(triggers), _LazyPattern(pattern)) for family, triggers, pattern in _SIGNS)
_CAUSES_COMPILED = tuple((cause, frozenset(triggers), _LazyPattern(pattern), families)
                         for cause, triggers, pattern, families in _CAUSES)
#: A symptom asked about or told as recurring is a health question, not a call ("最近老是胸闷出冷汗 怎么回事").
_SYMPTOM_ASKED = re.compile(r"怎么回事|什么原因|是什么病|挂什么科|正常吗|要紧吗|严重吗|吃什么药|最近|这几天|这段时间|有时候|偶尔")
#: A now word that lifts a symptom question: it is happening while they type.
_SYMPTOM_NOW = re.compile(r"突然|现在|正在|快来|快点|赶紧|马上|救")

#: Before a cue, in the same sentence: it may happen, nearly happened, or is feared.
_MAYBE = re.compile(
    r"万一|如果|如(?=发生|有|遇)|假如|假设|要是|哪天|哪一天|一旦|迟早|早晚|将来|再(?!不)[^ ,，。]{1,8}就|"
    r"(?<![了完后过饭])以后|真要|真的要|真出|真有|真(?=着火|起火|失火)|"
    r"差点|险些|差一点|免得|以免|避免|怕|担心|防止|预防|以防|容易|可能会|会不会|随时可能|(?<!不)小心|一不小心"
)
MAYBE_WINDOW = 12
#: Inside a two-part cue only a near miss or a supposition frames it (fear, 怕, is part of some cues: "躲在…好怕").
_INSIDE_MAYBE = re.compile(r"差点|险些|差一点|万一|如果|假如|要是")
#: After a cue, in the same clause: the cue names a risk, not an event ("火灾隐患", "着火的话").
_RISK_AFTER = re.compile(
    r"隐患|风险|的话|怎么预防|怎么防|演练|演习|通道|(?:报警器|探测器|检测仪)(?![^ ,，。]{0,4}(?:响|叫|报警))|灭火器|"
    r"的危险|的可能|就麻烦|就完了|就糟|就危险|就惨|就完蛋|可就"
)
#: Anywhere: the event is over, or was at another time, or keeps recurring (a complaint about it).
_PAST = re.compile(
    r"去年|前年|琴日|寻日|噚日|那年|几年前|多年前|[一二两三四五六七八九十半\d]+(?:年|个月|个星期|周|天|日)(?:前|以前|之前)|前几日|[一二三四五六七八九十]+月[一二三四五六七八九十]+[日号]|先后|陆续|相继|那会儿|上次|上回|上周|上个月|上星期|上个星期|上礼拜|上个礼拜|昨天|前天|前几天|以前|之前|曾经|那次|"
    r"那一次|过一次|发生过|好几年|几年了|多年了|的事|这事|\d+月\d+[日号]|\d{4}年|于\d|昨晚|昨日|经历|每次|长期|曾|"
    r"事件|至今|当时|事后|后来|住院|医药费|医疗费|赔偿|工伤|治疗|出院|鉴定|报销|诊断|经常|时常|"
    r"老是|总是|天天|每天|成日|日日|三天两头|(?<!一)动不动|多次|(?<![吐拉泻咳抽])(?<![吐拉泻咳抽]了)(?<![吐拉泻咳抽]了好)(?:好)?几次|屡次|好几天(?!没|都没|不)|一直都"
)
_OVER = re.compile(
    r"(?:又|就)(?:去|在)玩了|好(?:点|多|些)了|(?:一会儿?|很快|马上)就好了|没(?:什么)?问题|问题不大|就没事了|说(?:很)?正常|(?:120|救护车)(?:已经)?(?:拉走|送走|接走)了|已经(?:拉走|送走)了|已经灭|(?<!灯)(?<!灯[也都全又])灭了|误会了|误会一场|搞错了|弄错了|兽医|洗(?:咗|了|过)胃|扑灭|扑救及时|没事了|说没事|冇事(?:啦|喇|了)|没什么事|已经送|"
    r"送医院了|已经打了针|处理过了|处理完了|已经处理完|修好了|救出来了|已经出来了|"
    r"醒过来了|已经醒了|医生说|开了药|看过医生|愈合|痊愈|康复了|才出来|终于出来了|已经去(?:了)?(?:宠物)?医院|宠物医院|没什么大碍|没有大碍|无大碍|虚惊一场|处理好了|止住了|创可贴|包扎好了|包好了"
)
#: A gas smell or a pot fire someone already dealt with: the valve or the stove is off.
_OVER_FIRE_GAS = re.compile(
    r"拔(?:了|掉)(?:了)?插头|断(?:了)?电(?:闸)?了|(?<!就)就好了|(?:已经|早就|都)?(?:关了|关掉了|关好了|关上了)(?:阀门|总阀|煤气|燃气|灶|火)?|(?:阀门|总阀|灶|火)(?:已经)?(?:关了|关好了|关掉了)"
)
#: A fight broken up or its people gone: sets aside only the violence cues ("已经劝开了"), never an injury
#: left behind ("打人的已经走了 他头上一直在流血").
_OVER_FIGHT = re.compile(
    r"劝住|劝走|劝开|拉开了|已经分开|已经走了|都走了|已经散了|离(?:了)?婚|分手了|(?:已经)?被(?:警察)?(?:抓|带走)了|判(?:了|刑)|坐牢"
)
#: Still going on: lifts the "already over" frames ("已经报警了 他还在砍", "灭了又烧起来了").
_STILL = re.compile(
    r"还在|仍在|仍然|还是有|还(?:一直|是)?有.{0,6}(?:味|烟|火)|越来越|又(?:着|烧|冒|起)|还没(?:来|到|灭|出来|醒)|灭不了|止不住"
)
#: A report from elsewhere: the news, the internet, a dream, another town.
_ELSEWHERE = re.compile(
    r"新闻|报道|谣言|传言|辟谣|据说|群里(?:有人|都在)?说|电视上|电视里|密室逃脱|剧本杀|游戏(?:里|中|上)|(?<![打玩])游戏(?!打着|玩着)|拍戏|演戏|彩排|(?<![盗丝护渔球])网上|视频里|刷到|热搜|微博|抖音|电视剧|剧里|剧中|这部剧|这个剧|片子里|动画片|电影|小说|听说|是真的吗|做梦|梦见|梦到|"
    r"别的小区|隔壁小区|其他小区|隔离区|隔壁区|别的区|其他区|别的城市|其他城市|(?<!我在|人在)(?:外地|国外|外省)"
)
#: Written to officials or noted by a hotline operator: a complaint about what happened, not a cry for help
#: (a short letter under LETTER_CHARS too: "…局长：楼顶冒烟，影响居民生活"; "…扬言要殴打，故来电投诉").
_LETTER_REGISTER = re.compile(
    r"尊敬的|领导|局长|书记|县长|市长|政府|信访|上访|来电|推诿|相关部门|多部门|维权|恳请|反应强烈|"
    r"(?:投诉|举报|反映|反应)(?:无果|多次|了?好几次)|多次(?:投诉|举报|反映|反应)|"
    r"严重影响|影响.{0,4}(?:健康|生活|休息|安全)|不作为|严惩|整治|查处|取缔|严查|彻查|(?<!希)望.{0,6}(?:解决|处理|整改|查处)|"
    r"盼.{0,8}(?:提高|解决|处理|加强|整改|重视|管理|整顿)"
)
#: The story turns to now: frames told before it do not reach the cues after it.
_TURN = re.compile(
    r"结果|但是|可是|今天|今晚|今早|刚才|这会儿|此刻|对了|另外|顺便|还有(?:个|件)事|还有就是|(?:哦|噢|喔|啊|哎)还有"
)
#: The turns that leave a letter's story for today (但是/可是 stay inside it: "…可是一直没有答复").
_NOW_TURN = re.compile(r"今天|今晚|今早|刚才|这会儿|此刻")
#: A knife at work in the kitchen or on a parcel: "拿着菜刀在切菜" is cooking.
_COOKING = re.compile(
    r"买了?(?:一?把|新)|快递|网购|拆快递|拆箱|开箱|削铅笔|裁纸|修剪|切菜|做饭|炒菜|烧菜|削(?:皮|苹果|水果)|剁(?:肉|馅|排骨)|杀鱼|切肉|切水果|磨刀|菜板|案板"
)
#: A weapon in hand and nothing done with it ("拿着刀", "拎着砍刀", "拿根棍子"), and what makes it a threat: a person
#: as target, a threat said, a chase, waving it, hanging about, drink, a quarrel, someone hiding or calling for help.
_BARE_WEAPON = re.compile(
    r"(?:拿|持|举|抄|拎|提|挥|握|揸|抡|动)(?:着|起|了|住)?(?:一?[把根个条支])?(?:铁|木|钢|大|长|菜|砍|水果|尖)?"
    r"(?:刀|棍|棒|钢管|铁管|斧头|斧子|匕首|枪|砖头|砖|铁通)(?:子)?"
)
#: What a knife or a stick in hand is being used on when nobody is threatened: "拿着刀在切西瓜", "拿棍子打蛇".
_WEAPON_CHORE = re.compile(
    r"(?:切|削|剁|劈|砍|剖|宰)(?:西瓜|瓜|菜|肉|柴|树|竹|骨|水果|苹果|鱼|鸡)|"
    r"打(?:蛇|狗|老鼠|耗子|枣|核桃|蚊|苍蝇|蟑螂)|砸(?:墙|核桃|冰|锁|钉)|敲(?:墙|钉|核桃)|"
    r"赶(?:狗|蛇|猫|鸡)|掏|捅(?:马桶|下水道|管道|蜂窝|鸟窝)|晾|撑|挑|搅|拌|修|干活|做饭|练|比划着?玩"
)
_WEAPON_THREAT = re.compile(
    r"(?:打|砍|捅|杀|追|砸|劈|扎|斩|对着|指着|抵着|冲着)(?:了|着)?(?:一个|个|几个)?" + _PERSON + r"|"
    r"(?:砍|捅|斩|杀)(?!柴|树|骨|肉|瓜|菜|排骨|竹|价|鱼|鸡)|乱(?:挥|舞)|"
    r"说要|喊着要|威胁|吓|逼|冲(?:过来|进|出来|上来)|挥|晃|舞|转悠|转来转去|在[^。 ]{0,6}转|"
    r"闹事|发疯|疯子|醉|喝多|吵架|打架|打起来|躲|害怕|好怕|不敢|算账|等我|堵|报警|救命|快来|赶紧|见血|流血|血"
)
#: "还以为真的着火了": what someone thought was happening.
_THOUGHT = re.compile(r"以为[^ ,，。]{0,4}$")
#: "…原来是锅烧干了": what came before was a false alarm, explained.
_TURNED_OUT = re.compile(r"开玩笑|说着玩|原来是|原来只是|结果是|其实是|原来就是")
#: Nobody is there: "幸好里面没人", "没有人受伤". Frames the cues that need a person (trapped, medical).
_NOBODY = re.compile(
    r"(?:里面|里头|里边|车里|电梯里)(?:没|没有|冇)人|(?:没|没有|无|冇)人(?:员)?(?:在里面|喺入面|被困|困住|受伤|伤亡)|"
    r"(?:未|没)造成(?:人员)?伤亡|人都?没事(?!吧|吗|么|没|\?)"
)
_PERSON_KINDS = frozenset({"trapped", "medical"})
#: "辣得舌头都着火了", "吵得我想跳楼": a sensation or a mood, then a figure of speech.
_FIGURE_BEFORE = re.compile(r"(?:辣|热|吵|烦|气|急|笑|累|困|饿|冷|臭|馋|闷|忙|晒|郁闷|恶心)(?:得|到).{0,6}$")
#: Body parts that "catch fire" only in figures ("嘴巴都着火了", "嗓子冒烟").
_FIGURE_BODY = re.compile(r"(?:嘴|嘴巴|嘴里|舌头|嗓子|喉咙|心里|心头|眼睛|眼里|肚子|胃里|脑门)(?:都|要|快|在)?$")
#: Idioms on 火 / 炸 / 死 that name no danger: "火冒三丈", "头都要爆炸了", "打死我也不买".
_IDIOM = re.compile(
    r"火冒三丈|(?:热|冷|累|困|饿|气|烦|忙)(?:到|得)(?:快|要)?爆炸|(?:跟|像|和)(?:在)?(?:打架|打仗|着火|爆炸|打仗)一样|(?:好[喝吃看玩听用]|便宜|划算|香|甜|帅|美|爽|火|红|热闹)(?:到|得)(?:快|要|快要)?爆炸|"
    r"(?:头|脑袋|脑子|脑壳|肺|心态|消息|群)(?:都|要|快)*(?:爆炸|炸)|(?<![电池瓶罐])(?:到|得)(?:快|要|快要)?爆炸|打死(?:我|你|他)?(?:也|都)(?:不|没)"
)
#: A question about a rule or a number, not a call for help ("着火了应该打什么电话").
_ASKING = re.compile(
    r"打什么电话|打哪个电话|算(?:什么|谁)|(?:什么|谁的)责任|谁负责|谁来负责|怎么赔|打几号|打哪个号|(?:应该|该)打|还是(?:119|120|110|999)|什么号码|电话是多少|号码是多少|怎么扶|扶不扶|"
    r"疫苗|怎么交|收费|(?<!不知道)多久|"
    r"请问|想问|问一下|问问|提前了解|了解一下|培训|的时候(?:能不能|可不可以|可以|应该|该)|提醒一下|想提醒|咨询|(?:去|到)?哪里?(?:可以)?求助|找谁求助|向谁求助|违法吗|合法吗|犯法吗|怎么罚|罚多少|有没有规定|谁赔|怎么判断|怎么检查|怎么知道|有没有什么.{0,3}方法|怎么自救|想学|学一下|想教|教孩子|教小孩"
)
#: Fear inside a two-part cue; a pet as the one who fell; children fighting at school, told by the teacher.
_INSIDE_FEAR = re.compile(r"怕|担心|以防|防止")
_PET_SUBJECT = re.compile(r"(?:猫|狗|宠物|鸟|鹦鹉|仓鼠|兔子?)(?:咪)?(?:从|掉|摔|跌)")
_PET_BEFORE = re.compile(r"(?:猫|狗|宠物|鸟|鹦鹉|仓鼠|兔子?)(?:咪)?(?:的)?$")
_SPORT = re.compile(r"拳击|练拳|散打|跆拳道|柔道|摔跤|比赛|训练|教练|陪练")
_SCHOOL = re.compile(r"(?:和|跟|与)同学|同学之间|老师让|叫家长|请家长")
#: Anger or worry right before a sign makes it a figure ("气到吐血", "急得我都快晕了"); heat does not ("热得晕过去了").
_MOOD_BEFORE = re.compile(r"(?:气|急|愁)(?:到|得)(?:我|他|她)?(?:都|快|要)*$")
#: A simile: 像/跟 before a cue and 一样/似的 right after it ("打呼噜打得像没呼吸一样").
_LIKE_BEFORE = re.compile(r"像|好像|仿佛|跟|和")
_LIKE_AFTER = re.compile(r"(?:了)?(?:一样|似的|的样子)")
#: Getting up in the morning: 叫不醒 said of a child who stays in bed.
_WAKING = re.compile(r"早上|起床|上学|上班|赖床|懒觉|半夜|熬夜|闹钟")
#: No smell, nothing leaking: a damaged gas fitting reported, not a leak.
_NO_SMELL = re.compile(r"没(?:有)?闻到|没(?:有)?(?:什么)?(?:味|气味|异味)|闻不到")
#: An app or a website: 救命 about a login is a figure.
_TECH = re.compile(r"app|小程序|公众号|网页|网站|登录|登不上|登陆|密码|验证码|二维码|系统|软件")
#: "What do I do" about someone of one's own ("我老伴儿…请问该怎么做") asks for help now, not for a rule.
_WHAT_NOW = re.compile(r"(?:该|要|我)怎么(?:做|办|救)|怎么办(?:啊|呀)?(?:$|[ ,，。!?])")
_MINE = re.compile(r"我(?:的|家)?(?:老伴|老公|老婆|妈|爸|儿子|女儿|孩子|宝宝|爷爷|奶奶|外婆|外公|朋友|丈夫|妻子)")
#: Openers that are only polite unless a question follows them; what a question looks like.
_POLITE = frozenset({"请问", "问一下", "问问", "想问"})
_QUESTION = re.compile(
    r"[吗呢?？]|怎么|什么|哪|谁|多少|几(?:点|号|个|天|时)|能不能|可不可以|是否|要不要|该不该|有没有|会不会|是不是|行不行"
)
#: Smoke with an ordinary source is a fumes complaint, not a fire ("烧烤摊冒烟", "烟囱冒黑烟").
_SMOKE_SOURCE = re.compile(
    r"烟囱|烧烤|烧嘢|烧纸|焚烧|烧垃圾|烧树叶|烧秸秆|油烟|抽烟|吸烟|烟头|烟花|鞭炮|"
    r"蚊香|做饭|炒菜|烧香|厂|窑|锅炉|烤串|烤肉|污染|排放|不敢开窗|空气质量|排气管|尾气|货车|汽车|公交"
)
#: "出不去" after a vehicle or a blocked way ("车挡住小区大门出不去"): a way out is blocked, nobody is shut in —
#: a parking or obstruction report. Shut in by a lock, a door or a lift is matched by the longer cues.
_CANNOT_LEAVE = frozenset({"出不来", "出不去"})
#: A bare 抽 is a fit only with nothing being drawn: "一直在抽 烟味飘上来" is smoking, "水泵一直在抽" pumping.
_DRAWN = re.compile(r"烟|水泵|抽水|泵|奖|签|抽血|抽屉|抽空|抽号|抽查|抽检|抽样|抽成")
#: 不让我走 said of a shop, a guard or a parent over a bill, a register or going out is a dispute, not a hostage:
#: force or a threat (打, 刀, 锁, 抢手机) keeps it danger.
_HELD_ROUTINE = re.compile(
    r"店|老板|商家|商场|超市|保安|物业|门卫|司机|收银|服务员|中介|房东|经理|工作人员|饭店|餐厅|"
    r"付钱|交钱|买单|结账|赔钱|登记|扫码|签字|押金|罚款|妈|爸|父母|家长|老师"
)
_FORCE = re.compile(r"打|刀|锁|关|抢|威胁|推|拽|扯|掐|绑|手机|棍|不让我报警")
#: A mood before "说不出话来" makes it a figure ("气得我说不出话来", "惊讶到说不出话来"); a stroke has no mood.
_MOOD = re.compile(r"(?:气|惊讶|震惊|感动|激动|无语|吓|哭|笑|惊|委屈|心疼|高兴|开心)(?:得|到|的)")
#: 烧炭 said of people in general ("现在还有人在屋里烧炭取暖 想提醒一下"): a habit told as a reminder, a hazard
#: report; "现在还有人" is "nowadays some still". A closed room or someone affected keeps it danger now.
_GENERIC_PEOPLE = re.compile(r"还有(?:些|不少|很多)?人|有(?:些|的)(?:人|人家|住户|老人)|不少人|很多人|好多人")
_AFFECTED = re.compile(r"关着|关紧|关死|叫不醒|喊不醒|没反应|没动静|没人应|头晕|晕|难受|想吐|睡着|不舒服")
#: Out of breath on the stairs is a complaint about them ("没电梯 老人爬到六楼呼吸困难 希望加装"), not an attack.
_EXERTION = re.compile(r"爬.{0,3}楼|爬到|爬上|上楼|走几步|走路|跑步|跑完|跑了|运动|锻炼|打球")
#: A racing heart, sweat or dizziness after running or in the heat is the exertion or the weather.
_EXERTED = frozenset({"chest", "sweat", "dizzy"})
_EXERTION_OR_HEAT = re.compile(_EXERTION.pattern + r"|(?<![开热])热(?!水|油|汤|粥)|天气|闷热|桑拿|蒸")
#: A hazard word: a bare fire emoji next to it underlines a complaint.
_HAZARD = re.compile(r"危险|隐患|安全|风险|违规|乱拉|私拉|充电")
#: Shut in by a rule, not by a door: a lockdown, quarantine, overtime.
_CONFINED = re.compile(r"封控|隔离|封闭管理|封楼|静默|加班")
#: The rotten-egg smell of a drain or of rubbish is a smell complaint, not odorised gas ("下水道一股臭鸡蛋味").
_SEWER = re.compile(r"下水道|下水|地漏|马桶|厕所|化粪池|污水|臭水沟|排水|垃圾|水沟|管道返|返臭|返味")
#: 没气了 near a stove or a gas word: the supply ran out.
_GAS_SUPPLY = re.compile(_GAS + r"|灶|打不着|点不着|气表|充气|轮胎|车胎|气球")
_BLOCKED_WAY = re.compile(r"车|挡住|挡着|挡了|堵住|堵着|堵了|堵死")
#: Words that say it is happening now; they lift the past, maybe and asking frames.
_NOW = re.compile(r"(?<!到)现在|正在|还在|刚刚|快来|快点|快叫|快打|赶紧|马上|速来|!\s*!")
#: Alarm emoji, which normalisation drops, and the words they stand for.
_SIGN_WORDS = {"🔥": "火", "🆘": "救命", "🚒": "火", "🚑": "救命", "🚨": "救命"}
_SIGN = re.compile(r"🔥(?:\ufe0f?\s*🔥)+|[🆘🚒🚑🚨]+")
#: The marks closing a clause shouted: "着火了!!".
_SHOUTED = re.compile(r"\s?!\s*!")
#: "热死了…救命": a figure of speech.
_HYPERBOLE = re.compile(r"(?:热|吵|烦|累|笑|气|困|饿|冷|丑)死")
_NEGATED = re.compile(r"(?:没|没有|冇|不是|并非|未|无|不)(?:人|有人)?$")
_SENTENCE = re.compile(r"[。!?！？\n]")
_CLAUSE = re.compile(r"[,，;；、。!?！？\n ]")
#: Letters to officials are long and tell of past events; a call for help is short. Past this, no emergency.
LETTER_CHARS = 200
#: How far from a cue the frames of the story (past, over, elsewhere, asked, nobody there) still reach it.
FRAME_BEFORE = 16
FRAME_AFTER = 20
#: Typed word by word: at most this many characters per space-separated run on average ("老伴 突然 说不出话 半边 身子").
#: Only such messages are matched once more without their spaces (a space there parts words, not clauses).
SPACED_RUN = 3
#: How far before a cue's clause a now word still speaks of it ("现在 楼下有人打架").
NOW_BEFORE = 8


@dataclass(frozen=True, slots=True)
class Danger:
    """What was found: cues that stand (`now`), cues inside a hazard/past/hypothetical/question frame."""

    now: tuple[str, ...]
    framed: tuple[str, ...]
    kinds: tuple[str, ...]
    #: Over LETTER_CHARS: a letter, read as a report whatever it says.
    letter: bool = False

    @property
    def found(self) -> bool:
        return bool(self.now)


def assess(text: str) -> Danger:
    """Cues of danger in normalised `text`, split into those that stand and those a frame removes."""
    if len(text) > LETTER_CHARS:
        return Danger((), (), (), letter=True)
    text = text.replace("著", "着")  # OpenCC keeps 著 in Traditional 拿著刀 / 跟著; one character, so spans stay
    present = frozenset(text)  # set against set: isdisjoint walks the smaller, not the whole text per pattern
    found = [(m.start(), m.end(), m.group(), kind) for kind, triggers, pattern in _COMPILED
             if not triggers.isdisjoint(present) for m in pattern.finditer(text)]
    if " " in present and len(text) - text.count(" ") <= SPACED_RUN * (text.count(" ") + 1):
        spans = {(start, end) for start, end, _, _ in found}
        found += [cue for cue in _spaced_cues(text, present) if cue[:2] not in spans]
    signs = _signs(text, present)
    if not found and not signs:
        return Danger((), (), ())
    idioms = [m.span() for m in _IDIOM.finditer(text)]
    standing: list[str] = []
    framed: list[str] = []
    kinds: list[str] = []
    for start, end, cue, kind in sorted(found):
        now_word = _now_near(text, start, end)
        if (_told_as_report(text, start, end, kind, now_word)
                or any(lo <= start < hi or lo < end <= hi for lo, hi in idioms)
                or _framed_here(text, cue, start, end, kind, now_word)):
            framed.append(cue)
        else:
            standing.append(cue)
            if kind not in kinds:
                kinds.append(kind)
    if signs:
        combined, framed_signs = _combined(text, signs, idioms)
        standing += combined
        framed += framed_signs
        if combined:
            kinds.append("medical")
    return Danger(tuple(standing), tuple(framed), tuple(kinds))


def _signs(text: str, present: frozenset[str]) -> list[tuple[int, int, str, str, frozenset[str] | None]]:
    """The ordinary signs and causes in `text`: (start, end, matched, family, families a cause explains or None)."""
    found: list[tuple[int, int, str, str, frozenset[str] | None]] = []
    for family, triggers, pattern in _SIGNS_COMPILED:
        partner = _PARTNER_FIRST.get(family)
        if triggers.isdisjoint(present) or (partner is not None and all(f[3] != partner for f in found)):
            continue  # someone inside matters only with a peril, a farewell only with despair (and 有/在 are everywhere)
        found += [(m.start(), m.end(), m.group(), family, None) for m in pattern.finditer(text)]
    if not found:
        return found  # a cause explains a sign; with no sign there is nothing to explain
    found += [(m.start(), m.end(), m.group(), cause, families) for cause, triggers, pattern, families in _CAUSES_COMPILED
              if not triggers.isdisjoint(present) for m in pattern.finditer(text)]
    return found


def _combined(text: str, signs: list[tuple[int, int, str, str, frozenset[str] | None]],
              idioms: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
    """Signs that together stand (a known pair, three body families, or a cause with a sign it explains).

    Each part is framed on its own, as a cue is; only the parts left standing combine. Returns (standing
    combinations, framed parts). A combination of body signs is a health question when the message asks about them
    or tells them as recurring (_SYMPTOM_ASKED) with nothing saying it is happening now.
    """
    standing: list[tuple[str, str, frozenset[str] | None]] = []
    framed: list[str] = []
    for start, end, cue, family, explains in signs:
        kind = {"peril": "smoke" if "烟" in cue else "fire", "inside": "trapped", "despair": "medical",
                "farewell": "medical"}.get(family, "medical")
        now_word = _now_near(text, start, end)
        if (_told_as_report(text, start, end, kind, now_word)
                or any(lo <= start < hi or lo < end <= hi for lo, hi in idioms)
                or _framed_here(text, cue, start, end, kind, now_word)
                or (family in _EXERTED and _EXERTION_OR_HEAT.search(text))):
            framed.append(cue)
        else:
            standing.append((family, cue, explains))
    families = {family for family, _, explains in standing if explains is None}
    found: list[str] = []
    for a in sorted(families):
        for b in sorted(families):
            if a < b and frozenset((a, b)) in _PAIRS:
                found.append(f"{a}+{b}")
    if len(families & _BODY) >= 3:
        found.append("+".join(sorted(families & _BODY)))
    for cause, cue, explains in standing:
        if explains is not None and len(explains & families) >= (2 if cause in _TWO_SIGN_CAUSES else 1):
            found.append(f"{cause}:{cue}+{'+'.join(sorted(explains & families))}")
    body_only = all(":" not in part and set(part.split("+")) <= _BODY for part in found)
    if found and body_only and _SYMPTOM_ASKED.search(text) and not _SYMPTOM_NOW.search(text):
        return [], framed + found
    return found, framed


def _spaced_cues(text: str, present: frozenset[str]) -> list[tuple[int, int, str, str]]:
    """Cues typed with a space between the words ("突然 说不出话 半边 身子 动不了"), placed back in `text`.

    `assess` calls it only for a message typed word by word (SPACED_RUN): where spaces part clauses, joining them
    would make cues of words that do not belong together ("…燃气费 味道不错的…").

    The patterns run once more on the text without spaces; only a match that spans a space in `text` is new
    (`assess` drops one whose span a pattern already matched as typed).
    Frames are then read on `text` as it was typed, so its clauses stay where the resident put them.
    """
    kept = [i for i, ch in enumerate(text) if ch != " "]
    joined = text.replace(" ", "")
    spaced: list[tuple[int, int, str, str]] = []
    for kind, triggers, pattern in _COMPILED:
        if triggers.isdisjoint(present):
            continue
        for m in pattern.finditer(joined):
            if m.end() > m.start():
                start, end = kept[m.start()], kept[m.end() - 1] + 1
                if end - start > m.end() - m.start():
                    spaced.append((start, end, m.group(), kind))
    return spaced


def decide(text: str, vocabulary_score: float, needed: float = 1.0, original: str = "") -> bool:
    """Emergency or not: a standing cue, or the admins' emergency keywords when no cue was framed away.

    `original` is the message before normalisation, which drops emoji: alarm emoji in it are read as words.
    """
    got = assess(with_alarm_signs(text, original))
    if got.found:
        return True
    return vocabulary_score >= needed and not got.letter and not got.framed and not _frame_of_message(text)


def with_alarm_signs(text: str, original: str) -> str:
    """`text` with the alarm emoji of `original` read as words ("🔥🔥🔥 5号楼 快" → "火 5号楼 快").

    One 🔥 is left out: it also says "hot, popular" ("这家店🔥"); a run of them, or 🆘 🚒 🚑, is a cry.
    """
    if not original or not _SIGN.search(original):
        return text
    from bot.nlu.normalize import default_normalizer  # only for the rare message with an alarm emoji

    spoken = _SIGN.sub(lambda m: f" {_SIGN_WORDS[m.group()[0]]} ", original)
    return default_normalizer().normalize(spoken).text


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the clause holding text[start:end] begins and where its closing mark stands."""
    begin = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    close = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    return begin, close


def _now_near(text: str, start: int, end: int) -> bool:
    """A now word in the cue's own clause (or just before it, or its closing "!!"): it speaks of this cue.

    "我儿子前年溺水被救回来了 现在想报个游泳班": the 现在 is about the swimming class, not the drowning.
    """
    begin, close = _clause(text, start, end)
    return _NOW.search(text, max(0, min(begin, start - NOW_BEFORE)), close) is not None or _SHOUTED.match(text, close) is not None


def _told_as_report(text: str, start: int, end: int, kind: str, now_word: bool) -> bool:
    """The frames of the story around a cue: over, past, elsewhere, asked about, a complaint, nobody there, turned out.

    Each is looked for near the cue only (FRAME_BEFORE / FRAME_AFTER characters, and its whole clause): a long
    message with "幸好里面没人" or "上次" in a clause far away still tells of the danger in this one.
    """
    begin, close = _clause(text, start, end)
    lo, hi = max(0, min(begin, start - FRAME_BEFORE)), min(len(text), max(close, end + FRAME_AFTER))
    # "我本来想问一下停车的事 结果看见楼下有人打架": what was told before 结果/今天 is another story
    # (a turn inside a two-part cue counts too: "电梯 今天电梯卡住").
    turned = max((m.end() for m in _TURN.finditer(text, 0, end)), default=0)
    lo = max(lo, turned)
    still = _STILL.search(text, lo, hi) is not None
    if not still and (_OVER.search(text, lo, hi) or (kind in ("fire", "smoke", "gas") and _OVER_FIRE_GAS.search(text, lo, hi))
                      or (kind == "police" and _OVER_FIGHT.search(text, lo, hi))):
        return True
    if kind in _PERSON_KINDS and _NOBODY.search(text, lo, hi):
        return True
    if _TURNED_OUT.search(text, end, hi):
        return True
    # The register of a complaint is the whole message's (after the last turn; any now word lifts it):
    # "…电梯在15层突然停住…望上级领导解决".
    now_turned = max((m.end() for m in _NOW_TURN.finditer(text, 0, end)), default=0)
    if _LETTER_REGISTER.search(text, now_turned) and not _NOW.search(text):
        return True
    return not now_word and (_PAST.search(text, lo, hi) is not None or _ELSEWHERE.search(text, lo, hi) is not None
                             or _asked(text, lo, hi))


def _asked(text: str, lo: int, hi: int) -> bool:
    """A question near the cue; a polite opener ("请问一下", "不好意思打扰一下") asks only if a question follows.

    "请问一下 卧室门缝里在往外冒烟 我还没敢开门" reports a fire: 请问 is how some residents start any message.
    """
    if _WHAT_NOW.search(text) and _MINE.search(text):
        return False  # "我老伴儿好像没有呼吸了 请问该怎么做": what to do for one's own, now, is a plea
    return any(m.group() not in _POLITE or _QUESTION.search(text, m.end()) for m in _ASKING.finditer(text, lo, hi))


def _framed_here(text: str, cue: str, start: int, end: int, kind: str, now_word: bool) -> bool:
    """The frame right around one cue: negated, feared/hypothetical before it, a risk word after it."""
    if not cue.startswith(("没", "不")) and _NEGATED.search(text[max(0, start - 3): start]):
        return True
    if end - start > 4 and _INSIDE_MAYBE.search(cue[1:]):
        return True  # "狗差点咬到小孩": the near miss sits inside a two-part cue
    if end - start > 4 and _INSIDE_FEAR.search(cue, 1, len(cue) - 2):
        return True  # "孩子多 怕掉下去": a fear inside a two-part cue (one at its end is part of it: "躲在…好怕")
    if kind in ("medical", "child") and (_PET_SUBJECT.search(cue) or _PET_BEFORE.search(text, max(0, start - 4), start)):
        return True  # "我家猫从阳台掉下去了", "隔壁的狗被车撞了": a pet
    if kind == "police" and _SPORT.search(text):
        return True  # "我练拳击被打得鼻子出血了": a sport
    if cue in ("出血", "流血") and text[max(0, start - 2): start].endswith(("鼻子", "鼻")):
        return True  # a nosebleed; blood that will not stop is its own cue
    if kind == "police" and _SCHOOL.search(text):
        return True  # "孩子在学校和同学打架了 老师让家长去一趟"
    before = text[max(0, start - 8): start]
    if kind != "medical" and (_FIGURE_BEFORE.search(before) or _FIGURE_BODY.search(before)):
        return True  # "辣得嘴巴都着火了"; a medical cue after "热得" may be real ("热得晕过去了")
    if kind == "medical" and _FIGURE_BEFORE.search(before) and re.search(r"[想要快]", before):
        return True  # "吵得我想跳楼"
    if kind == "medical" and _MOOD_BEFORE.search(before):
        return True  # "被队友气到吐血": anger, not blood
    if start > 0 and text[start - 1] == "过":  # 出过车祸: it happened before
        return True
    sentence_start = max((m.end() for m in _SENTENCE.finditer(text, 0, start)), default=0)
    lo = max(sentence_start, start - MAYBE_WINDOW)
    # Searched up to the cue's end so "真(?=着火)" can look ahead; only markers before the cue count.
    maybe = None
    for found in _MAYBE.finditer(text, lo, end):  # on the whole text, so a lookbehind sees before `lo`
        if found.start() < start:
            maybe = found
    if maybe is not None and not _NOW.search(text, maybe.end(), start):
        return True
    clause_end = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
    if _RISK_AFTER.search(text, end, clause_end) or text.startswith("过", end):
        return True
    if (kind == "smoke" or cue == "烧炭") and _SMOKE_SOURCE.search(text, sentence_start, clause_end + 20):
        return True
    if kind == "help" and cue[0] == "火" and _HAZARD.search(text, sentence_start, clause_end + 20):
        return True  # "电动车在楼道充电 太危险了🔥🔥": a hazard told with an emoji
    if kind == "police" and "刀" in cue and _COOKING.search(text, sentence_start, clause_end + 12):
        return True  # "妈妈拿着菜刀在切菜"
    if (kind == "police" and _BARE_WEAPON.fullmatch(cue) and _WEAPON_CHORE.search(text, end, clause_end + 12)
            and not _WEAPON_THREAT.search(text)):
        return True  # "拿着刀在切西瓜", "拿棍子打蛇": a tool at a chore; a bare "有人拿着刀" still alarms
    if _THOUGHT.search(text, sentence_start, start):
        return True  # "孩子还以为真的着火了": a mistaken belief
    if kind == "trapped" and _CONFINED.search(text, sentence_start, clause_end + 12):
        return True  # "小区封控了 我们都被困在家里": a lockdown or overtime, nobody in danger
    if cue.startswith("臭鸡蛋") and _SEWER.search(text, sentence_start, clause_end + 20):
        return True  # "地漏返上来一股臭鸡蛋味": a drain, not the gas
    if _LIKE_BEFORE.search(text, max(sentence_start, start - 6), start) and _LIKE_AFTER.match(text, end):
        return True  # "打呼噜打得像没呼吸一样": a simile
    if "醒" in cue and _WAKING.search(text, sentence_start, clause_end + 12):
        return True  # "早上叫都叫不醒 真头疼": a child who will not get up
    if kind == "gas" and _NO_SMELL.search(text, sentence_start, clause_end + 12):
        return True  # "燃气管道外面那个盖子裂了 没闻到味": nothing is leaking
    if kind == "help" and _TECH.search(text):
        return True  # "救命 这个物业app怎么登不上去啊": a cry about an app
    if cue == "没气了" and _GAS_SUPPLY.search(text, sentence_start, clause_end):
        return True  # "燃气灶打不着火了 是不是没气了": the gas ran out, not a breath
    if cue in _CANNOT_LEAVE and _BLOCKED_WAY.search(text, sentence_start, start):
        return True
    if cue.startswith(("脸", "嘴")) and re.search(r"[冻冷]", text[sentence_start:start]):
        return True  # "冻得我脸都紫了": the cold
    if cue.startswith(("喘", "呼吸", "透气")) and _EXERTION.search(text, sentence_start, clause_end + 8):
        return True  # "老人爬楼喘气很费劲"
    if cue.endswith("抽") and _DRAWN.search(text, sentence_start, clause_end + 6):
        return True  # "楼下那人一直在抽 烟味全飘上来了": smoking
    if (cue.startswith(("不让", "不放", "不准", "不许")) and not cue.endswith("报警")
            and _HELD_ROUTINE.search(text, sentence_start, clause_end + 12) and not _FORCE.search(text)):
        return True  # "保安不让我走 说要先登记"
    if cue.endswith("不出话来") and _MOOD.search(text, sentence_start, start):
        return True  # "气得我说不出话来"
    if (cue == "烧炭" and _GENERIC_PEOPLE.search(text, sentence_start, start)
            and not _AFFECTED.search(text)):
        return True  # "现在还有人在屋里烧炭取暖 想提醒一下"
    return kind == "help" and _HYPERBOLE.search(text) is not None and not now_word


def _frame_of_message(text: str) -> bool:
    """The message-wide frames `assess` applies, for messages with no cue of this module."""
    if (_OVER.search(text) or _OVER_FIRE_GAS.search(text) or _NOBODY.search(text)) and not _STILL.search(text):
        return True
    if _IDIOM.search(text) or _TURNED_OUT.search(text):
        return True
    if _NOW.search(text):
        return False
    return bool(_PAST.search(text) or _ASKING.search(text) or _MAYBE.search(text) or _RISK_AFTER.search(text)
                or _ELSEWHERE.search(text))
