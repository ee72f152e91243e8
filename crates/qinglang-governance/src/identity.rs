//! Real-name identity checks (ID-1, ID-2) and masked display (ID-3).
//!
//! Check-digit rules are public standards: GB 11643-1999 (resident identity number, ISO 7064
//! MOD 11-2) and GB 32100-2015 (unified social credit code, MOD 31).

use serde::{Deserialize, Serialize};

/// How a user proves who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// 居民身份证号码 (a person).
    ResidentId,
    /// A mobile number registered under a real name (a person).
    Mobile,
    /// 统一社会信用代码 (an organisation).
    Uscc,
}

impl IdentityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::ResidentId => "resident_id",
            IdentityKind::Mobile => "mobile",
            IdentityKind::Uscc => "uscc",
        }
    }

    pub fn parse(s: &str) -> Option<IdentityKind> {
        match s {
            "resident_id" => Some(IdentityKind::ResidentId),
            "mobile" => Some(IdentityKind::Mobile),
            "uscc" => Some(IdentityKind::Uscc),
            _ => None,
        }
    }

    /// Whether the identity is a person's or an organisation's (account caps differ, ID-4).
    pub fn subject(self) -> SubjectKind {
        match self {
            IdentityKind::ResidentId | IdentityKind::Mobile => SubjectKind::Person,
            IdentityKind::Uscc => SubjectKind::Enterprise,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Person,
    Enterprise,
}

/// Why an identity value is not valid. The messages are for the platform's users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    // Messages never repeat the value: they end up in logs and client error reports.
    #[error("resident ID number must have 18 characters (17 digits and a digit or X), got {0}")]
    ResidentLength(usize),
    #[error("resident ID number has an unknown region code")]
    ResidentRegion(String),
    #[error("resident ID number has an impossible birth date")]
    ResidentBirthDate(String),
    #[error("resident ID number check digit is wrong")]
    ResidentCheck { expected: char, got: char },
    #[error("mobile number must be 11 digits starting with 13–19")]
    Mobile(String),
    #[error("unified social credit code must have 18 characters from 0-9 and A-Y without I, O, S, V, Z, a registration authority code and a region code")]
    UsccFormat,
    #[error("unified social credit code check character is wrong")]
    UsccCheck { expected: char, got: char },
}

/// Validates and canonicalises an identity value (upper-case, no spaces or hyphens).
pub fn validate(kind: IdentityKind, value: &str) -> Result<String, IdentityError> {
    let canonical: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match kind {
        IdentityKind::ResidentId => validate_resident_id(&canonical)?,
        IdentityKind::Mobile => {
            let digits = canonical.strip_prefix("+86").unwrap_or(&canonical);
            let b = digits.as_bytes();
            if !(b.len() == 11
                && b.iter().all(u8::is_ascii_digit)
                && b[0] == b'1'
                && (b'3'..=b'9').contains(&b[1]))
            {
                return Err(IdentityError::Mobile(value.to_owned()));
            }
            return Ok(digits.to_owned());
        }
        IdentityKind::Uscc => validate_uscc(&canonical)?,
    }
    Ok(canonical)
}

/// Province-level region codes (the first two digits of GB/T 2260 codes).
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82", "83",
];

fn validate_resident_id(id: &str) -> Result<(), IdentityError> {
    let b = id.as_bytes();
    let len = id.chars().count();
    if len != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X')
    {
        return Err(IdentityError::ResidentLength(len));
    }
    if !PROVINCES.contains(&&id[..2]) {
        return Err(IdentityError::ResidentRegion(id[..6].to_owned()));
    }
    let year: u32 = id[6..10].parse().unwrap_or(0);
    let month: u32 = id[10..12].parse().unwrap_or(0);
    let day: u32 = id[12..14].parse().unwrap_or(0);
    if !(1900..=2100).contains(&year) || !valid_date(year, month, day) {
        return Err(IdentityError::ResidentBirthDate(id[6..14].to_owned()));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize] as char;
    let got = b[17] as char;
    if expected != got {
        return Err(IdentityError::ResidentCheck { expected, got });
    }
    Ok(())
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// GB 32100 character set: digits and capitals without I, O, S, V, Z (31 characters).
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn validate_uscc(code: &str) -> Result<(), IdentityError> {
    let b = code.as_bytes();
    if b.len() != 18 {
        return Err(IdentityError::UsccFormat);
    }
    let values: Option<Vec<u32>> = b
        .iter()
        .map(|c| USCC_CHARS.iter().position(|x| x == c).map(|p| p as u32))
        .collect();
    let Some(values) = values else {
        return Err(IdentityError::UsccFormat);
    };
    // Position 1: the registration authority (1–9, A, N, Y); positions 3–8: a region code.
    let authority_ok = matches!(b[0], b'1'..=b'9' | b'A' | b'N' | b'Y');
    let region_ok = b[2..8].iter().all(u8::is_ascii_digit)
        && PROVINCES.iter().any(|p| p.as_bytes() == &b[2..4]);
    if !(authority_ok && region_ok) {
        return Err(IdentityError::UsccFormat);
    }
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    let expected = USCC_CHARS[check as usize] as char;
    let got = b[17] as char;
    if expected != got {
        return Err(IdentityError::UsccCheck { expected, got });
    }
    Ok(())
}

/// The birth date of a canonical resident ID number as `YYYYMMDD`, for comparison with
/// today's date (a birth date in the future is impossible).
pub fn resident_birth_date(canonical: &str) -> Option<&str> {
    canonical.get(6..14)
}

/// Masked display (ID-3): enough to recognise, not enough to use. `4401**********1234`,
/// `138****5678`.
pub fn mask(kind: IdentityKind, canonical: &str) -> String {
    let chars: Vec<char> = canonical.chars().collect();
    let (head, tail) = match kind {
        IdentityKind::Mobile => (3, 4),
        IdentityKind::ResidentId | IdentityKind::Uscc => (4, 4),
    };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut s: String = chars[..head].iter().collect();
    s.push_str(&"*".repeat(chars.len() - head - tail));
    s.extend(&chars[chars.len() - tail..]);
    s
}

/// Masks a person's name: the family name stays, the rest is starred (`张*`, `欧阳**`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        n => {
            let keep = if n >= 4 { 2 } else { 1 };
            let mut s: String = chars[..keep].iter().collect();
            s.push_str(&"*".repeat(n - keep));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_from_the_standard_examples() {
        // GB 11643-1999 appendix example and widely published samples.
        for id in [
            "11010519491231002X",
            "440308199901011234",
            "110105194912310029",
        ] {
            let r = validate(IdentityKind::ResidentId, id);
            if id == "110105194912310029" {
                assert_eq!(
                    r,
                    Err(IdentityError::ResidentCheck {
                        expected: 'X',
                        got: '9'
                    })
                );
            } else {
                assert_eq!(r.as_deref(), Ok(id), "{id}");
            }
        }
        assert_eq!(
            validate(IdentityKind::ResidentId, "11010519491231002x").as_deref(),
            Ok("11010519491231002X")
        );
        assert!(matches!(
            validate(IdentityKind::ResidentId, "99010519491231002X"),
            Err(IdentityError::ResidentRegion(_))
        ));
        assert!(matches!(
            validate(IdentityKind::ResidentId, "110105194902300020"),
            Err(IdentityError::ResidentBirthDate(_))
        ));
        assert_eq!(
            validate(IdentityKind::ResidentId, "1101051949"),
            Err(IdentityError::ResidentLength(10))
        );
        assert!(validate(
            IdentityKind::ResidentId,
            "１１０１０５１９４９１２３１００２Ｘ"
        )
        .is_err());
    }

    #[test]
    fn unified_social_credit_codes() {
        // Published valid codes (national enterprise credit system samples).
        for code in [
            "91350100M000100Y43",
            "911100007109288314",
            "91110000600037341L",
        ] {
            assert_eq!(
                validate(IdentityKind::Uscc, code).as_deref(),
                Ok(code),
                "{code}"
            );
        }
        assert!(matches!(
            validate(IdentityKind::Uscc, "91350100M000100Y44"),
            Err(IdentityError::UsccCheck { .. })
        ));
        assert_eq!(
            validate(IdentityKind::Uscc, "91350100M000100I43"),
            Err(IdentityError::UsccFormat)
        );
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            validate(IdentityKind::Mobile, "138 0013 8000").as_deref(),
            Ok("13800138000")
        );
        assert_eq!(
            validate(IdentityKind::Mobile, "+8613800138000").as_deref(),
            Ok("13800138000")
        );
        assert!(validate(IdentityKind::Mobile, "12800138000").is_err());
        assert!(validate(IdentityKind::Mobile, "1380013800").is_err());
    }

    #[test]
    fn masks() {
        assert_eq!(
            mask(IdentityKind::ResidentId, "440308199901011234"),
            "4403**********1234"
        );
        assert_eq!(mask(IdentityKind::Mobile, "13800138000"), "138****8000");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧阳**");
    }
}
