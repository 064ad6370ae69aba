"""Emergencies: no danger-now message missed on the dev and held-out sets; frames that make a cue a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot import PROJECT_ROOT
from bot.nlu import danger
from bot.nlu.classifier import Classifier
from bot.nlu.intent_files import load_intents
from bot.nlu.normalize import Normalizer, default_normalizer

DATA = Path(__file__).parent / "data"
#: Families of danger now that emergency_dev3 showed missing, in the danger engineer's own words.
DEV3_DANGER_NOW = [
    ("被碎玻璃划破了手腕", "cut by glass"),
    ("剁骨头的时候把手指剁断了", "a finger cut off"),
    ("血从他额头上冒出来了", "blood coming out"),
    ("腿上的血流了满地", "blood on the ground"),
    ("爷爷心口绞痛 满头冷汗", "chest pain"),
    ("我爸胸口一阵剧痛", "chest pain with an intensifier"),
    ("孩子误喝了洗衣液", "a household chemical drunk"),
    ("奶奶吃了野菌子 开始说胡话", "wild mushrooms, confusion"),
    ("一条黑狗扑倒了我家老人", "a dog attacking"),
    ("我被邻居的狗追着咬", "a dog chase"),
    ("广告牌掉下来把一个路人砸倒了", "someone struck down by a thing"),
    ("他的脚卡进井盖缝里拔不出来", "a limb stuck"),
    ("我爷爷被反锁在储藏室里", "shut in"),
    ("有人拎着砍刀在楼道里转", "a weapon in hand"),
    ("几个人抄起木棍追着一个人打", "a chase with sticks"),
    ("有个陌生人一直尾随我到单元门口", "followed"),
    ("我外公跌进河里了", "fallen into water"),
    ("我不活了 你们别管我", "self-harm"),
    ("房子塌了 底下应该埋着人", "buried, hedged"),
    ("我爸修电线被电到了", "electric shock"),
    ("隔壁房间有人在烧炭 门关着", "charcoal burning"),
    ("电梯往下掉了好几层 里面有人", "a falling lift"),
    ("有个小偷闯进来了 我躲在衣柜里", "an intruder, hiding"),
    ("楼顶有个小伙子要跳", "a threat to jump said bare"),
    ("我奶奶晕道了", "typed by ear: 晕道"),
    ("他好像没有乎吸了", "typed by ear: 乎吸"),
    ("细路爬出窗口", "a Cantonese child cue"),
    ("火 火 七号楼", "a bare alarm word without !"),
    ("抓贼 地下车库", "a bare alarm word without !"),
]
#: Reports that emergency_dev3 showed alarming, in the danger engineer's own words.
DEV3_FRAMES = [
    ("小区门口的栏杆扶手断了", "扶手 is no hand"),
    ("凳子腿断了一根", "凳子腿 is no leg"),
    ("这家店的烤串好吃到爆炸", "an idiom"),
    ("煤气灶点火点不着 估计没气了", "the gas ran out, not a breath"),
    ("周末玩剧本杀 我们被困在密室里一个小时", "a game"),
    ("我妈拿着菜刀剁馅", "a knife while cooking"),
    ("我被锁在门外了 没带钥匙", "locked out is not shut in"),
    ("小狗一直跟着我回家", "followed by a pet"),
    ("我家猫被隔壁的狗咬伤了", "a pet hurt"),
    ("被邻居打了可以找谁求助", "asking where to get help"),
    ("有人晕倒了应该打120还是999", "a question about the number"),
    ("楼上漏水一直滴入室内", "滴入室内 is no break-in"),
]
#: Families of danger now that emergency_dev4 showed missing, in the danger2 engineer's own words.
DEV4_DANGER_NOW = [
    ("切西瓜把手割了 血怎么也止不住", "bleeding that will not stop"),
    ("阿婆俾玻璃划亲只脚", "a Cantonese cut"),
    ("我爸被铁皮割到手了 血哗哗的", "cut by sheet metal"),
    ("他把手指头剁到了", "a finger cut"),
    ("老爸从梯子上滑下来 后脑勺撞到地上 现在迷迷糊糊的", "head struck, dazed"),
    ("小孩头撞在桌角上 吐了两次", "head struck, vomiting"),
    ("柜子倒了压住了我妈的腿", "a limb pinned"),
    ("车门夹住了孩子的手", "a hand caught"),
    ("一家人吃了剩菜都上吐下泻", "many sick at once"),
    ("单位聚餐好多人呕吐 有的站不稳", "many sick at once"),
    ("刚才开会有人突然晕过去了", "someone faints"),
    ("老人晕在卫生间里了", "fainted where"),
    ("屋里生着炭火 两个人躺着叫不醒", "stove fumes"),
    ("煤炉子开了一夜 我爸早上一直晕", "stove fumes"),
    ("家里一股臭鸡蛋的味道", "odorised gas"),
    ("楼道里好重的煤汽味", "gas typed by ear"),
    ("大狗咬住小孩的腿不松口", "a dog holding on"),
    ("洪水灌进院子了 奶奶卧床动不了", "flood round someone who cannot move"),
    ("积水涨到腰了 老人困在屋里出不来", "flood round someone who cannot leave"),
    ("围墙塌下来了 好像有人在底下", "a collapse with someone under it"),
    ("听见有人在废墟里喊", "someone calling under rubble"),
    ("电梯停在八楼和九楼中间 我在里面", "stuck between floors"),
    ("那个男的从超市一路跟着我", "followed from afar"),
    ("有个男仔企喺天台边", "a Cantonese edge"),
    ("佢话要跳落去", "a Cantonese jump"),
    ("我儿子摸电线被电了", "electric shock"),
    ("水里的电线电倒一个人", "electric shock"),
    ("摇了她好几下都没反应", "no response when shaken"),
    ("办公室有人晕倒了 叫不醒", "a faint still found"),
    ("血止不下来 怎么办", "bleeding that will not stop"),
    ("有个男人一直跟住我", "followed, Cantonese"),
    ("水淹到床了 我妈瘫在床上", "flood round someone who cannot move"),
    ("血流唔止", "bleeding, Cantonese"),
    ("我个仔俾狗咬亲", "a dog bite, Cantonese"),
    ("有个阿伯企喺窗台出面", "a Cantonese edge"),
    ("塌方了 下面埋了人", "buried, no count"),
    ("电梯卡在两层中间 我出不去", "stuck between floors"),
    ("一群人吃了饭以后都肚子痛呕吐", "many sick at once"),
    ("我老公突然晕了", "a sudden faint"),
    ("打人的已经走了 我老公头上一直在流血", "a fight over leaves an injury standing"),
    ("那几个人都走了 我爸躺在地上起不来", "people gone, someone down"),
    ("狗主人都走了 孩子被咬得很深", "the owner gone, the bite stands"),
]
#: Reports that emergency_dev4 showed alarming (and neighbours of the new cues), in the danger2 engineer's own words.
DEV4_FRAMES = [
    ("闻到煤气味的时候应该先开窗吗", "a how-to question"),
    ("社区能不能组织一次心肺复苏培训 学学人晕倒了怎么救", "a training request"),
    ("刚才楼下有人打架 保安已经劝开了", "a fight broken up"),
    ("两个人在门口吵起来动了手 现在都走了", "a fight over"),
    ("刚才那个煤气味是我误会了 是垃圾桶的味", "a misunderstanding"),
    ("我家狗吃了老鼠药 已经在兽医那里洗了胃", "a pet at the vet"),
    ("电梯又坏了 冇人困住 就是要走楼梯", "nobody inside, Cantonese"),
    ("隔壁区昨晚有个仓库着火了 我们这边要不要检查", "the next district"),
    ("停电了 灯都灭了 什么时候来电", "lights out is not a fire put out"),
    ("卫生间地漏老是返上来一股臭鸡蛋味", "a drain smell"),
    ("排队排得人都晕了", "a figure of tiredness"),
    ("菜刀切到手了一点点 贴了创可贴", "a small cut already dressed"),
    ("狗咬住了骨头不放", "a dog holding a bone"),
    ("楼下积水涨到脚踝 车都出不去", "a car cannot leave the flood"),
    ("食物中毒了怎么预防", "asking how to prevent"),
    ("我家电梯停在五楼不动了 没人在里面", "a stopped lift with nobody in"),
    ("看完账单我老公都晕了", "dazed by a bill is a figure"),
]
#: Families of danger now that emergency_dev5 showed missing, in the danger3 engineer's own words.
DEV5_DANGER_NOW = [
    ("邻居的狗把一个老人扑倒在地上", "a dog on a person"),
    ("隔壁李大爷好几天没出门了 屋里飘出臭味 敲了半天没人应", "a welfare check by smell"),
    ("我孙女刚才还在广场上 一转眼到处找不到", "a child gone from sight"),
    ("小孩在河边捡石头 一不小心掉进去了", "a child fallen in by water"),
    ("炒菜的油锅着了 火蹿到天花板上了", "a pot fire spreading"),
    ("一锅热汤倒在我儿子腿上了", "a scald thrown"),
    ("她被男朋友锁在房间里 不让她出门", "shut in by someone"),
    ("被关在地下室里了 门打不开", "shut in, no subject"),
    ("他喝醉了扬言要把孩子从阳台扔下去", "a threat to throw someone down"),
    ("宝宝发高烧 一直抽 叫他也不理", "a fever fit"),
    ("我妈没有脉搏了 我正在给她按胸口", "no pulse, CPR"),
    ("我老公突然倒下了 脸色很难看", "a sudden collapse"),
    ("我外公说话含糊 半天站不起来", "slurred speech"),
    ("奶奶瘫在地上爬不起来 浑身发抖冒冷汗", "down, trembling, sweating"),
    ("家里水越来越深 我爷爷卧床动不了", "water rising round someone who cannot move"),
    ("有人把漂白水和洁厕剂兑在一起 味道呛得人咳得喘不上气", "mixed cleaners"),
    ("meiqi 漏了 满屋子味", "gas typed in pinyin"),
    ("花生过敏 脸都肿了 喘不过来", "an allergy swelling"),
    ("有个阿姨捂着胸口蹲在路边", "a hand pressed to the chest"),
    ("我爸躺在床上 怎么喊都不醒", "not waking however called"),
    ("两条友喺楼下打交 拎住支铁通", "a Cantonese fight"),
    ("厨房好大燶味", "a Cantonese burning smell"),
    ("5号楼3单元 快点", "a bare address and quick"),
]
#: Reports that emergency_dev5 showed alarming (and neighbours of the new cues), in the danger3 engineer's own words.
DEV5_FRAMES = [
    ("这天气冷到爆炸 暖气什么时候来", "a figure of cold"),
    ("怎么检查家里的煤气管有没有漏", "a how-to question"),
    ("两个小孩抢玩具 吵得像打架一样", "a simile"),
    ("那部剧中女主被捅了一刀 演得好假", "a drama"),
    ("听说别的街道有人溺水了 真的假的", "hearsay"),
    ("阳台堆满杂物 着火就完蛋了", "a risk"),
    ("他说要是考不好就跳楼 开玩笑的", "a joke"),
    ("请把滑梯的铁皮修一下 以免小朋友受伤", "to prevent an injury"),
    ("想学一下心肺复苏 社区有课吗", "wanting to learn CPR"),
    ("琴日楼下有人打交 而家冇事啦", "a Cantonese past fight"),
    ("小区自打交房以来就没修过路灯", "打交 in 交房"),
    ("楼下饭店的油烟味令人头晕 望整改", "a fumes complaint"),
    ("井边的盖子松了 担心有人掉下去", "a fear by the water"),
    ("我的自行车被锁在车棚里了 钥匙丢了", "a bike locked, nobody shut in"),
]
#: Families of danger now that emergency_dev7 showed missing, in the danger4 engineer's own words.
DEV7_DANGER_NOW = [
    ("刚吃了花生 脸都肿了 眼睛也睁不开", "an allergy: a face swelling after a food"),
    ("我老公被黄蜂叮了 浑身起风团", "an allergy: hives all over after a sting"),
    ("孩子呼吸很急促 嘴唇发青", "breathing hard"),
    ("我爸喘气特别吃力 说不了几个字", "breathing hard work"),
    ("佢透唔到气 好辛苦", "cannot breathe, Cantonese"),
    ("my son can't breathe 快来", "cannot breathe, English"),
    ("刚才在菜市场被人抢了手机", "robbed just now"),
    ("一个男的把我妈推倒了 还在骂", "pushed down"),
    ("我孙子不见了 找了一圈", "a grandchild gone"),
    ("吃了山上摘的蘑菇 现在一直吐", "mushrooms, then sick"),
    ("我头晕得厉害 站都站不稳", "dizzy, cannot stand"),
    ("老伴 突然 嘴 歪了 说话 不清楚", "a stroke typed with spaces"),
    ("我 妈 胸口 疼 得 厉害", "chest pain typed with spaces"),
    ("我老公吃着饭突然倒了", "fallen suddenly while doing something"),
    ("孩子发着烧 手脚一直抽抽", "a fit said 抽抽"),
    ("楼下有个阿姨趴在地上 叫了好几声都没反应", "unresponsive however called"),
    ("我妈妈喊都喊不太醒", "喊都喊不太醒"),
    ("请问一下垃圾几点收 另外 楼上好像着火了", "a question, then a change of topic"),
    ("想问下停车费 对了 楼下有人打架", "a question, then 对了"),
    ("我不小心把手割破了 血一直往外冒", "不小心 is an accident; blood spurting"),
    ("不小心划破了手腕 血止不住", "a cut wrist"),
    ("我表弟把自己关在房间里 前几天说活够了 现在敲门也不应", "shut in alone and silent after self-harm talk"),
    ("他总说活着没意思 刚刚发消息说再见", "life said to have no point"),
    ("他一下吃了三十多粒", "many pills at once"),
    ("楼上独居的老大爷好几天没下楼了 打电话也没人接", "unseen for days, no answer"),
    ("对门阿婆三天没出门了 敲门也没人应", "unseen for days, no answer at the door"),
    ("lift 停咗喺两层中间 入面有个细路", "a lift called lift"),
    ("升降机卡住了 里面有人", "a lift called 升降机"),
    ("屋企好大烟 睇唔到嘢", "好大烟"),
    ("厨房烟超浓 看不清东西", "烟超浓"),
    ("我爸刚才突然说不出话来 嘴也歪了", "speechless with no mood is a stroke sign"),
    ("5栋3单元 快", "a bare address + 快 still alarms"),
    ("前男友把我堵在楼道里不让我走", "held by a person, not a shop"),
]
#: Reports that emergency_dev7 showed alarming, and look-alikes of the broad cues re-checked this round, in the
#: danger4 engineer's own words.
DEV7_FRAMES = [
    ("周末商场人多到爆炸", "到爆炸 is hyperbole"),
    ("这奶茶排队排得要爆炸", "得要爆炸 is hyperbole"),
    ("被老板骂了一顿 气到冒烟", "气到冒烟 is a mood"),
    ("楼下那个大叔一直在抽 烟味都飘进我家了", "在抽 is smoking"),
    ("抽水机一直在抽 地下室的水还是没退", "在抽 is a pump"),
    ("社区今天在抽奖 几点结束", "抽奖"),
    ("护士在抽血 排队好久", "抽血"),
    ("超市保安不让我走 说要查小票", "a guard refusing"),
    ("那家店不让我走 非要我先付钱", "a shop refusing"),
    ("我妈不让我出门 说外面下大雨", "a parent refusing"),
    ("气得我半天说不出话来", "说不出话来 after a mood"),
    ("听到这个消息 我惊讶得说不出话来", "说不出话来 after a mood"),
    ("他感动到说不出话来", "说不出话来 after a mood"),
    ("5栋的快递 快点", "an address and a parcel"),
    ("12号楼外卖 快点啊", "an address and a takeaway"),
    ("有些老人冬天还在屋里烧炭取暖 想提醒大家注意", "charcoal as a habit, a reminder"),
    ("现在还有人在家里烧炭取暖 能不能宣传一下", "现在还有人: nowadays some still"),
    ("好几天没见到对门老人了 可能去女儿家了", "unseen for days but nobody knocked"),
    ("一不小心就会被车撞 红绿灯时间太短", "一不小心就会: a risk"),
    ("老婆说我再乱花钱就打死我", "再…就: a conditional threat"),
    ("升降机又停咗 冇人困住 几时整", "a lift stopped, nobody shut in"),
    ("lift 停咗 冇人喺入面", "a lift stopped, nobody inside"),
    ("吃错药了吧你", "an insult"),
    ("孩子一吃海鲜就过敏 脸上起疹子 想问社区医院能看吗", "a mild allergy, a question"),
    ("没有电梯 老人爬到六楼呼吸困难 希望加装电梯", "out of breath on the stairs"),
    ("没有电梯 老人爬六楼喘气很费劲", "out of breath on the stairs"),
    ("我家的树突然倒了 挡住路了", "a tree fallen, no person"),
    ("小区门口的车位被人抢了", "a parking space taken"),
]
#: Danger now that a probe of 40 messages, written by the danger4 engineer before running them, found missing
#: (15 of 40) after dev7 was fixed, then a second probe of 30 (11 missing): each a family, said once here.
PROBE7_DANGER_NOW = [
    ("我喉咙好像被什么堵住了 喘不动气", "a throat blocked, 喘不动"),
    ("我爸喘得厉害 一句话都说不完整", "喘得厉害"),
    ("宝宝呼吸有点急 嘴巴也肿了", "呼吸急"),
    ("刚有个骑电动车的抢了我的包跑了", "a bag snatched"),
    ("他 抽 了 好 几 下 现在 不动了", "a fit, then still, typed with spaces"),
    ("我外公有老年痴呆 早上出门到现在没回来", "a person with dementia not back"),
    ("我同学说他吃了一瓶药", "a bottle of pills"),
    ("门外有个不认识的男人一直踹门 说要进来", "a stranger forcing the door"),
    ("我妈低血糖 出冷汗 说话迷糊", "low blood sugar with signs"),
    ("我的手被绞肉机绞进去了", "a hand caught in a machine"),
    ("我被烫了一大片 皮都掉了", "a scald, skin off"),
    ("他喝多了 怎么拍都不醒", "怎么拍都不醒"),
    ("孩子误吃了奶奶的降压药", "误吃 medicine"),
    ("一个醉汉拿着酒瓶在追人", "chasing with a bottle"),
    # a second probe of 30, 11 missing
    ("樓梯間有人躺著 全身是血", "全身是血"),
    ("fire fire 3号楼2单元", "an English alarm"),
    ("someone collapsed at the gym downstairs 快叫人", "an English alarm"),
    ("baba tu ran yun dao le", "pinyin: 晕倒"),
    ("有人在小区里放火烧车", "arson now"),
    ("燃气表那里嘶嘶响 一股味", "a gas meter hissing"),
    ("婴儿脸发紫 不哭了", "a face turning purple"),
    ("我被男朋友打了 他现在还在外面砸门", "hit by a partner who is still at the door"),
    ("我爸心脏骤停了 在做心肺复苏", "cardiac arrest, CPR now"),
    ("我的手指被门夹断了", "a finger crushed off"),
    ("有人在电梯井里 不知道死活", "someone in a lift shaft"),
]
#: Look-alikes of the probe's families, in the same engineer's words.
PROBE7_FRAMES = [
    ("孩子抢我手机玩游戏", "a child grabbing a phone"),
    ("那人抢了我的车位就跑", "a parking space"),
    ("我爸老年痴呆 每天都要人看着 想申请护理补贴", "dementia, nobody lost"),
    ("跑完步喘得厉害 正常吗", "out of breath after running"),
    ("陌生人老是敲门推销 烦死了", "a salesman at the door"),
    ("我有低血糖 想问社区医院能测血糖吗", "a condition, a question"),
    ("他抽了几下烟就走了", "smoking"),
    ("我妈让我吃了一把药 感冒好多了", "a handful of cold pills"),
    ("小区里有个孩子拿着水枪追着我跑", "a water pistol"),
    ("我烫了个头 皮都掉了好多", "a perm"),
    ("误吃了过期的面包 会不会有事", "stale bread"),
    ("我感冒了 嗓子堵住了一样难受", "a throat that feels blocked"),
    ("放火烧山 牢底坐穿 这个标语该换了", "a slogan"),
    ("燃气灶点火的时候滋滋响 正常吗", "a stove igniting"),
    ("冻得我脸都紫了 暖气什么时候来", "purple with cold"),
    ("我家门被风一直撞门", "a door the wind bangs"),
    ("社区在做心肺复苏培训 在哪报名", "a CPR class"),
    ("上个月被老公打了 想问怎么申请保护令", "a past beating, a question"),
    ("我家孩子被同学打败了 哈哈", "打败 is losing a game"),
]
#: The sets measured blind once and then fixed on; every one must stay at 0 missed, 0 false alarms.
DEV_SETS = [
    "emergency_dev.yaml", "emergency_dev2.yaml", "emergency_dev3.yaml", "emergency_dev4.yaml", "emergency_dev5.yaml",
    "emergency_dev6.yaml", "emergency_dev7.yaml", "emergency_probe5.yaml", "emergency_probe5b.yaml", "emergency_probe5c.yaml",
    "emergency_probe5d.yaml", "emergency_probe5e.yaml", "emergency_dev8.yaml",
]
#: A false alarm shows 119/120/110 and files an urgent case; at most this share of non-emergencies may get one.
FALSE_ALARM_BOUND = 0.05


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.from_intents(load_intents(PROJECT_ROOT / "intents"), Normalizer())


def load(name: str) -> dict[str, list[str]]:
    return YAML(typ="safe").load((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "name", [*DEV_SETS, "emergency_heldout.yaml"]
)
def test_no_danger_now_message_is_missed(clf: Classifier, name: str) -> None:
    sets = load(name)
    missed = [t for t in sets["danger"] if clf.classify(t).act != "emergency"]
    assert missed == []


@pytest.mark.parametrize("name", ["emergency_dev.yaml", "emergency_heldout.yaml"])
def test_hazards_hypotheticals_and_past_events_rarely_alarm(clf: Classifier, name: str) -> None:
    sets = load(name)
    alarms = [t for t in sets["not_danger"] if clf.classify(t).act == "emergency"]
    assert len(alarms) <= FALSE_ALARM_BOUND * len(sets["not_danger"]), alarms


@pytest.mark.parametrize("name", DEV_SETS)
def test_dev_sets_have_no_false_alarm(clf: Classifier, name: str) -> None:
    alarms = [t for t in load(name)["not_danger"] if clf.classify(t).act == "emergency"]
    assert alarms == []


def test_sets_are_big_enough_and_apart() -> None:
    dev, held = load("emergency_dev.yaml"), load("emergency_heldout.yaml")
    assert len(held["danger"]) >= 80 and len(held["not_danger"]) >= 60
    overlap = (set(dev["danger"]) | set(dev["not_danger"])) & (set(held["danger"]) | set(held["not_danger"]))
    assert overlap == set()


@pytest.mark.parametrize(
    "text",
    [
        "我家老人在楼梯上摔倒了，头在流血",
        "配电箱冒火花了，还有一股焦糊味",
        "电梯卡住了 我妈被关在里面出不来",
        "电梯卡住了我妈被关在里面出不来",
    ],
)
def test_the_misses_named_in_issue_11(clf: Classifier, text: str) -> None:
    assert clf.classify(text).act == "emergency"


@pytest.mark.parametrize(
    "text",
    ["楼道堆满杂物，哪天着火了都跑不掉", "单元门口的台阶塌了一块", "楼道堆满杂物有火灾隐患"],
)
def test_the_false_alarms_named_in_issue_11(clf: Classifier, text: str) -> None:
    assert clf.classify(text).act != "emergency"


def _norm(text: str) -> str:
    return default_normalizer().normalize(text).text


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("万一着火了怎么办", "a hypothetical before the cue"),
        ("差点砸到人", "a near miss"),
        ("电线老化 起火隐患很大", "a risk word after the cue"),
        ("去年楼下着火了", "a past event"),
        ("那年厂房起火烧了一整夜", "a past year named another way"),
        ("几年前仓库着火，老板跑路了", "years ago"),
        ("楼下经常有人打架", "a recurring complaint"),
        ("厨房起火了 已经灭了", "something already over"),
        ("着火了应该打什么电话", "a question about the number"),
        ("没有着火 只是有点味道", "a negated cue"),
        ("这栋楼起火过", "a cue followed by 过"),
        ("烧烤摊冒烟 熏死人", "smoke with an ordinary source"),
        ("热死了 停电了 救命", "救命 as a figure of speech"),
        ("有辆车挡住小区大门 我们出不去", "a way out blocked by a car"),
        ("楼下大门被三轮车堵住了出不来", "a way out blocked"),
    ],
)
def test_a_frame_removes_the_cue(text: str, frame: str) -> None:
    got = danger.assess(_norm(text))
    assert not got.found, frame
    assert got.framed, frame


@pytest.mark.parametrize(
    "text",
    ["去年也着过火 现在又着火了", "万一出事怎么办 现在已经着火了", "经常打架 现在正在打人 快来"],
)
def test_a_now_word_lifts_past_and_hypothetical_frames(text: str) -> None:
    assert danger.assess(_norm(text)).found


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("小孩站在阳台护栏上", "child"),
        ("电梯停在两层中间 里面有人", "trapped"),
        ("有人从楼上摔下来了", "medical"),
        ("天然气管子破了", "gas"),
        ("有人拿着刀", "police"),
        ("有人拿着刀在追人", "police"),
    ],
)
def test_two_part_patterns_name_their_kind(text: str, kind: str) -> None:
    got = danger.assess(_norm(text))
    assert kind in got.kinds


def test_a_person_is_needed_where_the_state_alone_is_harmless() -> None:
    assert not danger.assess(_norm("手机从阳台掉下去了")).found
    assert danger.assess(_norm("小孩从阳台掉下去了")).found
    assert not danger.assess(_norm("电梯停在一楼 门开着")).found
    assert danger.assess(_norm("电梯停在一楼 里面有人出不来")).found
    assert danger.assess(_norm("电梯卡住了")).found  # stuck between floors: someone may be inside
    assert danger.assess(_norm("孩子被关在车里出不来")).found  # shut in a car is not a blocked way
    assert danger.assess(_norm("门锁坏了 老人被锁在屋里出不去")).found


def test_a_cue_at_the_start_is_not_read_as_past_because_the_message_ends_in_过() -> None:
    assert danger.assess(_norm("着火了 快来 别让人过")).found


def test_long_letters_are_reports_not_calls_for_help() -> None:
    letter = "尊敬的领导：" + "我们小区的问题一直没有解决，" * 20 + "曾有人受伤。"
    assert len(_norm(letter)) > danger.LETTER_CHARS
    assert not danger.assess(_norm(letter)).found


def test_admin_keywords_still_count_when_no_frame(clf: Classifier) -> None:
    # 十万火急 is only in intents/emergency.yaml, not a cue of bot/nlu/danger.py.
    assert not danger.assess(_norm("十万火急 快过来")).found
    assert clf.classify("十万火急 快过来").act == "emergency"
    assert not danger.decide(_norm("上次十万火急"), 3.0)


def test_every_cue_match_contains_one_of_its_triggers() -> None:
    """A pattern runs only when a trigger character is present, so a match without one would be a silent miss."""
    texts = []
    for name in (*DEV_SETS, "emergency_heldout.yaml"):
        sets = load(name)
        texts += sets["danger"] + sets["not_danger"]
    texts += [text for text, _ in DEV3_DANGER_NOW + DEV3_FRAMES + DEV4_DANGER_NOW + DEV4_FRAMES + DEV5_DANGER_NOW + DEV5_FRAMES
              + DEV7_DANGER_NOW + DEV7_FRAMES + PROBE7_DANGER_NOW + PROBE7_FRAMES
              + ROUND5_PAIRS + ROUND5_ALONE + ROUND5_NOT_NOW + ROUND5_STANDING + ROUND5_FRAMES
              + PROBE5BC_DANGER_NOW + PROBE5BC_FRAMES + PROBE5D_CASES + PROBE5E_CASES + ROUND6_CASES]
    tables = [*danger._COMPILED, *danger._SIGNS_COMPILED, *((c, t, p) for c, t, p, _ in danger._CAUSES_COMPILED)]
    gaps = [
        (kind, m.group())
        for text in texts
        for kind, triggers, pattern in tables
        for m in pattern.finditer(_norm(text))
        if not any(ch in m.group() for ch in triggers)
    ]
    assert gaps == []


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("仓库的货架倒了 有个人被压在底下", "crushed under something"),
        ("山坡滑下来了 埋着一个人", "buried"),
        ("他的手被压住了 拔不出来", "pinned"),
        ("厂房塌了 里面还有人", "a collapse with someone inside"),
        ("有个人坐在楼顶边上 说要跳", "a threat to jump"),
        ("那个人手里拿着汽油 在门口转", "petrol in hand"),
        ("他往我家门上浇了酒精", "pouring something that burns"),
        ("我前男友扬言要把我家点了", "a threat to burn"),
        ("他在楼下喊要捅死我", "a threat to kill"),
        ("娃从窗户翻出去了", "a child climbing out"),
        ("小孩吊在防盗网上", "a child hanging outside"),
        ("阿嫲喺厕所跌低 郁唔到", "Cantonese: cannot move after a fall"),
        ("佢晕咗 冇晒反应", "Cantonese: fainted, no response"),
        ("个手流紧血", "Cantonese: bleeding"),
        ("细路俾滚水渌亲", "Cantonese: scalded"),
        ("热油溅出来 烫得手都起泡了", "a scald in everyday words"),
        ("血一直往外冒 止不住", "bleeding in everyday words"),
        ("着火啦!", "a one-word alarm shouted"),
        ("抢劫!! 二楼", "a one-word alarm shouted"),
        ("快打119 二单元", "a call to the fire number now"),
        ("老人昏死过去了", "fainted, said another way"),
        ("火烛!", "Cantonese for fire"),
    ],
)
def test_families_of_danger_now(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("电梯又卡住了 好在里面没人", "nobody inside"),
        ("水管爆了 没人受伤", "nobody hurt"),
        ("没人被困 就是电梯不动了", "a negation with a person before the cue"),
        ("闻到煤气味 总阀已经关了", "the gas is already off"),
        ("厨房冒烟 原来是邻居家在炸鱼", "it turned out to be ordinary"),
        ("老人刚才晕倒了 已经醒过来了", "already over"),
        ("新闻里说外地着火了", "the news"),
        ("我梦见有人拿刀追我", "a dream"),
        ("别的小区有人被困在电梯里", "somewhere else"),
        ("辣得我嘴巴都冒火了", "a figure of speech"),
        ("气得我火冒三丈", "an idiom"),
        ("加班加得头都要爆炸了", "an idiom"),
        ("打死我也不签字", "an idiom"),
        ("吵得我想跳楼", "a mood, not a threat"),
        ("他说要跳槽了", "跳槽 is changing jobs"),
        ("衣服挂在防盗网上了", "no person"),
    ],
)
def test_frames_of_issue_11_item_4(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_already_over_is_lifted_while_it_still_goes_on() -> None:
    assert danger.assess(_norm("已经报警了 那人还在打人")).found
    assert danger.assess(_norm("火灭了 又烧起来了")).found
    assert danger.assess(_norm("阀门关了 还是有很大的煤气味")).found
    assert danger.assess(_norm("老人没事吧 晕倒了叫不醒")).found  # a worried question, not "nobody hurt"
    assert danger.assess(_norm("闻到焦味 原来是电线着火了")).found  # a cue after 原来是 stands


# Failure kinds of emergency_dev3 (measured blind once, then fixed on), each in the danger engineer's own words.


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("看了一晚上的新闻，写完作业又收拾了一下房间，楼下有个老人摔倒了起不来", "the news, far before the cue"),
        ("物业把水管修好了，我下楼倒垃圾的时候看见单元门口有个人晕倒了", "something over, far before the cue"),
        ("我本来想来问一下垃圾分类的事 结果刚下楼就看见有人倒在地上", "a question and a past thing before 结果"),
        ("以前物业说过要换电梯 今天电梯卡住了 我奶奶在里面", "a past clause before 今天"),
        ("我在外地出差 我妈在家摔倒了起不来", "the writer away is not 'elsewhere'"),
    ],
)
def test_a_frame_in_another_part_of_the_message_does_not_remove_the_danger(text: str, frame: str) -> None:
    assert danger.assess(_norm(text)).found, frame


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("隔壁大爷两年前中风了 现在恢复得不错 想问社区有没有康复活动", "现在 speaks of the recovery, not the stroke"),
        ("三个月前邻居家着过一次火", "N months ago"),
        ("厨房起火，邻居帮忙扑灭", "put out"),
        ("局长您好 工地上有人扬言要打人 请你们管一管", "a complaint to an official"),
        ("化工厂冒出浓烟 严重影响我们的生活", "a complaint by its wording"),
    ],
)
def test_a_frame_near_the_cue_still_removes_it(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


@pytest.mark.parametrize(
    ("text", "family"),
    DEV3_DANGER_NOW,
)
def test_families_of_danger_now_found_on_dev3(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(
    ("text", "frame"),
    DEV3_FRAMES,
)
def test_frames_of_dev3(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_alarm_emoji_are_read_as_words(clf: Classifier) -> None:
    """Normalisation drops emoji; a run of 🔥 or a 🆘 🚒 is a cry, one 🔥 also means "hot, popular"."""
    assert clf.classify("🚒🚒 9栋 快").act == "emergency"
    assert clf.classify("🔥🔥 七栋二单元").act == "emergency"
    assert danger.with_alarm_signs(_norm("🆘 2楼"), "🆘 2楼") == "救命 2楼"
    assert clf.classify("这家烤鱼店🔥").act != "emergency"
    assert clf.classify("私拉电线给电瓶车充电 太危险了🔥🔥").act != "emergency"


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("我爸突然口齿不清 嘴巴歪了", "signs of a stroke"),
        ("仓库里的柴火着了", "caught fire, said colloquially"),
        ("火越烧越大 快来", "a fire growing"),
        ("个阿婆喺度叫极都唔应", "Cantonese: no answer"),
        ("宝宝把纽扣吞下去了", "swallowed a small object"),
        ("鱼刺卡在喉咙里 喘不上来", "stuck in the throat"),
    ],
)
def test_more_families_of_danger_now(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("尊敬的领导：我们小区的电梯经常出问题，三号楼的电梯门打不开，业主意见很大，望尽快解决", "a letter's register"),
        ("货车的排气管冒黑烟 呛得人走不了路", "smoke of exhaust"),
        ("路灯坏了以后 好几个老人先后在这里摔伤了", "one after another: a recurring complaint"),
        ("我的腿去年骨折 现在已经愈合了 想问问残疾证", "healed"),
        ("这种救命药能不能纳入医保", "救命药 is a medicine"),
    ],
)
def test_letters_and_complaints_stay_reports(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_a_complaint_told_before_a_turn_does_not_remove_the_danger_after_it() -> None:
    assert danger.assess(_norm("我向物业投诉过好几次电线乱拉 今天晚上那堆电线烧起来了")).found


@pytest.mark.parametrize(
    "text",
    ["楼下有人打架 希望你们来处理一下", "领导 快来 有人晕倒了", "我要反映 楼下有人拿刀砍人 你们赶紧来"],
)
def test_a_resident_asking_the_desk_to_act_is_no_letter(text: str) -> None:
    assert danger.assess(_norm(text)).found


@pytest.mark.parametrize(
    ("text", "danger_now"),
    [
        ("贼摸进屋里了 我不敢出声", True),
        ("我躲在阳台上 好怕他找过来", True),
        ("孩子躲在房间里打游戏 不肯出来", False),
        ("我被锁在单元楼外面了 没带门禁卡", False),
        ("楼栋封控了 我们被困在家里", False),
        ("我女儿的钥匙掉进下水道了", False),
        ("医生说我妈胸口痛是岔气 开了药", False),
        ("我拿着刀在拆快递", False),
    ],
)
def test_intruders_and_their_look_alikes(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


def test_no_cue_pattern_matches_nothing() -> None:
    """A pattern that can match the empty string would stand as a cue in every message that has a trigger."""
    assert [kind for kind, _, pattern in danger._COMPILED if pattern.search("") is not None] == []


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("sos 三栋", "a bare sos"),
        ("部𨋢困咗人", "Cantonese: trapped"),
        ("厨房燃气好重的味", "a gas smell said loosely"),
        ("有个老人被三轮车撞飞了", "hit by a vehicle"),
        ("工人的手被绞进机器里了", "caught in a machine"),
        ("招牌掉下来砸到了两个人", "struck by a falling thing"),
    ],
)
def test_families_of_danger_now_said_loosely(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("我爷爷把一板安眠药全吞了", "an overdose"),
        ("小孩把干燥剂吃进去了", "a poison named before it is swallowed"),
        ("他扬言今晚要去捅死隔壁那个人", "a threat to kill with words between"),
        ("他掐住我的脖子不放", "strangled"),
        ("男的在打女的 女的在喊", "a beating now"),
        ("有人要抢我家小孩", "a child snatched"),
        ("我奶奶磕破了头", "a head cut open"),
        ("我爷爷倒在卫生间 叫他不应", "lying where he fell"),
        ("宝宝发烧抽起来了", "a seizure said colloquially"),
        ("我爸突然说不出话 一边胳膊没力", "signs of a stroke"),
        ("我妈心脏难受 脸发白", "heart trouble"),
        ("有个人在湖里挣扎", "drowning"),
        ("房子塌了", "a building collapse said bare"),
        ("围墙倒了 底下好像有人", "a collapse with someone under it, hedged"),
        ("钢管掉下来砸到了下面的老人", "struck by a falling thing"),
        ("有人拿着砖头在砸人", "a brick in hand"),
        ("午饭以后全班同学上吐下泻 有人晕倒了", "以后 meaning 'after' is no hypothetical"),
    ],
)
def test_families_of_danger_now_in_everyday_words(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("楼道里的电动车 着火了可就麻烦了", "a consequence feared"),
        ("花盆掉下来砸到人算谁的责任", "a question of liability"),
        ("天花板塌了一块 露出钢筋", "part of a ceiling is a repair"),
        ("台风把树刮倒了 砸到了我家的车", "a car struck, not a person"),
    ],
)
def test_frames_of_everyday_words(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


@pytest.mark.parametrize(
    ("text", "danger_now"),
    [
        ("地库里有辆车在烧", True),
        ("我儿子误食了爷爷的药", True),
        ("zhaohuo le 8 dong", True),
        ("楼下烧烤摊在烧炭烤串", False),
        ("去年楼上着火的事 到现在也没人处理", False),
    ],
)
def test_a_fire_burning_a_mistaken_dose_pinyin_and_until_now(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


@pytest.mark.parametrize(
    ("text", "danger_now"),
    [
        ("我媳妇羊水破了", True),
        ("她快要生了 在电梯里", True),
        ("我奶奶走丢了 她有老年痴呆", True),
        ("爷爷的老花镜找不到了", False),
        ("我老婆明年要生二胎 想问社区有什么补贴", False),
    ],
)
def test_a_birth_starting_and_an_old_person_lost(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


def test_the_police_already_called_is_no_end_of_the_danger() -> None:
    assert danger.assess(_norm("楼下有人持刀打架 已经报警了")).found


@pytest.mark.parametrize(("text", "family"), DEV4_DANGER_NOW)
def test_families_of_danger_now_found_on_dev4(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(("text", "frame"), DEV4_FRAMES)
def test_frames_of_dev4(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


@pytest.mark.parametrize(("text", "family"), DEV5_DANGER_NOW)
def test_families_of_danger_now_found_on_dev5(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(("text", "frame"), DEV5_FRAMES)
def test_frames_of_dev5(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_dev5_was_heldout5_measured_blind_once() -> None:
    """The set was renamed when it became a dev set; its header keeps the blind figure it was fixed from."""
    assert not (DATA / "emergency_heldout5.yaml").exists()
    header = (DATA / "emergency_dev5.yaml").read_text(encoding="utf-8").split("danger:")[0]
    assert "emergency_heldout5" in header and "21/79" in header and "9/80" in header


def test_dev4_was_heldout4_measured_blind_once() -> None:
    """The set was renamed when it became a dev set; its header keeps the blind figure it was fixed from."""
    assert not (DATA / "emergency_heldout4.yaml").exists()
    header = (DATA / "emergency_dev4.yaml").read_text(encoding="utf-8").split("danger:")[0]
    assert "emergency_heldout4" in header and "18/80" in header and "8/80" in header


@pytest.mark.parametrize(("text", "family"), DEV7_DANGER_NOW + PROBE7_DANGER_NOW)
def test_families_of_danger_now_found_on_dev7(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(("text", "frame"), DEV7_FRAMES + PROBE7_FRAMES)
def test_frames_of_dev7(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


@pytest.mark.parametrize(
    ("text", "danger_now"),
    [
        # A charcoal fire with people in a closed room now is carbon monoxide now; the same words said of people in
        # general as a reminder are a hazard report.
        ("现在还有人在屋里烧炭取暖 想提醒一下", False),
        ("有的住户冬天在屋里烧炭 希望社区宣传一下", False),
        ("对门现在正在屋里烧炭 门窗都关着 敲门没人应", True),
        ("隔壁还有人在屋里烧炭 门窗关着 人叫不醒", True),
        # Unseen for days and no answer at the door is a welfare check now; unseen alone is a worry to report.
        ("好几天没见到对门老人了 敲门没人应", True),
        ("对门的大爷两天没露面了 打电话也没人接", True),
        ("好几天没见到对门老人了 不知道是不是搬走了", False),
    ],
)
def test_charcoal_and_welfare_checks_decided_by_a_rule(clf: Classifier, text: str, danger_now: bool) -> None:
    assert (clf.classify(text).act == "emergency") is danger_now


def test_words_typed_with_spaces_keep_their_frames() -> None:
    """The spaced cue is placed back where it was typed, so a frame near it still reads it as past."""
    assert danger.assess(_norm("突然 说不出话 半边 身子 动不了")).found
    got = danger.assess(_norm("去年 我爸 突然 说不出话 半边 身子 动不了"))
    assert not got.found and got.framed
    # Spaces between clauses (runs longer than SPACED_RUN) part clauses: they are not joined into a cue.
    assert not danger.assess(_norm("今天去交了燃气费 味道不错的那家蛋糕店在哪")).found


def test_dev7_was_measured_blind_once() -> None:
    """The set became a dev set after one blind run; its header keeps the figure it was fixed from."""
    header = (DATA / "emergency_dev7.yaml").read_text(encoding="utf-8").split("danger:")[0]
    assert "emergency_heldout7" in header and "17/80" in header and "2/80" in header


# Round 5 (danger5): detection by combination. Each group alone is ordinary; together they are danger now.
#: Two signs that make a known picture, or a cause with the sign it explains (text, the combination).
ROUND5_PAIRS = [
    ("他胸口发紧 额头上全是冷汗", "chest + sweat: a heart attack"),
    ("我爸说胸口压着难受 左手发麻", "chest + a numb arm"),
    ("奶奶突然头痛 接着就吐了", "a sudden headache + vomiting"),
    ("身上起了一片疙瘩 嗓子发紧", "hives + a tight throat"),
    ("他瘫在地上 连我都不认得人了", "collapsed + confused"),
    ("孩子偷吃了奶奶的药 现在昏昏沉沉的", "pills taken + drowsy"),
    ("被马蜂蜇了 脸一下肿起来 头晕", "a sting + swelling"),
    ("开水泼到手上 皮都掉了", "a scald + skin coming off"),
    ("外公有糖尿病 这会儿手抖得厉害 一身冷汗", "diabetes + trembling and sweat"),
    ("爷爷从梯子上摔下来 迷迷糊糊的", "a fall + drowsy"),
    ("仓库烧起来了 里面还有三个工人", "a fire + someone inside"),
    ("我真的撑不下去了 遗书写好了", "despair + the means"),
    ("心跳突然好快 眼前一黑 胳膊麻了", "any three body families"),
]
#: The same groups alone, or with a sign they do not explain: ordinary (text, why).
ROUND5_ALONE = [
    ("我妈这两天胸口有点闷", "one sign: chest"),
    ("出了一身冷汗 做噩梦了", "one sign: sweat"),
    ("孩子吐了 可能吃坏肚子了", "one sign: vomiting"),
    ("孩子发烧39度 一直想睡", "a fever does not explain sleepiness"),
    ("孩子发高烧 吐了两次", "a fever does not explain vomiting"),
    ("我妈吃了降压药 有点头晕", "meds taken as prescribed"),
    ("手被烫了一下 起了个小泡", "a small blister is no skin coming off"),
    ("被蚊子咬了 全身起疙瘩", "a mosquito is not a sting that swells a throat"),
    ("工作好累 真的受不了了", "a bad day is no despair with the means"),
    ("店撑不下去了 跟大家说再见", "a shop closing"),
    ("鱼缸的水漫出来了 家里还有人吗", "a question whether anyone is home"),
    ("楼道里好多烟 还有人在抽烟", "smoke with a source"),
]
#: Pairs that stand, framed as a question, a recurrence, the past, exertion or the heat (text, why).
ROUND5_NOT_NOW = [
    ("我最近老是胸闷 出冷汗 是怎么回事", "a recurring symptom asked about"),
    ("手脚发麻 胸闷 是什么原因", "a health question"),
    ("昨天晚上胸口疼 出了一身冷汗 今天去医院查了", "the past"),
    ("跑完步 心跳特别快 头晕", "exertion"),
    ("天太热 胸闷 出了一身汗", "the heat"),
    ("去年仓库着火 里面还有工人", "a past fire"),
]
#: Signs and acts that stand alone, said new ways (text, family).
ROUND5_STANDING = [
    ("我妈摔倒了 问她话也不回", "called and not answering"),
    ("老伴坐着坐着就歪了 眼睛都不睁", "eyes that will not open"),
    ("有人被车撞了 躺在路中间不动", "lying still"),
    ("孩子呛奶了 咳不出声音", "no breath to cough"),
    ("wo ma chuan bu shang qi", "pinyin: cannot breathe"),
    ("宝宝全身突然僵直 眼睛往上翻", "a fit"),
    ("伤口的血按不住 一直流", "blood that will not stop"),
    ("外公突然讲话含糊 一边脸耷拉了", "stroke: speech and face"),
    ("他的腿好像变形了 动都不敢动", "a limb bent out of shape"),
    ("我姐割了自己的手腕", "a cut wrist"),
    ("两个工人进了化粪池 半天没上来", "gone down a pit"),
    ("my mum passed out 快来", "English: passed out"),
    ("有个男的拎着砖头在追人", "a weapon used on people"),
    ("他老公把她按在地上打", "a person beaten"),
    ("隔壁女的哭着喊别打了", "a plea to stop hitting"),
    ("有个人从公交站一直跟我到楼下", "followed from place to place"),
    ("找不到我儿子了 刚刚还在", "a child gone"),
    ("插线板突然着了 火窜到窗帘上了", "a fire catching and spreading"),
    ("有个老人脸朝下泡在池塘里", "a person lying in water"),
    ("有个男的拿著刀在追人", "Traditional 著 read as 着"),
]
#: Frames round 5 added, each on a cue that would otherwise stand (text, frame).
ROUND5_FRAMES = [
    ("我老公打呼噜打得像没呼吸一样", "a simile"),
    ("孩子早上叫都叫不醒 上学要迟到了", "a child who will not get up"),
    ("燃气表箱外面的盖子裂了 没闻到味", "no smell, nothing leaking"),
    ("救命 这个小程序怎么登不上去", "a cry about an app"),
    ("打游戏被队友气到吐血", "anger before a sign"),
    ("杀鱼的地方地上都是血水", "blood water at a fish stall"),
    ("买了把新菜刀 放在门口被人拿走了", "a knife bought"),
    ("一氧化碳报警器去哪买", "an alarm for sale"),
]


@pytest.mark.parametrize(("text", "combination"), ROUND5_PAIRS)
def test_signs_together_are_danger_now(text: str, combination: str) -> None:
    got = danger.assess(_norm(text))
    assert got.found and "medical" in got.kinds, combination


@pytest.mark.parametrize(("text", "why"), ROUND5_ALONE + ROUND5_NOT_NOW)
def test_a_sign_alone_or_framed_is_no_emergency(text: str, why: str) -> None:
    assert not danger.assess(_norm(text)).found, why


def test_each_part_of_a_combination_is_needed() -> None:
    """Removing either sign of a pair leaves no danger: the combination, not either word, decides."""
    assert danger.assess(_norm("他胸口发紧 额头上全是冷汗")).found
    assert not danger.assess(_norm("他胸口发紧")).found
    assert not danger.assess(_norm("额头上全是冷汗")).found
    assert danger.assess(_norm("孩子偷吃了奶奶的药 现在昏昏沉沉的")).found
    assert not danger.assess(_norm("孩子昏昏沉沉的")).found


def test_a_now_word_lifts_a_symptom_question() -> None:
    assert not danger.assess(_norm("最近胸闷 出冷汗 怎么回事")).found
    assert danger.assess(_norm("现在胸闷 出冷汗 怎么回事")).found


@pytest.mark.parametrize(("text", "family"), ROUND5_STANDING)
def test_round5_signs_and_acts_stand_alone(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(("text", "frame"), ROUND5_FRAMES)
def test_round5_frames(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_a_polite_opener_is_no_question_unless_one_follows() -> None:
    assert danger.assess(_norm("请问一下 卧室门缝里在往外冒烟 我不敢开门")).found
    assert not danger.assess(_norm("请问一下 卧室冒烟的话打什么电话")).found


def test_no_sign_or_cause_pattern_matches_nothing() -> None:
    patterns = [p for _, _, p in danger._SIGNS_COMPILED] + [p for _, _, p, _ in danger._CAUSES_COMPILED]
    assert [p.source for p in patterns if p.search("") is not None] == []


def test_dev6_was_measured_blind_once() -> None:
    header = (DATA / "emergency_dev6.yaml").read_text(encoding="utf-8").split("danger:")[0]
    assert "emergency_heldout6" in header and "28/80" in header and "5/80" in header


#: Groups probes 5b and 5c showed missing, each said in words of our own (text, family).
PROBE5BC_DANGER_NOW = [
    ("我爸嘴角往一边歪 右手握不住杯子", "a drooping mouth"),
    ("奶奶的嘴唇都是乌的 喘得很急", "dark lips, fast breath"),
    ("他说话变慢了 看东西有重影", "speech + vision"),
    ("女儿出去买东西一个小时还没回来 电话手表也打不通", "a child not back and unreachable"),
    ("有个男的坐在天台上 腿悬在外面", "a roof's edge"),
    ("门口有个陌生人一直在拧门把手", "a stranger at the door handle"),
    ("老人额头上好深一个口子", "a gaping head wound"),
    ("宝宝呛了好多水 现在不怎么哭", "water inhaled, then quiet"),
    ("被蜂蛰了 手肿得老粗 头晕", "a sting and a swelling"),
    ("孩子脸憋得通红 不出声了", "choking: a red face and no sound"),
    ("肚子疼得打滚 冒虚汗", "pain + sweat"),
    ("奶奶浑身发抖 嘴唇发白", "trembling + pale"),
    ("楼道里报警器一直在响 有股煤气味", "an alarm sounding + a smell"),
    ("梯子上掉下来了 没动静", "a fall + still"),
    ("被树枝戳到眼睛了", "an eye pierced"),
    ("孩子的脖子被跳绳缠住了", "a neck caught"),
    ("两伙人在楼下对砍", "two sides hacking"),
    ("快帮我叫辆救护车", "an ambulance asked for"),
    ("起了好多红疹子 呼吸有点困难", "hives + breath"),
]
#: The same groups near a miss (text, frame).
PROBE5BC_FRAMES = [
    ("他嘴角歪了一下 笑了", "a smile"),
    ("我家猫从阳台掉下去了 猫没事", "a pet fell"),
    ("隔壁的狗被车撞了", "a pet hurt"),
    ("孩子在学校和同学打架了 老师叫家长", "a school fight"),
    ("小区水池边孩子多 怕掉下去", "a fear inside a cue"),
    ("空气炸锅冒烟了 拔了插头就好了", "an appliance unplugged"),
    ("练拳击被打得鼻子出血了", "a sport and a nosebleed"),
    ("公园有人中暑晕倒 120已经拉走了", "taken away by 120"),
    ("孩子从床上掉下来了 哭了一会儿就好了", "over soon"),
    ("报警器一直响 是不是没电了", "an alarm alone"),
    ("敲门没人开 快递放门口了", "no answer alone"),
    ("宝宝哭了一晚上 现在不哭了 睡着了", "quiet with no cause"),
    ("游泳呛了几口水 没事", "water inhaled, nothing after"),
]


@pytest.mark.parametrize(("text", "family"), PROBE5BC_DANGER_NOW)
def test_groups_found_on_probes_5b_and_5c(text: str, family: str) -> None:
    assert danger.assess(_norm(text)).found, family


@pytest.mark.parametrize(("text", "frame"), PROBE5BC_FRAMES)
def test_frames_found_on_probes_5b_and_5c(text: str, frame: str) -> None:
    assert not danger.assess(_norm(text)).found, frame


def test_vomiting_several_times_is_now_not_a_recurrence() -> None:
    assert danger.assess(_norm("我晕得厉害 天花板在转 吐了好几次 走不了路")).found
    assert not danger.assess(_norm("楼下好几次着火 物业不管")).found


#: Families probe 5d showed missing, in words of our own (text, danger now?).
PROBE5D_CASES = [
    ("我妈哮喘发作了", True),
    ("我哮喘好几年了 想问问补贴", False),
    ("大爷被马踢倒了", True),
    ("他胸口上开了个大口子", True),
    ("厨房的液化气罐炸了", True),
    ("那人突然拔出一把匕首", True),
    ("我把刀拔出来了 在切菜", False),
    ("他的手腕扭成了奇怪的角度", True),
    ("工人在地里被雷击中了", True),
    ("有个人爬上了电线杆", True),
    ("倒车的时候车轮轧到了孩子的脚", True),
    ("车压到了井盖", False),
    ("有人在踹我家门", True),
    ("怀孕三十二周 突然破水了", True),
    ("股市见红了", False),
    ("天台栏杆那边有个娃在爬", True),
    ("有人用床单绑着往下滑", True),
    ("一辆货车冲进了菜市场", True),
    ("孩子烧得迷迷糊糊 刚才抽了一下", True),
    ("外婆摔了一晚上没人发现 手脚冰凉", True),
    ("冬天手脚冰凉 打颤 是不是体虚", False),
    ("洁厕灵和消毒液混了 熏得人喘不过气", True),
    ("这烟熏得人睁不开眼 烧烤摊太多了", False),
    ("宝宝耳朵里塞了颗珠子 喘气有声音", True),
    ("孩子鼻子里塞了个东西 已经取出来了", False),
    ("他被人砸了脑袋 一直吐", True),
    ("我拉着孩子不放 怕他乱跑", False),
    ("车祸现场交警已经处理完了", False),
]


@pytest.mark.parametrize(("text", "danger_now"), PROBE5D_CASES)
def test_families_of_probe_5d(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


#: Families probe 5e showed missing, in words of our own (text, danger now?).
PROBE5E_CASES = [
    ("爷爷把一整瓶降压丸吃了一把", True),
    ("维生素片吃了一瓶了 还要再买吗", False),
    ("小孩一个人趴在窗台边 窗户开着 家里没大人", True),
    ("孩子在窗边站着看烟花", False),
    ("有人朝她脸上泼了东西", True),
    ("他把我锁在屋里不让出去", True),
    ("把我关在门外了 不让我进", False),
    ("有个小孩沉在泳池底下不动", True),
    ("鱼在池底下不动 是不是死了", False),
    ("挖掘机挖破了燃气管", True),
    ("有人在湖里游着游着不见了", True),
    ("我儿子被两个人拽上了一辆车", True),
    ("快递被塞进车里拉走了", False),
    ("血压飙到190 右手抬不起来", True),
    ("血压高到180 头晕 吃了药好点了", False),
    ("突然眼前一黑 脸色灰白", True),
    ("脸色发白 手冰凉 是不是贫血", False),
    ("宝宝从床上摔下来 又去玩了", False),
]


@pytest.mark.parametrize(("text", "danger_now"), PROBE5E_CASES)
def test_families_of_probe_5e(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


#: Round 6: the groups emergency_dev8 showed missing and the loose cues narrowed, each with its near miss, in words
#: of our own (text, danger now?).
ROUND6_CASES = [
    ("my daughter ate shrimp, her lips swollen and she has trouble breathing", True),
    ("my lips are swollen after the dentist", False),
    ("刷完油漆 我爸吸进去不少 一直吐 头好晕", True),
    ("楼上刷油漆 闻了有点头晕 能不能让他们开窗", False),
    ("风把门吹上锁住了 3岁女儿一个人在屋里", True),
    ("孩子一个人在家写作业 我去买菜了", False),
    ("出地铁有个人跟了我两条街 还在后面", True),
    ("他摸了漏电的插座 手吸在上面下不来", True),
    ("墙上电线旁边贴着小广告", False),
    ("我妈突然不喘气了", True),
    ("潜水的时候能多久不呼吸", False),
    ("请问该怎么做 我爸好像没有呼吸了", True),
    ("请问老人没有呼吸了该怎么做", False),
    ("门口有个男人话要斩佢", True),
    ("我同事被锁在仓库里了 门打不开", True),
    ("孩子在飘窗上玩 大半个身子都探出去了", True),
    ("我妈胸口好像针扎一样 后背也疼", True),
    ("最近背疼 胸口也有点闷 是不是颈椎", False),
    ("他说头好晕 然后一下子歪倒了", True),
    ("楼上有小孩惨叫 大人一直在打", True),
    ("楼上大人一直在打麻将 小孩尖叫", False),
    ("工地的塔吊快要倒了 底下好多人", True),
    ("小区门口那棵树快倒了 麻烦物业看看", False),
    ("被毒蛇咬了 脚肿得越来越快", True),
    ("孩子以为真的起火了 吓哭了 其实是演练", False),
    ("群里有人说三栋着火了 是谣言吧", False),
    ("楼下成日有人烧烤 烟好大", False),
    ("我爸拿着刀在劈柴", False),
    ("他拿根棍子在打狗", False),
    ("有个醉汉拿着刀在楼下晃", True),
    ("他拿着斧头砍保安", True),
    ("孩子爬到床上了", False),
    ("孩子爬到窗台上了", True),
    ("前夫以前打我 现在已经离婚了", False),
    ("前夫在门口打我", True),
]


@pytest.mark.parametrize(("text", "danger_now"), ROUND6_CASES)
def test_round6_groups_and_narrowed_cues(text: str, danger_now: bool) -> None:
    assert danger.assess(_norm(text)).found is danger_now


@pytest.mark.parametrize("text", ["拿着刀在切西瓜", "拿棍子打蛇", "孩子爬到沙发上了", "我老公打我 已经离婚了"])
def test_loose_cues_round5_left_are_reports(text: str) -> None:
    assert not danger.assess(_norm(text)).found


@pytest.mark.parametrize("text", ["有人拿着刀", "楼下有人拿着刀", "小区门口有人拿刀", "有人持刀", "邻居拿着刀站在我家门口",
                                  "我老公拿着刀"])
def test_a_bare_weapon_in_hand_still_alarms(text: str) -> None:
    # Only a chore the tool is used for frames it ("拿着刀在切西瓜"); with nothing said, a knife in hand is for 110.
    got = danger.assess(_norm(text))
    assert got.found and "police" in got.kinds
