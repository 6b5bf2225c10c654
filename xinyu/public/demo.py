"""Demo articles on the public page for the demo college: five published over the past year (sleep, exam
stress, how to book counselling, helping a roommate, the 5·25 activity month, with a drawn poster) and
one draft, written and published by the centre's staff. Deterministic for a seed; names no student."""

import datetime as dt
import io
import random

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from xinyu.org.models import Appointment
from xinyu.org.scope import CENTRE_POSTS
from xinyu.public import services
from xinyu.public.models import Article

ARTICLES = (
    (
        "睡个好觉：大学生睡眠小贴士",
        "熬夜、睡不着、白天犯困？几个简单的方法帮你找回规律作息。",
        "## 为什么睡不好\n\n"
        "刚进大学，作息自由了，手机、游戏、社团活动很容易把入睡时间一再推后。长期睡眠不足会让人情绪低落、"
        "注意力下降，也更容易焦虑。\n\n"
        "## 试试这几件事\n\n"
        "- **固定起床时间**：周末也尽量相差不超过一小时。\n"
        "- **睡前一小时放下手机**：可以听听轻音乐、做几分钟拉伸。\n"
        "- **白天多晒太阳、多运动**，但睡前两小时避免剧烈运动。\n"
        "- **睡不着就起来**：躺了二十分钟还睡不着，起来做点安静的事，有困意再回床上。\n\n"
        "如果失眠持续两周以上，或者伴随明显的情绪低落，欢迎到阳光心理中心聊一聊。",
    ),
    (
        "考试周不慌：给自己减压的三个方法",
        "考前紧张很正常，适度的紧张还能帮你集中注意力。",
        "## 紧张是身体在帮你\n\n"
        "考前心跳加快、手心出汗，是身体在为“应战”做准备。我们要做的不是消灭紧张，而是不让它失控。\n\n"
        "## 三个小方法\n\n"
        "1. **腹式呼吸**：吸气 4 秒，屏住 2 秒，慢慢呼气 6 秒，重复五次。\n"
        "2. **把担心写下来**：写下最担心的事，再写下“我现在能做的一件事”。\n"
        "3. **按计划复习**：把复习内容拆成小块，每完成一块就打个勾。\n\n"
        "> 一次考试只是一次考试，它不能定义你是谁。\n\n"
        "如果压力大到吃不下、睡不着，或者总有“撑不下去”的念头，请一定告诉辅导员或联系阳光心理中心。",
    ),
    (
        "怎样预约心理咨询",
        "心理咨询免费、保密，预约只需几步。",
        "## 谁可以来\n\n"
        "全校在校学生都可以预约，不需要任何理由：学习、人际、恋爱、家庭、情绪、未来规划……都可以聊。\n\n"
        "## 怎么预约\n\n"
        "1. 用学号登录心语，进入“心理咨询”。\n"
        "2. 选择咨询师和空闲时段，提交预约。\n"
        "3. 中心确认后你会收到通知；请提前 10 分钟到达。\n\n"
        "也可以在工作时间到阳光心理中心接待室，或打电话预约。\n\n"
        "## 保密吗\n\n"
        "咨询内容严格保密，只有在你或他人的生命安全受到威胁等法定情形下才会依法例外处理。"
        "咨询记录不进入学籍档案，不影响评奖评优、入党和干部选拔。",
    ),
    (
        "室友心情不好，我可以做什么",
        "陪伴和倾听就是很大的帮助；遇到危险信号，要及时告诉老师。",
        "## 先陪伴，再倾听\n\n"
        "不用急着给建议。一句“最近看你有点累，要不要一起去走走？”往往比大道理更管用。\n\n"
        "## 这些信号要重视\n\n"
        "- 长时间不吃饭、不出门、不去上课；\n"
        "- 说“活着没意思”“不想拖累别人”之类的话；\n"
        "- 突然把心爱的东西送人，或者像在“告别”。\n\n"
        "遇到这些情况，**请马上告诉辅导员、寝室长或心理委员**，也可以在心语里“预警上报”。"
        "这不是“出卖”朋友，而是在保护他。\n\n"
        "## 也照顾好自己\n\n"
        "帮助别人会很累，如果你也感到压力，同样可以来阳光心理中心聊一聊。",
    ),
    (
        "“5·25”心理健康活动月开幕啦",
        "“5·25”谐音“我爱我”：五月，一起关爱自己、关爱他人。",
        "## 活动安排\n\n"
        "| 时间 | 活动 | 地点 |\n"
        "|---|---|---|\n"
        "| 5月上旬 | 心理健康主题班会 | 各班教室 |\n"
        "| 5月中旬 | 心理情景剧大赛 | 大学生活动中心 |\n"
        "| 5月25日 | 心理游园会 | 学校广场 |\n"
        "| 全月 | 团体心理辅导（报名制） | 阳光心理中心团体辅导室 |\n\n"
        "{poster}\n\n"
        "欢迎各班心理委员组织同学参加，活动由大学生心理协会协办。",
    ),
)
DRAFT = (
    "新学期适应：离家第一年",
    "写给新生：想家、不适应都很正常。",
    "## 想家是正常的\n\n（待补充：新生常见的适应问题和应对方法。）",
)


def _poster() -> bytes:
    """A small drawn poster (no photo, so nobody is in it)."""
    image = Image.new("RGB", (640, 320), (47, 111, 94))
    draw = ImageDraw.Draw(image)
    for n in range(8):
        draw.ellipse((40 + n * 70, 120 - (n % 3) * 20, 100 + n * 70, 180 - (n % 3) * 20), fill=(255, 214, 102))
    draw.rectangle((0, 250, 640, 320), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@transaction.atomic
def seed_public(school, seed: int) -> list[Article]:
    """The demo college's public page. Idempotent per school: nothing is added when it has articles."""
    if Article.objects.filter(school=school).exists():
        return []
    rng = random.Random(seed * 31 + 525)
    staff = list(
        Appointment.objects.current()
        .filter(post__in=CENTRE_POSTS, school=school)
        .select_related("person")
        .order_by("person__username")
    )
    if not staff:
        return []
    people = [appointment.person for appointment in staff]
    today = timezone.localdate()
    made = []
    for n, (title, summary, body) in enumerate(ARTICLES):
        author = people[n % len(people)]
        article = services.create_article(school, by=author, title=title, summary=summary, body=body)
        if "{poster}" in body:
            poster = services.add_image(article, by=author, upload=_poster(), description="“5·25”心理健康活动月")
            services.update_article(
                article, by=author, title=title, summary=summary,
                body=body.replace("{poster}", f"![“5·25”心理健康活动月](/xinli/images/{poster.pk}/)"),
            )  # fmt: skip
        article = services.publish(article, by=people[0])
        days_ago = 20 + (len(ARTICLES) - n) * 60 + rng.randint(0, 20)
        published_at = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9 + rng.randint(0, 7), 0))
        )
        Article.objects.filter(pk=article.pk).update(published_at=published_at)
        made.append(article)
    title, summary, body = DRAFT
    made.append(services.create_article(school, by=people[-1], title=title, summary=summary, body=body))
    services.bump_version()
    return made
