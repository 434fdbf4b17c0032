//! Names, streets and places of the fictional Norrfjärdens kommun.

pub const MUNICIPALITY: &str = "Norrfjärdens kommun";

pub const FEMALE_GIVEN_NAMES: [&str; 44] = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kristina", "Emma", "Ingrid", "Malin", "Elin",
    "Linnéa", "Åsa", "Sofia", "Hanna", "Ida", "Maja", "Alice", "Elsa", "Ebba", "Wilma", "Alva",
    "Ella", "Olivia", "Astrid", "Saga", "Freja", "Agnes", "Klara", "Julia", "Ellen", "Frida",
    "Matilda", "Stina", "Märta", "Signe", "Tove", "Jenny", "Helena", "Camilla", "Annika", "Louise",
    "Amina", "Yasmin",
];

pub const MALE_GIVEN_NAMES: [&str; 44] = [
    "Erik",
    "Lars",
    "Karl",
    "Johan",
    "Anders",
    "Per",
    "Nils",
    "Mikael",
    "Björn",
    "Göran",
    "Åke",
    "Jörgen",
    "Olof",
    "Fredrik",
    "Henrik",
    "Magnus",
    "Jonas",
    "Daniel",
    "Oskar",
    "Hugo",
    "William",
    "Liam",
    "Noah",
    "Lucas",
    "Elias",
    "Alexander",
    "Axel",
    "Ludvig",
    "Vincent",
    "Theo",
    "Adam",
    "Filip",
    "Isak",
    "Viktor",
    "Emil",
    "Gustav",
    "Albin",
    "Måns",
    "Sixten",
    "Melvin",
    "Leo",
    "Viggo",
    "Omar",
    "Ali",
];

pub const FAMILY_NAMES: [&str; 84] = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Lindström",
    "Olofsson",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Ali",
    "Wallin",
    "Mohammed",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Fransson",
    "Bergqvist",
    "Nyström",
    "Holmberg",
    "Arvidsson",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Claesson",
    "Nordström",
    "Mårtensson",
    "Lundström",
    "Ahmed",
    "Viklund",
    "Björklund",
    "Eliasson",
    "Pålsson",
    "Hassan",
    "Berggren",
    "Sandström",
    "Nordin",
    "Ström",
    "Åberg",
    "Hermansson",
    "Ekström",
    "Holmgren",
    "Sundberg",
    "Hedlund",
    "Dahlberg",
    "Sjögren",
    "Öberg",
];

pub const STREETS: [&str; 48] = [
    "Storgatan",
    "Kyrkogatan",
    "Skolgatan",
    "Järnvägsgatan",
    "Strandvägen",
    "Björkvägen",
    "Tallvägen",
    "Granvägen",
    "Ekvägen",
    "Lönnvägen",
    "Rönnvägen",
    "Aspvägen",
    "Sjövägen",
    "Älvgatan",
    "Hamngatan",
    "Norra vägen",
    "Södra långgatan",
    "Parkvägen",
    "Ängsvägen",
    "Blåbärsstigen",
    "Lingonstigen",
    "Hjortronvägen",
    "Smedjegatan",
    "Kvarngatan",
    "Bruksgatan",
    "Sågverksvägen",
    "Fiskargatan",
    "Tullgatan",
    "Torggatan",
    "Trädgårdsgatan",
    "Villagatan",
    "Backvägen",
    "Bergsgatan",
    "Solvägen",
    "Stjärnvägen",
    "Vallmovägen",
    "Klövervägen",
    "Prästgårdsvägen",
    "Gärdesvägen",
    "Åkervägen",
    "Skogsvägen",
    "Fjällvägen",
    "Myrvägen",
    "Bäckvägen",
    "Fyrvägen",
    "Lotsgatan",
    "Skeppargatan",
    "Båtsmansvägen",
];

/// Postal code and post town; a street always lies in the same one.
pub const POSTAL_AREAS: [(&str, &str); 16] = [
    ("852 30", "Norrfjärden"),
    ("852 31", "Norrfjärden"),
    ("852 32", "Norrfjärden"),
    ("852 33", "Norrfjärden"),
    ("852 34", "Norrfjärden"),
    ("852 35", "Norrfjärden"),
    ("852 36", "Norrfjärden"),
    ("852 37", "Norrfjärden"),
    ("852 38", "Norrfjärden"),
    ("852 39", "Norrfjärden"),
    ("852 90", "Älvsbacka"),
    ("852 91", "Granlunda"),
    ("852 92", "Sörviken"),
    ("852 93", "Lillfors"),
    ("852 94", "Kvarnby"),
    ("852 95", "Hällnäs"),
];

/// Municipal grundskolor (the seed shuffles the order).
pub const SCHOOLS: [&str; 30] = [
    "Björkbackaskolan",
    "Ekdalsskolan",
    "Tallmoskolan",
    "Granlundaskolan",
    "Sjövikskolan",
    "Älvdalsskolan",
    "Kvarnbäcksskolan",
    "Hagabergsskolan",
    "Solbergaskolan",
    "Lönnvikskolan",
    "Furulundsskolan",
    "Ängsmarksskolan",
    "Strandvikskolan",
    "Kyrkbyskolan",
    "Lillforsskolan",
    "Hällnässkolan",
    "Sörvikskolan",
    "Rönnbackaskolan",
    "Bergsåkersskolan",
    "Fjällsippans skola",
    "Västanbyskolan",
    "Östanåskolan",
    "Norrbyskolan",
    "Kvarnbyskolan",
    "Myrängsskolan",
    "Nolbyskolan",
    "Åsenskolan",
    "Skogsbrynets skola",
    "Hamnskolan",
    "Lotsgärdesskolan",
];

/// Municipal preschools (the school is "Förskoleområde X", its unit "Förskolan X").
pub const PRESCHOOLS: [&str; 32] = [
    "Solrosen",
    "Blåklockan",
    "Humlan",
    "Ekorren",
    "Nyckelpigan",
    "Lingonet",
    "Blåbäret",
    "Vitsippan",
    "Prästkragen",
    "Myran",
    "Igelkotten",
    "Fjärilen",
    "Smultronet",
    "Maskrosen",
    "Linnean",
    "Kotten",
    "Regnbågen",
    "Stjärnan",
    "Ugglan",
    "Räven",
    "Haren",
    "Trollsländan",
    "Snäckan",
    "Skogsgläntan",
    "Kastanjen",
    "Rönnbäret",
    "Hjortronet",
    "Vallmon",
    "Tussilagon",
    "Sparven",
    "Bofinken",
    "Näckrosen",
];

/// An independent provider with one grundskola and one preschool.
pub struct Provider {
    pub name: &'static str,
    pub school: &'static str,
    pub preschool_school: &'static str,
    pub preschool_unit: &'static str,
}

pub const PROVIDERS: [Provider; 2] = [
    Provider {
        name: "Friskolan Norrsken AB",
        school: "Norrskensskolan",
        preschool_school: "Norrskenets förskola",
        preschool_unit: "Förskolan Norrskenet",
    },
    Provider {
        name: "Montessoriföreningen Ljuset ek. för.",
        school: "Montessoriskolan Ljuset",
        preschool_school: "Ljusets montessoriförskola",
        preschool_unit: "Montessoriförskolan Ljusglimten",
    },
];

pub const KOMVUX_SCHOOL: &str = "Norrfjärdens lärcentrum";
pub const KOMVUX_UNIT: &str = "Komvux Norrfjärden";

/// Komvux courses; a group is named "<course> <term>", e.g. "SVA-kurs ht26".
pub const KOMVUX_COURSES: [&str; 8] = [
    "SVA-kurs",
    "Svenska 1",
    "Matematik 1a",
    "Engelska 5",
    "Samhällskunskap 1b",
    "Historia 1a1",
    "Naturkunskap 1b",
    "Psykologi 1",
];

/// Grundskola teaching groups for school years 7, 8 and 9, drawn from that year's classes.
pub const TEACHING_GROUPS: [&str; 3] = ["Spanska 7", "Engelska 8", "Tyska 9"];

/// Words for demo passwords: ASCII so that anyone can type them.
pub const PASSWORD_WORDS: [&str; 40] = [
    "lind", "sommar", "vinter", "skog", "hav", "strand", "moln", "regn", "sol", "kanel", "bulle",
    "lingon", "hjortron", "gran", "tall", "ek", "bro", "dal", "berg", "vik", "kust", "fyr",
    "segel", "kompass", "lykta", "kvarn", "stuga", "myr", "flod", "vitsippa", "ripa", "lodjur",
    "varg", "falk", "uggla", "hare", "ekorre", "mossa", "ljung", "kaffe",
];

/// Lower-case ASCII for an e-mail local part: "Linnéa" → "linnea", "Åberg" → "aberg".
pub fn ascii_fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'å' | 'ä' | 'á' | 'à' => Some('a'),
            'ö' | 'ø' | 'ó' => Some('o'),
            'é' | 'è' | 'ë' => Some('e'),
            'ü' | 'ú' => Some('u'),
            ' ' => Some('-'),
            c if c.is_ascii_alphanumeric() || c == '-' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fold_drops_swedish_diacritics() {
        assert_eq!(ascii_fold("Linnéa"), "linnea");
        assert_eq!(ascii_fold("Åsa"), "asa");
        assert_eq!(ascii_fold("Jönsson"), "jonsson");
        assert_eq!(ascii_fold("Anna-Karin"), "anna-karin");
    }

    #[test]
    fn name_lists_have_no_duplicates() {
        for list in [
            &FEMALE_GIVEN_NAMES[..],
            &MALE_GIVEN_NAMES[..],
            &FAMILY_NAMES[..],
            &STREETS[..],
            &SCHOOLS[..],
            &PRESCHOOLS[..],
            &PASSWORD_WORDS[..],
        ] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "{list:?}");
        }
    }

    #[test]
    fn password_words_are_ascii() {
        assert!(PASSWORD_WORDS.iter().all(|w| w.is_ascii()));
    }
}
