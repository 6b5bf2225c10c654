"""The demo seed: the board shows real figures, green rows and red ones."""

from tests.factories import CollegeFactory
from xinyu.compliance import board as bd
from xinyu.compliance.demo import seed_compliance
from xinyu.compliance.models import Budget, LedgerLine, Qualification, Station, StationDocument


def test_seed_compliance(world):
    result = seed_compliance(world.school, 3)
    year = Budget.objects.order_by("-year").first().year
    assert result.stations == 2 and result.qualifications == 2
    assert Budget.objects.filter(school=world.school).count() == 2
    assert LedgerLine.objects.filter(school=world.school).count() == result.lines > 0
    rows = {row.code: row for row in bd.board(world.school, year)}
    assert rows["funding_per_student"].ok is True
    assert rows["college_stations"].shortfall == 1  # the last college lacks its operating plan
    assert rows["qualified_teachers"].shortfall == 1  # one certificate expired
    assert rows["room_office"].ok and rows["room_training"].ok
    previous = {row.code: row for row in bd.board(world.school, year - 1)}
    assert previous["funding_per_student"].ok is False
    assert StationDocument.objects.count() == 3 and Qualification.objects.count() == 2


def test_the_same_seed_gives_the_same_ledger(world):
    CollegeFactory(school=world.school, name="第三学院", code="C")
    seed_compliance(world.school, 5)
    first = sorted(LedgerLine.objects.values_list("date", "amount", "document_number"))
    LedgerLine.objects.all().delete()
    Budget.objects.all().delete()
    Qualification.objects.all().delete()
    StationDocument.objects.all().delete()
    Station.objects.all().delete()
    seed_compliance(world.school, 5)
    assert sorted(LedgerLine.objects.values_list("date", "amount", "document_number")) == first
