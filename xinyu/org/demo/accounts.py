"""The demo accounts: one memorable person per role, the same in every demo database.

`seed_demo` gives these people their posts; `demo_accounts` and the README list them from here.
Students sign in with their 学号, which begins with the year of their intake: the demo students are in
the current freshmen's first class of 信息工程学院, so their 学号 are written with `{intake}` and
resolved by `demo_accounts()`.
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import timezone

DEMO_PASSWORD = "xinyu-demo-2026"  # noqa: S105 - the published password of a demo database


@dataclass(frozen=True)
class DemoAccount:
    key: str
    post: str  # 岗位
    name: str  # 姓名
    username: str  # 账号: 工号, or 学号 with {intake}
    sees: str  # 能看到什么, with {demo_class}
    # What `xinyu.org.scope.students_for` returns for them, checked by the tests:
    # "none", "self", "class", "advisor_classes", "college", "other_college" or "school".
    students: str

    @property
    def is_student(self) -> bool:
        return self.students == "self"


DEMO_COLLEGE = "信息工程学院"
OTHER_COLLEGE = "机电工程学院"

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "technical_admin",
        "系统管理员（技术管理员）",
        "孙技术",
        "900000",
        "后台；任命岗位（中心与学院工作小组的岗位须他人确认）；不看学生心理信息",
        "none",
    ),
    DemoAccount(
        "leading_group_head",
        "领导小组组长（党委副书记）",
        "周建华",
        "900001",
        "全校工作网络与覆盖缺口；不看学生个人信息",
        "none",
    ),
    DemoAccount(
        "student_affairs",
        "领导小组副组长、学工部部长",
        "陈立群",
        "900002",
        "全校学生名册与需关注信息（T2）；工作网络；名册导入；任命岗位，确认中心主任的任命",
        "school",
    ),
    DemoAccount(
        "centre_supervisor",
        "阳光心理中心主任",
        "叶心怡",
        "900003",
        "全校学生，含咨询记录（T4）；工作网络；访问日志；确认学院与中心岗位的任命",
        "school",
    ),
    DemoAccount(
        "counsellor",
        "专职心理咨询师",
        "徐静",
        "900004",
        "全校学生的名册、测评与约谈信息（T3）；工作网络；访问日志",
        "school",
    ),
    DemoAccount(
        "part_time_counsellor",
        "兼职心理咨询师",
        "吴晓燕",
        "900005",
        "全校学生的名册、测评与约谈信息（T3）；工作网络；访问日志",
        "school",
    ),
    DemoAccount(
        "leading_group_member",
        "领导小组成员（后勤保卫处处长）",
        "郑国强",
        "900006",
        "全校工作网络与覆盖缺口；不看学生个人信息",
        "none",
    ),
    DemoAccount(
        "mental_health_advisor",
        f"{DEMO_COLLEGE}心理辅导员",
        "林晓婷",
        "900011",
        f"{DEMO_COLLEGE}全体学生（T3）；本院工作网络",
        "college",
    ),
    DemoAccount(
        "college_leader",
        f"{DEMO_COLLEGE}分管领导（党总支副书记）",
        "王志刚",
        "900012",
        f"{DEMO_COLLEGE}全体学生（T3）；本院工作网络",
        "college",
    ),
    DemoAccount(
        "college_group_head",
        f"{DEMO_COLLEGE}党总支书记（工作小组组长）",
        "刘卫东",
        "900013",
        f"{DEMO_COLLEGE}全体学生（T3）；全校工作网络（领导小组成员）",
        "college",
    ),
    DemoAccount(
        "office_director",
        f"{DEMO_COLLEGE}学工办主任",
        "杨帆",
        "900014",
        f"{DEMO_COLLEGE}全体学生（T3）；本院工作网络；任命本院班主任、辅导员和学生岗位",
        "college",
    ),
    DemoAccount(
        "college_consultant",
        f"{DEMO_COLLEGE}特聘心理咨询师",
        "何敏",
        "900015",
        f"{DEMO_COLLEGE}全体学生（T3）",
        "college",
    ),
    DemoAccount(
        "advisor",
        f"{DEMO_COLLEGE}辅导员",
        "张磊",
        "900021",
        "所带班级（含{demo_class}）学生的名册与需关注信息（T2）",
        "advisor_classes",
    ),
    DemoAccount(
        "head_teacher",
        "{demo_class}班主任",
        "李红梅",
        "900022",
        "{demo_class}学生的名册与需关注信息（T2）",
        "class",
    ),
    DemoAccount(
        "other_college_advisor",
        f"{OTHER_COLLEGE}心理辅导员",
        "赵敏",
        "900099",
        f"{OTHER_COLLEGE}全体学生（T3）；看不到{DEMO_COLLEGE}的学生",
        "other_college",
    ),
    DemoAccount(
        "dorm_leader",
        "寝室长（{demo_class}）",
        "毛宇航",
        "{intake}010101",
        "仅本人信息；受托关心的室友只看到姓名，每周报一次平安（不知道原因）",
        "self",
    ),
    DemoAccount(
        "student",
        "学生（{demo_class}，与寝室长同寝）",
        "方浩然",
        "{intake}010102",
        "仅本人信息",
        "self",
    ),
    DemoAccount(
        "wellbeing_rep",
        "班级心理委员（{demo_class}）",
        "郑雨欣",
        "{intake}010103",
        "仅本人信息（学生岗位不授予查看他人的权限）",
        "self",
    ),
)
ACCOUNT = {account.key: account for account in DEMO_ACCOUNTS}
# The demo students who sign in (the demo data about other students leaves their own records alone).
DEMO_STUDENT_KEYS = ("dorm_leader", "student", "wellbeing_rep")


def current_intake(today: dt.date | None = None) -> int:
    """The year of the current freshmen: the academic year starts in September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def demo_class_name(intake: int) -> str:
    return f"软件{intake % 100:02d}01班"


def demo_accounts(today: dt.date | None = None, *, intake: int | None = None) -> list[DemoAccount]:
    """DEMO_ACCOUNTS with the 学号 and class names of `intake` (default: this academic year's) filled in."""
    intake = intake or current_intake(today)
    values = {"intake": intake, "demo_class": demo_class_name(intake)}
    return [
        replace(
            account,
            post=account.post.format(**values),
            username=account.username.format(**values),
            sees=account.sees.format(**values),
        )
        for account in DEMO_ACCOUNTS
    ]
