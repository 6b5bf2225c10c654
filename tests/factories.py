"""factory_boy factories: plain defaults, no surprises."""

import factory

from xinyu.accounts.models import User
from xinyu.org.id_numbers import check_digit
from xinyu.org.models import ClassGroup, College, Department, DormRoom, Guardian, School, Student


def valid_id_number(serial: int, birth: str = "20050101", region: str = "330802") -> str:
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["code"]

    name = "衢州职业技术学院"
    code = "QZPT"


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"学院{n}")
    code = factory.Sequence(lambda n: f"C{n:02d}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = Department.Kind.OTHER


class ClassGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassGroup

    college = factory.SubFactory(CollegeFactory)
    name = factory.Sequence(lambda n: f"班级{n}")
    enrolment_year = 2025
    major = "计算机应用技术"


class DormRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DormRoom

    school = factory.SubFactory(SchoolFactory)
    building = "1号楼"
    room = factory.Sequence(lambda n: f"{100 + n}")
    gender = DormRoom.Gender.MALE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"T{n:05d}")
    full_name = factory.Sequence(lambda n: f"教师{n}")
    kind = User.Kind.STAFF
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    student_number = factory.Sequence(lambda n: f"2025{n:06d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = Student.Gender.MALE
    enrolment_year = 2025
    class_group = factory.SubFactory(ClassGroupFactory)
    phone = "13800000000"


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    student = factory.SubFactory(StudentFactory)
    name = "家长"
    relation = "父亲"
    phone = "13900000000"


def student_with_account(**kwargs) -> Student:
    student = StudentFactory(**kwargs)
    student.user = UserFactory(username=student.student_number, full_name=student.name, kind=User.Kind.STUDENT)
    student.save(update_fields=["user"])
    return student
