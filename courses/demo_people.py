"""Who is in the demo clinic and what its staff wrote, for each language it is built in.

The clinic's language (``LANGUAGE_CODE``) picks the people: a London clinic's patients
are Smiths and Patels, a Moscow clinic's are Ивановы with a patronymic each, and the
notes staff and patients typed are in the clinic's language too. Everything else (the
courses, the visits, the rules they obey) is the same demo.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from clinic import roles

Hours = dict[int, tuple[dt.time, dt.time]]


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: str | None  # no role for the superuser who administers users and groups
    # A therapist's own hours by weekday; None works whenever the clinic is open.
    hours: Hours | None = None
    takes_holiday: bool = False


@dataclass(frozen=True)
class DemoName:
    first_name: str
    last_name: str
    patronymic: str
    email_name: str  # the name as an e-mail address writes it: ASCII


@dataclass(frozen=True)
class DemoPeople:
    staff: list[DemoStaff]
    name: Callable[[int], DemoName]
    phone: Callable[[int], str]
    closed_days: Callable[[dt.date], list[tuple[dt.date, str]]]
    holiday: str
    eased_off_note: str
    rise_comment: str
    comments: list[str]  # blank ones: most answers come without a comment
    areas: list[str]

    def therapists(self) -> list[DemoStaff]:
        return [member for member in self.staff if member.role == roles.THERAPIST]


def _weekdays(days, starts: int, ends: int) -> Hours:
    return {weekday: (dt.time(starts), dt.time(ends)) for weekday in days}


# The therapists' weeks, the same in every language: one works weekdays 9 to 5, one
# afternoons and Saturdays (not Wednesdays), one whenever the clinic is open.
EARLY_HOURS = _weekdays(range(5), 9, 17)
LATE_HOURS = _weekdays((0, 1, 3, 4), 12, 20) | _weekdays([5], 10, 16)


FIRST_NAMES = [
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Thomas",
    "Grace", "James", "Sophie", "William", "Emily", "Daniel", "Lucy", "Samuel", "Ella",
    "Joseph", "Hannah", "David", "Ruth", "Peter", "Helen", "Michael", "Susan", "Robert",
    "Janet", "Richard", "Carol", "Andrew", "Linda", "Stephen", "Irene", "Paul", "Moira",
    "Martin", "Elaine", "Graham", "Brenda", "Ian", "Pauline", "Colin", "Sandra", "Keith",
    "Denise", "Tariq", "Nadia", "Viktor", "Olena",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Patel", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts",
    "Green", "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Lewis", "Turner",
    "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Harris", "Baker", "Price",
    "Bennett", "Gray", "Kelly", "Murphy", "Bell", "Marshall", "Fisher", "Kaur", "Begum",
    "Nowak", "Rossi", "Ahmed", "Byrne", "Doyle", "Shevchenko", "Novak",
]  # fmt: skip


def _english_name(index: int) -> DemoName:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
    return DemoName(first, last, "", f"{first}.{last}")


ENGLISH = DemoPeople(
    staff=[
        DemoStaff("manager", "Margaret", "Holloway", roles.MANAGER),
        DemoStaff("reception", "Priya", "Shah", roles.RECEPTION),
        DemoStaff("anna.kowalska", "Anna", "Kowalska", roles.THERAPIST, EARLY_HOURS),
        DemoStaff("ben.okafor", "Ben", "Okafor", roles.THERAPIST, LATE_HOURS),
        DemoStaff("chloe.martin", "Chloe", "Martin", roles.THERAPIST, takes_holiday=True),
        DemoStaff("admin", "Site", "Administrator", None),
    ],
    name=_english_name,
    # Ofcom's fictional London numbers, valid and reaching no one, are a thousand;
    # patients past them have an e-mail address only.
    phone=lambda index: f"+44 20 7946 {index:04d}" if index < 1000 else "",
    closed_days=lambda today: [
        (dt.date(today.year, 12, 25), "Christmas Day"),
        (dt.date(today.year, 12, 26), "Boxing Day"),
        (dt.date(today.year + 1, 1, 1), "New Year's Day"),
    ],
    holiday="Holiday",
    eased_off_note="Pain rose after kneading; reduce the force next session.",
    rise_comment="My back hurt more the evening after the massage.",
    comments=["", "", "Feeling looser.", "Better in the mornings."],
    areas=["left shoulder blade", "right lower back", "between the shoulders"],
)


# Men and women by turns, as the English names go.
RUSSIAN_MEN = [
    "Алексей", "Сергей", "Андрей", "Дмитрий", "Михаил", "Владимир", "Николай", "Иван",
    "Павел", "Александр", "Евгений", "Игорь", "Юрий", "Виктор", "Олег", "Константин",
    "Максим", "Артём", "Роман", "Григорий", "Борис", "Фёдор", "Станислав", "Вадим", "Тимур",
]  # fmt: skip
RUSSIAN_WOMEN = [
    "Мария", "Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана",
    "Екатерина", "Людмила", "Галина", "Надежда", "Юлия", "Марина", "Валентина", "Вера",
    "Любовь", "Нина", "Тамара", "Ксения", "Дарья", "Алина", "Зоя", "Лариса", "Оксана",
]  # fmt: skip
# A surname as a man bears it; a woman's form follows from it (_feminine).
RUSSIAN_SURNAMES = [
    "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Иванов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
    "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров",
    "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
    "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев",
    "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин",
    "Виноградов", "Ковалевский", "Белоусов", "Шевченко", "Ким", "Тарасов",
]  # fmt: skip
# The father's name as his son's and his daughter's patronymic: not always one rule
# (Ильич, Ильинична).
RUSSIAN_PATRONYMICS = [
    ("Игоревич", "Игоревна"), ("Иванович", "Ивановна"), ("Сергеевич", "Сергеевна"),
    ("Петрович", "Петровна"), ("Александрович", "Александровна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"),
    ("Михайлович", "Михайловна"), ("Андреевич", "Андреевна"), ("Викторович", "Викторовна"),
    ("Юрьевич", "Юрьевна"), ("Дмитриевич", "Дмитриевна"), ("Олегович", "Олеговна"),
    ("Васильевич", "Васильевна"), ("Геннадьевич", "Геннадьевна"),
    ("Анатольевич", "Анатольевна"), ("Борисович", "Борисовна"),
    ("Евгеньевич", "Евгеньевна"), ("Павлович", "Павловна"), ("Ильич", "Ильинична"),
]  # fmt: skip
# Letters as a Russian passport spells them in Latin (ICAO Doc 9303), for e-mail addresses.
LATIN_LETTERS = [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
    "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
]  # fmt: skip
LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", LATIN_LETTERS, strict=True))


def _feminine(surname: str) -> str:
    """Смирнов → Смирнова, Ковалевский → Ковалевская; Шевченко and Ким do not change."""
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _latin(word: str) -> str:
    return "".join(LATIN.get(letter, letter) for letter in word.lower())


def _russian_name(index: int) -> DemoName:
    woman = index % 2 == 1
    first = (RUSSIAN_WOMEN if woman else RUSSIAN_MEN)[index // 2 % len(RUSSIAN_MEN)]
    surname = RUSSIAN_SURNAMES[(index * 7) % len(RUSSIAN_SURNAMES)]
    last = _feminine(surname) if woman else surname
    patronymic = RUSSIAN_PATRONYMICS[(index * 3) % len(RUSSIAN_PATRONYMICS)][woman]
    return DemoName(first, last, patronymic, f"{_latin(first)}.{_latin(last)}")


RUSSIAN = DemoPeople(
    staff=[
        DemoStaff("manager", "Маргарита", "Холодова", roles.MANAGER),
        DemoStaff("reception", "Полина", "Шахова", roles.RECEPTION),
        DemoStaff("anna.kovaleva", "Анна", "Ковалёва", roles.THERAPIST, EARLY_HOURS),
        DemoStaff("bogdan.okunev", "Богдан", "Окунев", roles.THERAPIST, LATE_HOURS),
        DemoStaff("svetlana.markova", "Светлана", "Маркова", roles.THERAPIST, takes_holiday=True),
        DemoStaff("admin", "Администратор", "сайта", None),
    ],
    name=_russian_name,
    # Russia sets no numbers aside for fiction, but no subscriber number starts with 0
    # (01, 02, 03 were the emergency services): Moscow's 495 and a leading 0 reach no one.
    phone=lambda index: (
        f"+7 495 0{index // 10000:02d}-{index // 100 % 100:02d}-{index % 100:02d}"
        if index < 1_000_000
        else ""
    ),
    closed_days=lambda today: [
        (dt.date(today.year + 1, 1, 1), "Новый год"),
        (dt.date(today.year + 1, 1, 2), "Новогодние каникулы"),
        (dt.date(today.year + 1, 1, 7), "Рождество Христово"),
    ],
    holiday="Отпуск",
    eased_off_note="Боль усилилась после разминания; в следующий раз уменьшить силу.",
    rise_comment="Вечером после массажа спина болела сильнее.",
    comments=["", "", "Стало свободнее.", "По утрам лучше."],
    areas=["область левой лопатки", "поясница справа", "межлопаточная область"],
)


def demo_people(language: str) -> DemoPeople:
    """The clinic's people for a language code (``ru``, ``ru-ru``); English otherwise."""
    return RUSSIAN if language.lower().split("-")[0] == "ru" else ENGLISH
