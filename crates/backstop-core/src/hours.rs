//! A team's business hours: one opening window per weekday in the team's time zone (IANA name,
//! e.g. `Asia/Shanghai`; the zone database is compiled in, so daylight-saving changes are right
//! without the host's tzdata).
//!
//! Written as a short spec — `mon-fri 09:00-18:00, sat 10:00-16:00` — or `always` (the default:
//! a team with no hours set is always open). Windows never cross midnight; `24:00` closes at the
//! end of the day.

use serde::{Deserialize, Serialize};

use crate::Timestamp;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// When a team answers, in its own time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HoursSpec", into = "HoursSpec")]
pub struct BusinessHours {
    timezone: String,
    /// Monday first: the minutes of the day the team opens and closes.
    week: [Option<(u16, u16)>; 7],
}

/// The stored and wire form: the zone and the spec text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursSpec {
    pub timezone: String,
    pub open: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("unknown time zone {0:?} (use an IANA name such as Asia/Shanghai or Europe/Berlin)")]
    TimeZone(String),
    #[error("cannot read {0:?}: write days and a window, e.g. \"mon-fri 09:00-18:00, sat 10:00-14:00\"")]
    Syntax(String),
    #[error("unknown day {0:?} (mon, tue, wed, thu, fri, sat, sun)")]
    Day(String),
    #[error("bad time {0:?} (HH:MM, 00:00 to 24:00)")]
    Time(String),
    #[error("{0} closes before it opens (windows cannot cross midnight)")]
    Backwards(String),
    #[error("{0} is given twice")]
    Twice(&'static str),
    #[error("the team would never be open")]
    Never,
}

impl TryFrom<HoursSpec> for BusinessHours {
    type Error = HoursError;
    fn try_from(s: HoursSpec) -> Result<Self, HoursError> {
        BusinessHours::parse(&s.timezone, &s.open)
    }
}

impl From<BusinessHours> for HoursSpec {
    fn from(h: BusinessHours) -> Self {
        HoursSpec {
            open: h.spec(),
            timezone: h.timezone,
        }
    }
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self::always()
    }
}

fn zone(name: &str) -> Result<jiff::tz::TimeZone, HoursError> {
    jiff::tz::TimeZone::get(name).map_err(|_| HoursError::TimeZone(name.to_owned()))
}

fn minutes(text: &str) -> Result<u16, HoursError> {
    let bad = || HoursError::Time(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    match (h, m) {
        (24, 0) => Ok(24 * 60),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

fn day(text: &str) -> Result<usize, HoursError> {
    DAYS.iter()
        .position(|d| *d == text)
        .ok_or_else(|| HoursError::Day(text.to_owned()))
}

fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn to_jiff(at: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_second(at.unix_timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn from_jiff(at: jiff::Timestamp) -> Timestamp {
    Timestamp::from_unix_timestamp(at.as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl BusinessHours {
    /// Open around the clock, every day.
    pub fn always() -> Self {
        BusinessHours {
            timezone: "UTC".into(),
            week: [Some((0, 24 * 60)); 7],
        }
    }

    /// Reads `open` (`always`, or comma-separated `days window` parts such as `mon-fri 09:00-18:00`)
    /// in the IANA zone `timezone`.
    pub fn parse(timezone: &str, open: &str) -> Result<Self, HoursError> {
        let timezone = timezone.trim();
        zone(timezone)?;
        let open = open.trim().to_ascii_lowercase();
        if matches!(open.as_str(), "always" | "24/7") {
            return Ok(BusinessHours {
                timezone: timezone.to_owned(),
                ..Self::always()
            });
        }
        let mut week: [Option<(u16, u16)>; 7] = [None; 7];
        for part in open.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, window) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| HoursError::Syntax(part.to_owned()))?;
            let (from, to) = window
                .trim()
                .split_once('-')
                .ok_or_else(|| HoursError::Syntax(part.to_owned()))?;
            let (from, to) = (minutes(from.trim())?, minutes(to.trim())?);
            if to <= from {
                return Err(HoursError::Backwards(part.to_owned()));
            }
            let range = match days.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (day(a)?, day(b)?);
                    if b < a {
                        return Err(HoursError::Syntax(part.to_owned()));
                    }
                    a..=b
                }
                None => {
                    let d = day(days)?;
                    d..=d
                }
            };
            for d in range {
                if week[d].replace((from, to)).is_some() {
                    return Err(HoursError::Twice(DAYS[d]));
                }
            }
        }
        if week.iter().all(Option::is_none) {
            return Err(HoursError::Never);
        }
        Ok(BusinessHours {
            timezone: timezone.to_owned(),
            week,
        })
    }

    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    pub fn is_always(&self) -> bool {
        self.week.iter().all(|w| *w == Some((0, 24 * 60)))
    }

    /// The canonical spec: `always`, or runs of days with the same window.
    pub fn spec(&self) -> String {
        if self.is_always() {
            return "always".into();
        }
        let mut parts = Vec::new();
        let mut d = 0;
        while d < 7 {
            let Some(w) = self.week[d] else {
                d += 1;
                continue;
            };
            let mut end = d;
            while end + 1 < 7 && self.week[end + 1] == Some(w) {
                end += 1;
            }
            let days = if end == d {
                DAYS[d].to_owned()
            } else {
                format!("{}-{}", DAYS[d], DAYS[end])
            };
            parts.push(format!("{days} {}-{}", hhmm(w.0), hhmm(w.1)));
            d = end + 1;
        }
        parts.join(", ")
    }

    fn tz(&self) -> jiff::tz::TimeZone {
        // Validated when parsed; UTC only if the compiled-in database lost a zone.
        zone(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// Whether the team is open at `at`.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = to_jiff(at).to_zoned(self.tz());
        let d = local.weekday().to_monday_zero_offset() as usize;
        let m = local.hour() as u16 * 60 + local.minute() as u16;
        self.week[d].is_some_and(|(from, to)| from <= m && m < to)
    }

    /// `at` if the team is open then, otherwise when it next opens.
    pub fn next_open(&self, at: Timestamp) -> Timestamp {
        if self.is_open(at) {
            return at;
        }
        let tz = self.tz();
        let local = to_jiff(at).to_zoned(tz.clone());
        let mut date = local.date();
        for _ in 0..8 {
            let d = date.weekday().to_monday_zero_offset() as usize;
            if let Some((from, _)) = self.week[d] {
                let opens = date.at((from / 60) as i8, (from % 60) as i8, 0, 0);
                if let Ok(z) = tz.to_ambiguous_zoned(opens).compatible() {
                    if z.timestamp() > local.timestamp() {
                        return from_jiff(z.timestamp());
                    }
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        at
    }

    /// `at` as the team's local wall-clock time, e.g. `Mon 09:00`, for messages.
    pub fn local_label(&self, at: Timestamp) -> String {
        let local = to_jiff(at).to_zoned(self.tz());
        let d = DAYS[local.weekday().to_monday_zero_offset() as usize];
        let mut day = d.to_owned();
        day[..1].make_ascii_uppercase();
        format!("{day} {:02}:{:02}", local.hour(), local.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn shanghai() -> BusinessHours {
        BusinessHours::parse("Asia/Shanghai", "mon-fri 09:00-18:00, sat 10:00-14:00").unwrap()
    }

    #[test]
    fn parses_and_prints_the_canonical_spec() {
        assert_eq!(shanghai().spec(), "mon-fri 09:00-18:00, sat 10:00-14:00");
        assert_eq!(BusinessHours::parse("UTC", " 24/7 ").unwrap().spec(), "always");
        assert!(BusinessHours::default().is_always());
        let h = BusinessHours::parse("Europe/Berlin", "mon 08:00-12:00, tue 08:00-12:00, sun 00:00-24:00").unwrap();
        assert_eq!(h.spec(), "mon-tue 08:00-12:00, sun 00:00-24:00");
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let e = |tz: &str, s: &str| BusinessHours::parse(tz, s).unwrap_err();
        assert_eq!(e("Mars/Olympus", "always"), HoursError::TimeZone("Mars/Olympus".into()));
        assert_eq!(e("UTC", "mon-fri"), HoursError::Syntax("mon-fri".into()));
        assert_eq!(e("UTC", "mo 09:00-10:00"), HoursError::Day("mo".into()));
        assert_eq!(e("UTC", "mon 9-10"), HoursError::Time("9".into()));
        assert_eq!(e("UTC", "mon 25:00-26:00"), HoursError::Time("25:00".into()));
        assert_eq!(
            e("UTC", "mon 18:00-09:00"),
            HoursError::Backwards("mon 18:00-09:00".into())
        );
        assert_eq!(
            e("UTC", "mon-fri 09:00-18:00, fri 10:00-12:00"),
            HoursError::Twice("fri")
        );
        assert_eq!(e("UTC", ""), HoursError::Never);
    }

    #[test]
    fn open_and_closed_in_the_teams_own_time_zone() {
        let h = shanghai();
        // 2026-11-23 is a Monday. 01:30 UTC = 09:30 in Shanghai: open.
        assert!(h.is_open(datetime!(2026-11-23 01:30 UTC)));
        // 00:59 UTC = 08:59 local: not yet.
        assert!(!h.is_open(datetime!(2026-11-23 00:59 UTC)));
        // 10:00 UTC = 18:00 local: closed (the window's end is exclusive).
        assert!(!h.is_open(datetime!(2026-11-23 10:00 UTC)));
        // Sunday: closed all day.
        assert!(!h.is_open(datetime!(2026-11-22 04:00 UTC)));
    }

    #[test]
    fn next_opening_skips_closed_days() {
        let h = shanghai();
        // Saturday 15:00 local (07:00 UTC) → Monday 09:00 local = Monday 01:00 UTC.
        assert_eq!(
            h.next_open(datetime!(2026-11-21 07:00 UTC)),
            datetime!(2026-11-23 01:00 UTC)
        );
        // Friday 20:00 local → Saturday 10:00 local.
        assert_eq!(
            h.next_open(datetime!(2026-11-20 12:00 UTC)),
            datetime!(2026-11-21 02:00 UTC)
        );
        let open = datetime!(2026-11-23 02:00 UTC);
        assert_eq!(h.next_open(open), open, "already open");
        assert_eq!(h.local_label(datetime!(2026-11-23 01:00 UTC)), "Mon 09:00");
    }

    #[test]
    fn daylight_saving_is_followed() {
        let h = BusinessHours::parse("Europe/Berlin", "mon-fri 09:00-17:00").unwrap();
        // Summer (UTC+2): 07:30 UTC is 09:30 local. Winter (UTC+1): 07:30 UTC is 08:30 local.
        assert!(h.is_open(datetime!(2026-07-06 07:30 UTC)));
        assert!(!h.is_open(datetime!(2026-11-23 07:30 UTC)));
    }

    #[test]
    fn stored_form_round_trips() {
        let h = shanghai();
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"timezone":"Asia/Shanghai","open":"mon-fri 09:00-18:00, sat 10:00-14:00"}"#
        );
        assert_eq!(serde_json::from_str::<BusinessHours>(&json).unwrap(), h);
        assert!(serde_json::from_str::<BusinessHours>(r#"{"timezone":"UTC","open":"nope"}"#).is_err());
    }
}
