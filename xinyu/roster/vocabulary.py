"""The words a roster file may use for genders, statuses and posts.

These are values of the file format (what a college types into a cell), not interface text: the
template, the import and the export all use them, so an exported list can be edited and imported back.
"""

import unicodedata

from xinyu.org.models import Post, Student

GENDER_WORDS = {
    "男": Student.Gender.MALE,
    "女": Student.Gender.FEMALE,
    "男性": Student.Gender.MALE,
    "女性": Student.Gender.FEMALE,
    "male": Student.Gender.MALE,
    "female": Student.Gender.FEMALE,
    "m": Student.Gender.MALE,
    "f": Student.Gender.FEMALE,
}
GENDER_NAMES = {Student.Gender.MALE: "男", Student.Gender.FEMALE: "女"}

STATUS_WORDS = {
    "在读": Student.Status.ENROLLED,
    "在校": Student.Status.ENROLLED,
    "在籍": Student.Status.ENROLLED,
    "休学": Student.Status.ON_LEAVE,
    "毕业": Student.Status.GRADUATED,
    "已毕业": Student.Status.GRADUATED,
    "退学": Student.Status.WITHDRAWN,
    "已退学": Student.Status.WITHDRAWN,
    "开除": Student.Status.DISMISSED,
    "开除学籍": Student.Status.DISMISSED,
    **{status.value: status for status in Student.Status},
}
STATUS_NAMES = {
    Student.Status.ENROLLED: "在读",
    Student.Status.ON_LEAVE: "休学",
    Student.Status.GRADUATED: "毕业",
    Student.Status.WITHDRAWN: "退学",
    Student.Status.DISMISSED: "开除",
}

# The first name of each post is the one the template and the export write.
POST_NAMES: dict[str, tuple[str, ...]] = {
    Post.LEADING_GROUP_HEAD: ("领导小组组长",),
    Post.LEADING_GROUP_DEPUTY: ("领导小组副组长",),
    Post.LEADING_GROUP_MEMBER: ("领导小组成员",),
    Post.STUDENT_AFFAIRS_STAFF: ("学工部工作人员", "学工部老师", "学工部教师"),
    Post.CENTRE_SUPERVISOR: ("心理中心督导", "中心督导", "心理健康教育中心督导"),
    Post.CENTRE_COUNSELLOR: ("专职心理教师", "专职心理咨询师", "专职咨询师"),
    Post.CENTRE_PART_TIME_COUNSELLOR: ("兼职心理教师", "兼职心理咨询师", "兼职咨询师"),
    Post.COLLEGE_GROUP_HEAD: ("学院工作小组组长", "二级学院工作小组组长", "工作小组组长"),
    Post.COLLEGE_LEADER_IN_CHARGE: ("学院分管领导", "二级学院分管领导", "分管领导", "工作小组副组长"),
    Post.COLLEGE_OFFICE_DIRECTOR: ("学工办主任", "学院学工办主任"),
    Post.MENTAL_HEALTH_ADVISOR: ("心理辅导员", "学院心理辅导员"),
    Post.COLLEGE_CONSULTANT: ("特聘咨询师", "学院特聘咨询师", "特聘心理咨询师"),
    Post.ADVISOR: ("辅导员",),
    Post.HEAD_TEACHER: ("班主任",),
    Post.WELLBEING_REP: ("班级心理委员", "心理委员"),
    Post.DORM_LEADER: ("寝室长",),
    Post.DEPARTMENT_STAFF: ("部门工作人员", "职能部门工作人员"),
}


def word_key(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


POST_WORDS = {word_key(name): post for post, names in POST_NAMES.items() for name in names} | {
    post.value: post for post in Post
}
SCHOOL_WORDS = {"学校", "全校", "校级"}


def post_name(post: str) -> str:
    return POST_NAMES[post][0]
