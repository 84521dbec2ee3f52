//! Telling languages apart where the trigram detector cannot: a short message ("Mi paquete no
//! llega", "Points expire when?") gives it too few trigrams to be reliable, and it confuses
//! neighbours (Spanish and Italian, Dutch and Danish). Two kinds of evidence need only a word or
//! a letter: the small words each language's grammar is made of, and the letters only one of
//! them writes (ñ, ß, ł, ş, ã, ư, …). Used only when the detector says itself it is unsure.

/// Grammar and everyday shop words, per language (lower case). A word two languages share
/// counts for both.
const WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "is", "my", "i", "you", "how", "what", "where", "when", "why", "it", "to", "and", "for", "of",
            "with", "can", "does", "doesn't", "isn't", "was", "but", "still", "have", "has", "your", "this", "that",
            "not", "are", "will", "please", "i'm", "it's", "don't", "didn't", "haven't", "wasn't", "about", "again",
            "never", "after", "want", "would", "could", "should", "need", "there", "they", "we", "our", "be", "from",
            "if", "at", "by", "which", "who", "any", "been", "were", "just", "yet", "here", "came", "got", "working",
            "order", "refund", "payment", "password", "tracking", "number", "shipping", "delivery", "parcel",
            "account", "wrong", "stuck", "expire", "declined", "cancel", "change",
        ],
    ),
    (
        "es",
        &[
            "el",
            "la",
            "los",
            "las",
            "mi",
            "mis",
            "no",
            "que",
            "qué",
            "cómo",
            "cuánto",
            "cuándo",
            "dónde",
            "por",
            "para",
            "con",
            "un",
            "una",
            "es",
            "está",
            "y",
            "pero",
            "quiero",
            "puedo",
            "tengo",
            "me",
            "llega",
            "pedido",
            "envío",
            "del",
            "al",
            "lo",
            "se",
            "su",
            "ya",
            "todavía",
            "contraseña",
            "paquete",
            "cambiar",
        ],
    ),
    (
        "fr",
        &[
            "le",
            "la",
            "les",
            "mon",
            "ma",
            "mes",
            "je",
            "j'ai",
            "est",
            "et",
            "pour",
            "pas",
            "ne",
            "un",
            "une",
            "des",
            "du",
            "de",
            "que",
            "comment",
            "combien",
            "où",
            "veux",
            "peux",
            "suis",
            "avec",
            "sur",
            "vous",
            "votre",
            "il",
            "elle",
            "ce",
            "ça",
            "commande",
            "colis",
            "n'est",
            "c'est",
            "livraison",
            "remboursement",
            "mot",
        ],
    ),
    (
        "de",
        &[
            "der",
            "die",
            "das",
            "ich",
            "ist",
            "und",
            "nicht",
            "mein",
            "meine",
            "meinen",
            "wie",
            "was",
            "wo",
            "wann",
            "für",
            "mit",
            "ein",
            "eine",
            "noch",
            "kann",
            "möchte",
            "habe",
            "bitte",
            "sie",
            "es",
            "auf",
            "zu",
            "den",
            "dem",
            "des",
            "bestellung",
            "paket",
            "vergessen",
            "versand",
        ],
    ),
    (
        "pt",
        &[
            "o",
            "a",
            "os",
            "as",
            "meu",
            "minha",
            "não",
            "que",
            "como",
            "quanto",
            "onde",
            "para",
            "com",
            "um",
            "uma",
            "é",
            "está",
            "e",
            "mas",
            "quero",
            "posso",
            "tenho",
            "ainda",
            "do",
            "da",
            "no",
            "na",
            "encomenda",
            "pedido",
            "senha",
            "consigo",
            "frete",
            "reembolso",
        ],
    ),
    (
        "it",
        &[
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "mio",
            "mia",
            "non",
            "che",
            "come",
            "quanto",
            "dove",
            "per",
            "con",
            "un",
            "una",
            "è",
            "e",
            "ma",
            "voglio",
            "posso",
            "ho",
            "ancora",
            "del",
            "della",
            "nel",
            "ordine",
            "pacco",
            "dimenticato",
            "spedizione",
            "rimborso",
        ],
    ),
    (
        "nl",
        &[
            "de",
            "het",
            "een",
            "ik",
            "mijn",
            "is",
            "en",
            "niet",
            "wat",
            "hoe",
            "waar",
            "wanneer",
            "voor",
            "met",
            "kan",
            "wil",
            "nog",
            "van",
            "op",
            "te",
            "er",
            "bestelling",
            "pakket",
            "naar",
            "vergeten",
        ],
    ),
    (
        "pl",
        &[
            "nie",
            "jest",
            "w",
            "z",
            "na",
            "do",
            "moja",
            "mój",
            "moje",
            "jak",
            "gdzie",
            "kiedy",
            "czy",
            "się",
            "to",
            "że",
            "mam",
            "chcę",
            "mogę",
            "jeszcze",
            "zamówienie",
            "paczka",
        ],
    ),
    (
        "tr",
        &[
            "ve",
            "bir",
            "bu",
            "ne",
            "nasıl",
            "nerede",
            "için",
            "ile",
            "mi",
            "mı",
            "mu",
            "mü",
            "değil",
            "var",
            "yok",
            "hâlâ",
            "istiyorum",
            "sipariş",
            "siparişim",
            "kargo",
        ],
    ),
    (
        "id",
        &[
            "saya",
            "yang",
            "dan",
            "tidak",
            "belum",
            "sudah",
            "bisa",
            "mau",
            "apa",
            "bagaimana",
            "di",
            "ke",
            "dari",
            "untuk",
            "ini",
            "itu",
            "kalau",
            "pesanan",
            "paket",
        ],
    ),
    (
        "vi",
        &[
            "tôi", "của", "không", "được", "có", "là", "và", "đơn", "hàng", "chưa", "muốn", "bao", "nhiêu", "sao",
        ],
    ),
    (
        "sv",
        &[
            "jag",
            "är",
            "och",
            "inte",
            "min",
            "mitt",
            "hur",
            "vad",
            "när",
            "för",
            "med",
            "kan",
            "vill",
            "har",
            "beställning",
            "paket",
        ],
    ),
];

/// Letters one of the languages writes and its neighbours do not.
const LETTERS: &[(&str, &str)] = &[
    ("es", "ñ¿¡"),
    ("de", "ß"),
    ("pl", "łąęśźżń"),
    ("tr", "şğı"),
    ("pt", "ãõ"),
    ("vi", "ươđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"),
    ("sv", "å"),
    ("fr", "œ"),
    ("ro", "ășț"),
    ("cs", "ěřůť"),
    ("hu", "őű"),
];

/// Within Cyrillic: Ukrainian's own letters, else Russian.
fn cyrillic(text: &str) -> Option<&'static str> {
    let mut any = false;
    for c in text.chars() {
        if ('\u{0400}'..='\u{04FF}').contains(&c) {
            any = true;
            if "іїєґІЇЄҐ".contains(c) {
                return Some("uk");
            }
        }
    }
    any.then_some("ru")
}

/// Within Arabic script: Urdu's and Persian's own letters, else Arabic.
fn arabic(text: &str) -> Option<&'static str> {
    let mut any = false;
    let (mut urdu, mut persian) = (false, false);
    for c in text.chars() {
        if ('\u{0600}'..='\u{06FF}').contains(&c) {
            any = true;
            urdu |= "ٹڈڑںےھ".contains(c);
            persian |= "پچژگکی".contains(c);
        }
    }
    if urdu {
        Some("ur")
    } else if persian {
        Some("fa")
    } else {
        any.then_some("ar")
    }
}

/// The language the words and letters of `text` point to, when they point to one, with the
/// weight of the evidence (2 or more: two words, or a letter of its own); `guess` (the
/// detector's unsure answer) breaks a tie it is part of.
pub(super) fn weighed(text: &str, guess: Option<&'static str>) -> Option<(&'static str, u32)> {
    if let Some(code) = cyrillic(text).or_else(|| arabic(text)) {
        return Some((code, 2));
    }
    let lower = text.to_lowercase().replace('’', "'");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    let mut scores: Vec<(&'static str, u32)> = Vec::new();
    let mut add = |code: &'static str, n: u32| match scores.iter_mut().find(|(c, _)| *c == code) {
        Some((_, s)) => *s += n,
        None => scores.push((code, n)),
    };
    for (code, list) in WORDS {
        let hits = words.iter().filter(|w| list.contains(w)).count() as u32;
        if hits > 0 {
            add(code, hits);
        }
    }
    for (code, letters) in LETTERS {
        if lower.chars().any(|c| letters.contains(c)) {
            // A letter only one language writes outweighs a shared small word.
            add(code, 2);
        }
    }
    let top = scores.iter().map(|(_, s)| *s).max()?;
    let leaders: Vec<&'static str> = scores.iter().filter(|(_, s)| *s == top).map(|(c, _)| *c).collect();
    match leaders.as_slice() {
        [one] => Some((one, top)),
        many => guess.filter(|g| many.contains(g)).map(|g| (g, top)),
    }
}

#[cfg(test)]
mod tests {
    fn best(text: &str, guess: Option<&'static str>) -> Option<&'static str> {
        super::weighed(text, guess).map(|(code, _)| code)
    }

    #[test]
    fn a_word_or_a_letter_decides_between_neighbours() {
        assert_eq!(best("Ik wil nog iets vragen", Some("da")), Some("nl"));
        assert_eq!(best("¿Y ahora?", Some("it")), Some("es"));
        assert_eq!(best("Straße falsch", Some("nl")), Some("de"));
        assert_eq!(best("Когда придёт?", Some("uk")), Some("ru"));
        assert_eq!(best("Коли прийде їжа?", Some("ru")), Some("uk"));
        assert_eq!(best("متى يصل", Some("ur")), Some("ar"));
        // Nothing to go on: no answer, the caller keeps its own.
        assert_eq!(best("Xyzzy plugh", Some("fr")), None);
        // A tie the guess is part of goes to the guess.
        assert_eq!(best("la", Some("it")), Some("it"));
    }
}
