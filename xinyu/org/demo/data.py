"""The fixed facts of the demo college: its departments, colleges and majors, and the word lists names,
ID numbers and phone numbers are drawn from."""

from dataclasses import dataclass

from xinyu.org.models import Department

SCHOOL_NAME = "衢州职业技术学院"
SCHOOL_CODE = "QZPT"

# (name, kind, title of its head). 学工部's head is the leading group's deputy head; the others are members.
DEPARTMENTS = (
    ("学工部", Department.Kind.STUDENT_AFFAIRS, "部长"),
    ("宣传部", Department.Kind.PUBLICITY, "部长"),
    ("教务处", Department.Kind.ACADEMIC_AFFAIRS, "处长"),
    ("团委", Department.Kind.YOUTH_LEAGUE, "书记"),
    ("后勤保卫处", Department.Kind.LOGISTICS_SECURITY, "处长"),
    ("马克思主义学院", Department.Kind.MARXISM, "院长"),
)


@dataclass(frozen=True)
class Major:
    name: str
    short: str  # the class-name prefix: 软件 → 软件2601班


@dataclass(frozen=True)
class CollegeSpec:
    code: str
    name: str
    weight: float  # share of the school's students
    female_share: float
    majors: tuple[Major, ...]


COLLEGES = (
    CollegeSpec(
        "01",
        "信息工程学院",
        1.3,
        0.3,
        (
            Major("软件技术", "软件"),
            Major("计算机网络技术", "网络"),
            Major("大数据技术", "大数据"),
            Major("物联网应用技术", "物联网"),
        ),
    ),
    CollegeSpec(
        "02",
        "机电工程学院",
        1.3,
        0.1,
        (
            Major("机电一体化技术", "机电"),
            Major("数控技术", "数控"),
            Major("工业机器人技术", "机器人"),
            Major("电气自动化技术", "电气"),
        ),
    ),
    CollegeSpec(
        "03",
        "建筑工程学院",
        1.0,
        0.25,
        (Major("建筑工程技术", "建工"), Major("工程造价", "造价"), Major("建设工程管理", "建管")),
    ),
    CollegeSpec(
        "04",
        "经济管理学院",
        1.2,
        0.65,
        (
            Major("大数据与会计", "会计"),
            Major("电子商务", "电商"),
            Major("市场营销", "营销"),
            Major("现代物流管理", "物流"),
        ),
    ),
    CollegeSpec(
        "05",
        "化工与材料学院",
        0.8,
        0.35,
        (
            Major("应用化工技术", "化工"),
            Major("高分子材料智能制造技术", "高分子"),
            Major("药品生产技术", "药品"),
        ),
    ),
    CollegeSpec(
        "06",
        "医学院",
        1.2,
        0.85,
        (Major("护理", "护理"), Major("助产", "助产"), Major("康复治疗技术", "康复")),
    ),
    CollegeSpec(
        "07",
        "艺术学院",
        0.7,
        0.6,
        (Major("视觉传达设计", "视传"), Major("环境艺术设计", "环艺"), Major("数字媒体艺术设计", "数媒")),
    ),
    CollegeSpec(
        "08",
        "教师教育学院",
        0.8,
        0.85,
        (Major("学前教育", "学前"), Major("小学教育", "小教"), Major("婴幼儿托育服务与管理", "托育")),
    ),
)
# Freshmen first: the current intake is a little larger than the two before it.
INTAKE_WEIGHTS = (1.05, 1.0, 0.95)

# Common surnames, most frequent first, with rough weights (衢州's 毛, 徐, 汪, 祝, 姜 a little higher).
SURNAMES = (
    ("王", 70),
    ("李", 55),
    ("张", 55),
    ("刘", 40),
    ("陈", 45),
    ("杨", 25),
    ("黄", 20),
    ("吴", 30),
    ("徐", 30),
    ("周", 25),
    ("朱", 15),
    ("胡", 15),
    ("林", 15),
    ("郑", 20),
    ("方", 15),
    ("叶", 15),
    ("何", 10),
    ("汪", 15),
    ("毛", 15),
    ("余", 12),
    ("祝", 8),
    ("姜", 8),
    ("赵", 15),
    ("孙", 10),
    ("马", 8),
    ("高", 8),
    ("郭", 8),
    ("罗", 6),
    ("谢", 6),
    ("宋", 6),
    ("唐", 6),
    ("许", 8),
    ("韩", 5),
    ("冯", 5),
    ("邓", 5),
    ("曹", 5),
    ("彭", 5),
    ("曾", 4),
    ("潘", 6),
    ("蒋", 6),
    ("蔡", 6),
    ("程", 6),
    ("姚", 5),
    ("沈", 6),
    ("钱", 5),
    ("金", 6),
    ("严", 4),
    ("傅", 4),
    ("童", 3),
    ("饶", 3),
)
MALE_CHARACTERS = "伟强磊军勇杰涛明超俊浩宇轩航博文斌鹏飞凯辉翔豪晨阳毅志诚睿哲铭宏泽瑞峰立彬鑫帆旭健烨楠"
FEMALE_CHARACTERS = "芳娜敏静丽艳娟霞婷雪琳颖慧倩佳欣怡萱雨涵梦瑶悦璐茜晴洁露蕾妍诗晓月琪蓉薇彤"
SHARED_CHARACTERS = "子思嘉一梓雨晓欣可安文"

# 浙江 county-level region codes; 衢州's own districts and counties come first and most often.
REGION_CODES = (
    ("330802", 14),  # 衢州市柯城区
    ("330803", 12),  # 衢州市衢江区
    ("330822", 8),  # 常山县
    ("330824", 8),  # 开化县
    ("330825", 8),  # 龙游县
    ("330881", 10),  # 江山市
    ("330106", 3),  # 杭州市西湖区
    ("330203", 3),  # 宁波市海曙区
    ("330302", 3),  # 温州市鹿城区
    ("330402", 2),  # 嘉兴市南湖区
    ("330502", 2),  # 湖州市吴兴区
    ("330602", 3),  # 绍兴市越城区
    ("330702", 5),  # 金华市婺城区
    ("330782", 4),  # 义乌市
    ("331002", 3),  # 台州市椒江区
    ("331102", 4),  # 丽水市莲都区
    ("330902", 1),  # 舟山市定海区
)
PHONE_PREFIXES = (
    tuple(f"13{d}" for d in range(10))
    + tuple(f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9))
    + tuple(f"18{d}" for d in range(10))
)
