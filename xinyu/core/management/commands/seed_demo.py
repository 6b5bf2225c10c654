"""`manage.py seed_demo [--students N] [--seed S] [--if-empty]`: build the demo college."""

from django.core.management.base import BaseCommand, CommandError

from xinyu.accounts.demo import seed_two_factor
from xinyu.care.demo import seed_care
from xinyu.compliance.demo import seed_compliance
from xinyu.concerns.demo import seed_open_cases
from xinyu.counselling.demo import seed_counselling
from xinyu.courses.demo import seed_courses
from xinyu.education.demo import seed_education
from xinyu.org.demo import DEFAULT_SEED, DEFAULT_STUDENTS, build_demo_college
from xinyu.org.demo.build import CLASS_SIZE, MIN_STUDENTS
from xinyu.org.demo.data import SCHOOL_CODE, SCHOOL_NAME
from xinyu.org.models import School, Student
from xinyu.privacy.demo import seed_privacy
from xinyu.public.demo import seed_public
from xinyu.referrals.demo import seed_referrals
from xinyu.reports.demo import seed_leading_group_year, seed_monthly_reports
from xinyu.screening.demo import seed_screening
from xinyu.studentfile.demo import seed_studentfile
from xinyu.training.demo import seed_training
from xinyu.workforce.demo import seed_workforce


class Command(BaseCommand):
    help = "生成演示学院（衢州职业技术学院）：二级学院、班级、寝室、学生、账号和各级岗位。"

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS, help="学生人数（默认 15000）")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子生成相同数据")
        parser.add_argument("--class-size", type=int, default=CLASS_SIZE, help="每班人数（默认 45）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有学生时什么也不做（make run 使用）")

    def handle(self, *args, students, seed, class_size, if_empty, **options):
        existing = Student.objects.count()
        if existing and if_empty:
            self.stdout.write(f"数据库中已有 {existing} 名学生，不再生成演示数据。")
            return
        if existing:
            raise CommandError(
                f"数据库中已有 {existing} 名学生，演示数据只能写入空数据库。请换用新的数据库，或加 --if-empty 跳过。"
            )
        if School.objects.filter(code=SCHOOL_CODE).exists() or School.objects.filter(name=SCHOOL_NAME).exists():
            raise CommandError(f"数据库中已有学校“{SCHOOL_NAME}”，演示数据只能写入空数据库。")
        if students < MIN_STUDENTS:
            raise CommandError(f"演示学院至少需要 {MIN_STUDENTS} 名学生。")
        if class_size < 10:
            raise CommandError("每班人数至少为 10。")
        self.stdout.write(f"正在生成演示学院：{students} 名学生，随机种子 {seed} …")
        college = build_demo_college(students=students, seed=seed, class_size=class_size)
        seed_open_cases(college.school, seed)  # open crisis cases at A, B and C, a drill, reports waiting
        seed_referrals(college.school, seed)  # referrals, a student on leave (so not screened), one returned
        seed_screening(college.school, seed)  # a finished freshmen census and an open semester screening
        seed_care(college.school, seed)  # key-concern registry entries with care plans, a dorm check-in
        seed_counselling(college.school, seed)  # rooms, slots, bookings, sessions with notes
        seed_workforce(college.school, seed)  # a term of supervision, two case conferences with tasks
        seed_courses(college.school, seed)  # 大学生心理健康教育 in each intake's first term; two classes not enrolled
        seed_compliance(college.school, seed)  # budgets, ledgers, qualifications, rooms, stations (the board)
        seed_public(college.school, seed)  # the public page: five published articles (sleep, exams, booking …), a draft
        seed_studentfile(college.school, seed)  # family contacts and follow-ups in a student's file
        seed_privacy(college.school, seed)  # consents, break-glass grants (one reviewed)
        seed_two_factor(college.school, seed)  # authenticators for the T3/T4 demo accounts (manage.py totp_code)
        seed_monthly_reports(college.school, seed)  # a year of every college's monthly reports, last month's due
        seed_leading_group_year(college.school, seed)  # last year's summary, symposium and decisions
        seed_education(college.school, seed)  # this year's plans; two terms of activities, theme class meetings
        seed_training(college.school, seed)  # two years of staff training, a few short, certificates expiring
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成{SCHOOL_NAME}：8 个二级学院，{college.class_groups} 个班级，"
                f"{college.students} 名学生，{college.dorm_rooms} 间寝室，{college.appointments} 个任职，"
                f"{len(college.expected_gaps)} 处有意留下的覆盖缺口；用时 {college.seconds:.1f} 秒。"
            )
        )
