//! The password policy, one for every place a password is set or checked: surrounding whitespace
//! is not part of a password, it has 10 to 128 characters, and it is neither common nor trivial
//! (one character repeated, a keyboard or alphabet run, a well-known password with digits added,
//! the person's own e-mail name).

/// The fewest characters a password may have (after trimming).
pub const MIN_CHARS: usize = 10;
/// The most characters a password may have: longer input is refused before any hashing, at
/// sign-in as when it is set.
pub const MAX_CHARS: usize = 128;

/// Why a password is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {MIN_CHARS} characters (not counting spaces around it)")]
    TooShort,
    #[error("the password may have at most {MAX_CHARS} characters")]
    TooLong,
    #[error("the password is too easy to guess: {0}")]
    Weak(&'static str),
}

/// A password that meets the policy, trimmed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Base words that stay guessable whatever digits or symbols are added around them (lower case).
const COMMON_BASES: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "qwerty",
    "qwertz",
    "azerty",
    "letmein",
    "welcome",
    "iloveyou",
    "admin",
    "administrator",
    "changeme",
    "default",
    "secret",
    "backstop",
    "support",
    "service",
    "customer",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "basketball",
    "sunshine",
    "princess",
    "superman",
    "starwars",
    "whatever",
    "trustno1",
    "master",
    "shadow",
    "michael",
    "jennifer",
    "computer",
    "internet",
    "abc123",
    "a123456",
    "aa123456",
    "qq123456",
    "woaini",
    "wo ai ni",
    "aini",
    "zhangwei",
    "wangwei",
    "nihao",
    "mima",
    "guest",
    "test",
    "login",
    "hello",
    "freedom",
    "summer",
    "winter",
    "spring",
    "autumn",
    "secure",
    "access",
    "maple",
    "demo",
    "user",
    "root",
    "pass",
    "love",
    "china",
    "shop",
    "store",
];

/// Whole passwords seen everywhere (lower case; shorter ones are refused by length anyway).
const COMMON_WHOLE: &[&str] = &[
    "5201314520",
    "1314520520",
    "woaini1314",
    "aini1314520",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "q1w2e3r4t5",
    "zaq12wsxcde",
    "1qazxsw23edc",
    "qazwsxedcrfv",
    "asdfghjkl;",
    "zxcvbnm,./",
    "1234qwer",
    "qwer1234",
    "asdf1234",
    "1234abcd",
    "abcd1234",
    "qweasdzxc",
    "88888888",
    "147258369",
    "159357456",
    "123123123",
    "password1!",
    "iloveyou!!",
    "p@$$w0rd",
];

/// Keyboard rows and the alphabets, forwards; a run along them (either way) is trivial.
const RUNS: &[&str] = &[
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
];

impl Password {
    /// Trims `raw` and checks it: long enough, not too long, not trivial, not common, and not the
    /// person's own e-mail name or name (`personal`, e.g. `["ann@acme.example", "Ann Lee"]`).
    pub fn parse(raw: &str, personal: &[&str]) -> Result<Self, PasswordError> {
        let p = raw.trim();
        let n = p.chars().count();
        if n < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if n > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let lower = p.to_lowercase();
        let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
        if distinct.len() < 4 {
            return Err(PasswordError::Weak("it repeats too few characters"));
        }
        if is_run(&lower) {
            return Err(PasswordError::Weak("it is a keyboard or alphabet sequence"));
        }
        if COMMON_WHOLE.contains(&lower.as_str()) {
            return Err(PasswordError::Weak("it is a common password"));
        }
        let core = strip_decoration(&lower);
        if core.is_empty() || COMMON_BASES.iter().any(|b| core == *b || core == b.replace(' ', "")) {
            return Err(PasswordError::Weak("it is a common word with digits or symbols added"));
        }
        // Made only of common words ("backstop-demo", "admin_password_2024").
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if !words.is_empty() && words.iter().all(|w| COMMON_BASES.contains(w)) {
            return Err(PasswordError::Weak("it is made of common words"));
        }
        // Made only of common words ("backstop-demo", "admin_password_2024").
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if !words.is_empty() && words.iter().all(|w| COMMON_BASES.contains(w)) {
            return Err(PasswordError::Weak("it is made of common words"));
        }
        if is_run(&core) && core.chars().count() >= 4 {
            return Err(PasswordError::Weak("it is a keyboard or alphabet sequence"));
        }
        let compact: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        for item in personal {
            let item = item.trim().to_lowercase();
            let name = item.split('@').next().unwrap_or_default();
            let name: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
            if name.chars().count() >= 3 && (core == name || compact.contains(&name) && compact.len() < name.len() + 4)
            {
                return Err(PasswordError::Weak("it is mostly your own name or e-mail"));
            }
        }
        Ok(Password(p.to_owned()))
    }

    /// The form compared at sign-in: trimmed, and `None` when it cannot be a valid password (too
    /// long to be worth hashing). The policy's other rules are not applied to sign-ins, so a
    /// password set before a rule existed still works.
    pub fn for_sign_in(raw: &str) -> Option<&str> {
        let p = raw.trim();
        (p.chars().count() <= MAX_CHARS).then_some(p)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How repeated failed sign-ins of one account are slowed down: from the `after`-th failure in a
/// row, each further failure locks the account for `base_secs`, doubling with every failure, at
/// most `max_secs`. A success or an admin's unlock starts the count again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lockout {
    pub after: u32,
    pub base_secs: u64,
    pub max_secs: u64,
}

impl Default for Lockout {
    fn default() -> Self {
        Lockout {
            after: 5,
            base_secs: 30,
            max_secs: 15 * 60,
        }
    }
}

impl Lockout {
    /// How long the account is locked after its `failures`-th failure in a row (`None`: not).
    pub fn lock_for(&self, failures: u32) -> Option<u64> {
        if self.after == 0 || failures < self.after {
            return None;
        }
        let doublings = (failures - self.after).min(30);
        Some(self.base_secs.saturating_mul(1u64 << doublings).min(self.max_secs))
    }
}

/// Digits, punctuation and spaces taken off both ends ("Password2024!" → "password").
fn strip_decoration(lower: &str) -> String {
    lower
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Every character follows the one before along one of [`RUNS`] (either way, wrapping not
/// allowed), e.g. "1234567890", "qwertyuiop", "zyxwvutsrq".
fn is_run(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return false;
    }
    RUNS.iter().any(|row| {
        let row: Vec<char> = row.chars().collect();
        let pos = |c: char| row.iter().position(|r| *r == c);
        let Some(positions) = chars.iter().map(|c| pos(*c)).collect::<Option<Vec<usize>>>() else {
            return false;
        };
        let steps: Vec<i64> = positions.windows(2).map(|w| w[1] as i64 - w[0] as i64).collect();
        steps.iter().all(|d| *d == 1) || steps.iter().all(|d| *d == -1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weak(p: &str) -> bool {
        matches!(
            Password::parse(p, &["ann.lee@acme.example", "Ann Lee"]),
            Err(PasswordError::Weak(_))
        )
    }

    #[test]
    fn length_is_counted_after_trimming_in_characters() {
        assert_eq!(Password::parse("          ", &[]), Err(PasswordError::TooShort));
        assert_eq!(Password::parse("  k9#Lm2  ", &[]), Err(PasswordError::TooShort));
        assert_eq!(Password::parse(&"x7Q!".repeat(33), &[]), Err(PasswordError::TooLong));
        // Ten Chinese characters are ten characters.
        assert!(Password::parse("春眠不觉晓处处闻啼鸟", &[]).is_ok());
        assert_eq!(
            Password::parse("  plum-Orbit-94  ", &[]).unwrap().as_str(),
            "plum-Orbit-94"
        );
    }

    #[test]
    fn trivial_and_common_passwords_are_refused() {
        for p in [
            "aaaaaaaaaa",
            "ababababab",
            "1234567890",
            "0987654321",
            "qwertyuiop",
            "abcdefghijkl",
            "zyxwvutsrqp",
            "Password123",
            "password1234!",
            "P@ssw0rd2024",
            "Welcome2025!",
            "woaini1314",
            "5201314520",
            "1q2w3e4r5t",
            "backstop-demo",
            "!!qwerty2024",
            "annlee12345",
        ] {
            assert!(weak(p), "{p} should be refused");
        }
    }

    #[test]
    fn reasonable_passwords_pass() {
        for p in [
            "plum-Orbit-94",
            "correct horse battery",
            "蓝色的海边有一只小白猫",
            "Tr0mb0ne&Kettle",
            "annual-report-x9",
        ] {
            assert!(Password::parse(p, &["ann.lee@acme.example", "Ann Lee"]).is_ok(), "{p}");
        }
    }

    #[test]
    fn lockouts_double_up_to_a_cap() {
        let l = Lockout::default();
        assert_eq!(l.lock_for(4), None);
        assert_eq!(l.lock_for(5), Some(30));
        assert_eq!(l.lock_for(6), Some(60));
        assert_eq!(l.lock_for(8), Some(240));
        assert_eq!(l.lock_for(10), Some(900));
        assert_eq!(l.lock_for(u32::MAX), Some(900));
        assert_eq!(Lockout { after: 0, ..l }.lock_for(100), None, "0 turns locking off");
    }

    #[test]
    fn sign_in_trims_and_bounds() {
        assert_eq!(Password::for_sign_in(" plum-Orbit-94\n"), Some("plum-Orbit-94"));
        assert_eq!(Password::for_sign_in(&"x".repeat(MAX_CHARS + 1)), None);
    }
}
