"""Small, clearly fictional name pools for the demo generator.

Slavic names are kept in Cyrillic and romanised by rule (see `variants`); Arabic and
Greek names carry their native form and a few customary Latin spellings. Western
pools are keyed by nationality. No pool carries anything but names.
"""

from __future__ import annotations

from typing import Final

# fmt: off
# --- Slavic (Cyrillic, romanised by rule) -------------------------------------------

SLAVIC_MALE: Final = (
    "Владимир", "Сергей", "Алексей", "Дмитрий", "Андрей", "Михаил", "Игорь", "Юрий",
    "Николай", "Олег", "Евгений", "Александр", "Виктор", "Павел", "Аркадий", "Геннадий",
    "Константин", "Григорий", "Роман", "Вячеслав", "Борис", "Вадим", "Степан", "Илья",
)
SLAVIC_FEMALE: Final = (
    "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Мария",
    "Анастасия", "Ксения", "Людмила", "Екатерина", "Вера", "Жанна",
)
# (male, female) patronymics
PATRONYMICS: Final = (
    ("Владимирович", "Владимировна"), ("Сергеевич", "Сергеевна"),
    ("Алексеевич", "Алексеевна"), ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"), ("Михайлович", "Михайловна"),
    ("Игоревич", "Игоревна"), ("Юрьевич", "Юрьевна"), ("Николаевич", "Николаевна"),
    ("Олегович", "Олеговна"), ("Евгеньевич", "Евгеньевна"),
    ("Александрович", "Александровна"), ("Викторович", "Викторовна"),
    ("Павлович", "Павловна"), ("Борисович", "Борисовна"),
)
# (male, female) surnames
SLAVIC_SURNAMES: Final = (
    ("Петров", "Петрова"), ("Иванов", "Иванова"), ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"), ("Соколов", "Соколова"), ("Морозов", "Морозова"),
    ("Волков", "Волкова"), ("Лебедев", "Лебедева"), ("Козлов", "Козлова"),
    ("Новиков", "Новикова"), ("Фёдоров", "Фёдорова"), ("Орлов", "Орлова"),
    ("Белов", "Белова"), ("Захаров", "Захарова"), ("Громов", "Громова"),
    ("Тарасов", "Тарасова"), ("Жуков", "Жукова"), ("Щербаков", "Щербакова"),
    ("Ковалёв", "Ковалёва"), ("Яковлев", "Яковлева"), ("Зайцев", "Зайцева"),
    ("Шевченко", "Шевченко"), ("Коваленко", "Коваленко"), ("Бондаренко", "Бондаренко"),
    ("Ткаченко", "Ткаченко"), ("Ахметов", "Ахметова"), ("Жумабаев", "Жумабаева"),
    ("Сарсенбаев", "Сарсенбаева"), ("Чернышёв", "Чернышёва"), ("Хромов", "Хромова"),
    ("Цветков", "Цветкова"), ("Юдин", "Юдина"), ("Ершов", "Ершова"),
    ("Белозерский", "Белозерская"), ("Савицкий", "Савицкая"),
)

# --- Arabic and Greek (native form + customary Latin spellings) ---------------------

Native = tuple[str, tuple[str, ...]]

ARABIC_MALE: Final[tuple[Native, ...]] = (
    ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohammad")),
    ("أحمد", ("Ahmed", "Ahmad")),
    ("علي", ("Ali", "Aly")),
    ("خالد", ("Khaled", "Khalid")),
    ("عمر", ("Omar", "Umar")),
    ("يوسف", ("Youssef", "Yusuf", "Yousef")),
    ("حسن", ("Hassan", "Hasan")),
    ("إبراهيم", ("Ibrahim", "Ebrahim")),
    ("عبدالله", ("Abdullah", "Abdallah", "Abdulla")),
    ("سعيد", ("Saeed", "Said", "Saied")),
    ("فيصل", ("Faisal", "Faysal")),
    ("طارق", ("Tariq", "Tarek")),
    ("ناصر", ("Nasser", "Naser")),
    ("سلطان", ("Sultan", "Soltan")),
    ("كريم", ("Karim", "Kareem")),
)
ARABIC_FEMALE: Final[tuple[Native, ...]] = (
    ("فاطمة", ("Fatima", "Fatma", "Fatemah")),
    ("مريم", ("Maryam", "Mariam")),
    ("نور", ("Noor", "Nour")),
    ("ليلى", ("Layla", "Leila")),
    ("هدى", ("Huda", "Hoda")),
    ("سارة", ("Sara", "Sarah")),
)
ARABIC_SURNAMES: Final[tuple[Native, ...]] = (
    ("الراشد", ("Al-Rashid", "Alrashid", "Al Rashid", "El-Rashid")),
    ("المنصوري", ("Al-Mansouri", "Almansoori", "Al Mansoori")),
    ("الهاشمي", ("Al-Hashimi", "Alhashemi", "El Hashemi")),
    ("الزهراني", ("Al-Zahrani", "Alzahrani", "Al Zahrani")),
    ("العتيبي", ("Al-Otaibi", "Alotaibi", "Al Utaybi")),
    ("حداد", ("Haddad", "Hadad")),
    ("خوري", ("Khoury", "Khouri", "El-Khoury")),
    ("الشمري", ("Al-Shammari", "Alshamari", "Al Shamari")),
    ("الفارسي", ("Al-Farsi", "Alfarsi", "Al Farsi")),
    ("البلوشي", ("Al-Balushi", "Albalushi", "Al Baloushi")),
    ("السويدي", ("Al-Suwaidi", "Alsuwaidi", "Al Suwaidy")),
    ("الظاهري", ("Al-Dhaheri", "Aldhaheri", "Al Daheri")),
    ("العلي", ("Al-Ali", "Alali", "Al Aly")),
    ("الكعبي", ("Al-Kaabi", "Alkaabi", "Al Kabi")),
)
GREEK_MALE: Final[tuple[Native, ...]] = (
    ("Γιώργος", ("Georgios", "Giorgos", "Yiorgos")),
    ("Ανδρέας", ("Andreas", "Andrea")),
    ("Μιχάλης", ("Michalis", "Michael", "Mihalis")),
    ("Χρίστος", ("Christos", "Hristos")),
    ("Νίκος", ("Nikos", "Nicos", "Nikolaos")),
    ("Παναγιώτης", ("Panagiotis", "Panayiotis", "Panayotis")),
    ("Κώστας", ("Kostas", "Costas", "Konstantinos")),
)
GREEK_FEMALE: Final[tuple[Native, ...]] = (
    ("Ελένη", ("Eleni", "Helen", "Elena")),
    ("Μαρία", ("Maria", "Marie")),
    ("Άννα", ("Anna", "Ana")),
    ("Κατερίνα", ("Katerina", "Catherine", "Aikaterini")),
)
GREEK_SURNAMES: Final[tuple[Native, ...]] = (
    ("Ανδρέου", ("Andreou", "Andreu")),
    ("Χριστοδούλου", ("Christodoulou", "Christodoulu", "Hristodoulou")),
    ("Γεωργίου", ("Georgiou", "Yiorgiou", "Georgiu")),
    ("Νικολάου", ("Nikolaou", "Nicolaou")),
    ("Κυριάκου", ("Kyriakou", "Kiriakou", "Kyriacou")),
    ("Ιωάννου", ("Ioannou", "Ioanou", "Joannou")),
    ("Χαραλάμπους", ("Charalambous", "Haralambous", "Charalampous")),
    ("Κωνσταντίνου", ("Constantinou", "Konstantinou")),
)

# --- Western pools, keyed by nationality: (male, female, surnames) ------------------

WESTERN: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "gb": (
        ("James", "Oliver", "William", "Thomas", "Harry", "George", "Edward", "Charles"),
        ("Sarah", "Emma", "Charlotte", "Olivia", "Victoria", "Rebecca"),
        ("Thompson", "Whitmore", "Ashworth", "Fairbanks", "Hollis", "Pembroke", "Marsh",
         "Caldwell", "Barrington", "Holloway", "Lockwood", "Sutton", "Fletcher", "Harding"),
    ),
    "de": (
        ("Jürgen", "Klaus", "Stefan", "Matthias", "Andreas", "Jörg", "Uwe", "Jens", "Björn"),
        ("Sabine", "Birgit", "Katrin", "Ute", "Anja", "Jördis"),
        ("Müller", "Schröder", "Weiß", "Krüger", "Bäcker", "Hoffmann", "Schäfer", "Köhler",
         "Wagner", "Fischer", "Brandt", "Vogel", "Lößner", "Großmann"),
    ),
    "fr": (
        ("François", "Jérôme", "René", "Thierry", "Benoît", "Gaël"),
        ("Hélène", "Amélie", "Céline", "Léa", "Chloé"),
        ("Lefèvre", "Dubois", "Moreau", "Girard", "Fontaine", "Bérenger", "Lacroix"),
    ),
    "it": (
        ("Giovanni", "Marco", "Alessandro", "Luca", "Paolo", "Niccolò"),
        ("Francesca", "Giulia", "Chiara", "Elisa"),
        ("Rossi", "Bianchi", "Ferrara", "Conti", "Esposito", "Moretti", "Galli", "Ricci"),
    ),
    "pa": (
        ("José", "Luis", "Andrés", "Martín", "Raúl", "Tomás"),
        ("María", "Lucía", "Ana", "Inés", "Sofía"),
        ("García", "Fernández", "Núñez", "Ortega", "Castillo", "Herrera", "Ibáñez"),
    ),
    "tr": (
        ("Mehmet", "Ahmet", "Emre", "Burak", "Murat", "Serkan"),
        ("Ayşe", "Elif", "Zeynep", "Gül"),
        ("Yılmaz", "Şahin", "Öztürk", "Kaya", "Demir", "Çelik", "Aydın"),
    ),
    "mt": (
        ("Joseph", "Carmel", "Mario", "Ivan", "Kurt"),
        ("Rita", "Doris", "Marthese", "Claire"),
        ("Borg", "Camilleri", "Vella", "Farrugia", "Zammit", "Galea", "Azzopardi", "Grech"),
    ),
    "sc": (
        ("Jean-Paul", "Bernard", "Gerard", "Patrick"),
        ("Marie", "Nadia", "Sylvette"),
        ("Hoareau", "Payet", "Laporte", "Servina", "Pillay", "Morel"),
    ),
    "vg": (
        ("Leonard", "Desmond", "Calvin", "Elroy"),
        ("Delia", "Marcia", "Janelle"),
        ("Penn", "Malone", "Frett", "Creque", "Vanterpool", "Stoutt"),
    ),
    "nl": (
        ("Jan", "Pieter", "Willem", "Joost", "Maarten"),
        ("Sanne", "Femke", "Anouk"),
        ("de Vries", "van Dijk", "Bakker", "Visser", "van den Berg", "Jansen"),
    ),
}

# Nationality of generated people: (iso2, origin, weight). Origins: slavic, arabic,
# greek, or a WESTERN pool key.
NATIONALITIES: Final = (
    ("ru", "slavic", 18), ("ua", "slavic", 5), ("kz", "slavic", 3),
    ("gb", "gb", 13), ("de", "de", 11), ("cy", "greek", 8), ("gr", "greek", 2),
    ("ae", "arabic", 9), ("sa", "arabic", 3), ("lb", "arabic", 2), ("jo", "arabic", 1),
    ("mt", "mt", 4), ("it", "it", 4), ("fr", "fr", 3), ("pa", "pa", 3), ("tr", "tr", 4),
    ("nl", "nl", 2), ("sc", "sc", 1), ("vg", "vg", 1),
)

COUNTRY_NAMES: Final = {
    "ru": "Russia", "ua": "Ukraine", "kz": "Kazakhstan", "gb": "United Kingdom",
    "de": "Germany", "cy": "Cyprus", "gr": "Greece", "ae": "United Arab Emirates",
    "sa": "Saudi Arabia", "lb": "Lebanon", "jo": "Jordan", "mt": "Malta", "it": "Italy",
    "fr": "France", "pa": "Panama", "tr": "Turkey", "nl": "Netherlands",
    "sc": "Seychelles", "vg": "British Virgin Islands", "cn": "China", "in": "India",
    "vn": "Viet Nam", "us": "United States", "ch": "Switzerland", "lv": "Latvia",
}
DEMONYMS: Final = {
    "ru": "Russian", "ua": "Ukrainian", "kz": "Kazakh", "gb": "British", "de": "German",
    "cy": "Cypriot", "gr": "Greek", "ae": "Emirati", "sa": "Saudi", "lb": "Lebanese",
    "jo": "Jordanian", "mt": "Maltese", "it": "Italian", "fr": "French",
    "pa": "Panamanian", "tr": "Turkish", "nl": "Dutch", "sc": "Seychellois",
    "vg": "British",
}

# --- Company name parts -------------------------------------------------------------

EN_PREFIX: Final = (
    "Silver", "North", "Blue", "Kestrel", "Orion", "Atlas", "Caspian", "Meridian",
    "Harbour", "Crest", "Stone", "Falcon", "Amber", "Iron", "Coral", "Summit", "Oak",
    "Raven", "Sterling", "Tide", "Granite", "Eagle", "Pine", "Harrow", "Westmore",
)
EN_SUFFIX: Final = (
    "lake", "gate", "field", "bridge", "wood", "stone", "haven", "point", "ridge",
    "ford", "well", "crest", "vale", "mark", "shore", "line", "brook", "moor",
)
EN_INDUSTRY: Final = (
    "Trading", "Holdings", "Logistics", "Capital", "Ventures", "Shipping", "Petroleum",
    "Metals", "Investments", "Consulting", "Maritime", "Commodities", "Resources",
    "Enterprises", "Assets", "Management", "Industries", "Global", "Partners", "Energy",
)
DE_WORDS: Final = (
    "Rheinfeld", "Nordstern", "Elbtal", "Hansa", "Alpenblick", "Bergmann", "Weißdorn",
    "Löwenberg", "Sonnenhof", "Grünwald", "Steinbach", "Falkenrot", "Mühlbach",
    "Störtebeker", "Ostwind", "Lindenhof", "Kranich", "Bärental", "Eichenwald", "Hafenblick",
    "Moorweide", "Seeadler", "Tannheim", "Wendelstein", "Rosengarten", "Schwanenhof",
)
DE_INDUSTRY: Final = (
    "Handel", "Logistik", "Metallbau", "Maschinenbau", "Import-Export", "Baustoffe",
    "Energie", "Textil", "Chemie", "Beteiligungs", "Spedition", "Rohstoffe", "Elektro",
)
AE_WORDS: Final = (
    "Al Noor", "Gulf Horizon", "Desert Rose", "Al Waha", "Palm Crescent", "Al Safa",
    "Blue Dune", "Al Majd", "Pearl Coast", "Al Barakah", "Oasis Star", "Al Yasmin",
)
AE_INDUSTRY: Final = (
    "General Trading", "Commodities", "Logistics", "Investments", "Petrochemicals",
    "Metals Trading", "Marine Services", "Gold & Jewellery",
)
ES_WORDS: Final = (
    "Costa Azul", "Bahía Serena", "Monte Claro", "Río Dorado", "Punta Brava",
    "Isla Verde", "Sol Naciente", "Cerro Alto", "Mar Abierto", "Vista Hermosa",
)
ES_INDUSTRY: Final = ("Inversiones", "Grupo", "Comercial", "Holding", "Servicios")
RU_PREFIX: Final = (
    "Сиб", "Урал", "Волга", "Балт", "Нева", "Север", "Дон", "Кама", "Енисей", "Амур",
    "Гранит", "Альфа", "Вектор", "Прогресс", "Восток", "Орион", "Магистраль",
)
RU_SUFFIX: Final = (
    "транс", "инвест", "металл", "энерго", "строй", "торг", "нефть", "лес", "пром",
    "снаб", "авто", "хим", "агро", "логистик", "ресурс", "холдинг",
)
GR_INDUSTRY: Final = ("Shipping", "Holdings", "Trading", "Estates", "Investments")

# Legal forms by jurisdiction: (registry form, short form, bank/SWIFT form)
LEGAL_FORMS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "gb": (("Limited", "Ltd", "LTD"), ("LLP", "LLP", "LLP")),
    "cy": (("Limited", "Ltd", "LTD"),),
    "mt": (("Limited", "Ltd", "LTD"),),
    "vg": (("Limited", "Ltd", "LTD"), ("Inc.", "Inc", "INC"), ("Corp.", "Corp", "CORP")),
    "sc": (("Limited", "Ltd", "LTD"),),
    "pa": (("S.A.", "SA", "SA"), ("Corp.", "Corporation", "CORP")),
    "ae": (("FZE", "FZE", "FZE"), ("LLC", "L.L.C.", "LLC"), ("DMCC", "DMCC", "DMCC")),
    "de": (("GmbH", "GmbH", "GMBH"), ("AG", "AG", "AG"), ("GmbH & Co. KG", "KG", "KG")),
    "ru": (("ООО", "OOO", "LLC"), ("АО", "AO", "JSC")),
}
COMPANY_TYPES: Final = {
    "Limited": "Private limited company", "LLP": "Limited liability partnership",
    "Inc.": "BVI business company", "Corp.": "Corporation", "S.A.": "Sociedad anónima",
    "FZE": "Free zone establishment", "LLC": "Limited liability company",
    "DMCC": "DMCC free zone company", "GmbH": "Gesellschaft mit beschränkter Haftung",
    "AG": "Aktiengesellschaft", "GmbH & Co. KG": "Kommanditgesellschaft",
    "ООО": "Общество с ограниченной ответственностью", "АО": "Акционерное общество",
}

SUPPLIER_NAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], str]]] = {
    "cn": (("Shenzhen", "Ningbo", "Guangzhou", "Qingdao", "Xiamen", "Tianjin", "Yiwu",
            "Dongguan", "Suzhou", "Foshan"),
           ("Trading", "Electronics", "Industrial", "Technology", "Textile", "Machinery",
            "Import & Export", "Hardware", "Metal Products", "Plastics"),
           "Co., Ltd."),
    "tr": (("Yıldız", "Ege", "Anadolu", "Boğaziçi", "Marmara", "Karadeniz"),
           ("Tekstil", "Metal", "Kimya", "Gıda", "Makine"), "San. ve Tic. A.Ş."),
    "in": (("Ganesh", "Shree", "Navratna", "Sagar", "Kaveri", "Indus"),
           ("Exports", "Metals", "Polymers", "Textiles", "Engineering"), "Pvt. Ltd."),
    "vn": (("Saigon", "Hanoi", "Mekong", "Da Nang", "Hai Phong"),
           ("Garment", "Seafood", "Electronics", "Furniture"), "Joint Stock Company"),
    "us": (("Lakeside", "Redwood", "Bluegrass", "Prairie", "Harbor"),
           ("Industrial Supply", "Components", "Chemicals", "Machinery"), "Inc."),
    "ua": (("Dnipro", "Kharkiv", "Odesa", "Zaporizhzhia", "Poltava"),
           ("Agro", "Steel", "Grain", "Machinery"), "LLC"),
}
# fmt: on
