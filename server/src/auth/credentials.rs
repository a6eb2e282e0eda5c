//! Account input that parses rather than validates: a value of these types is valid.

use hagukumi_domain::Text;

use crate::error::FieldError;

/// A normalised (trimmed, lower-cased) e-mail address of sensible shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let s = raw.trim().to_lowercase();
        let bad =
            |code: &str, ja: &str, en: &str| Err(FieldError::new(field, code, Text::new(ja, en)));
        if s.is_empty() {
            return bad(
                "required",
                "メールアドレスを入力してください",
                "Enter an email address",
            );
        }
        if s.chars().count() > Self::MAX_LEN {
            return bad(
                "too_long",
                "メールアドレスが長すぎます（254文字まで）",
                "The email address is too long (254 characters at most)",
            );
        }
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && s.chars().all(|c| c.is_ascii_graphic() || !c.is_ascii())
                    && !s.chars().any(char::is_control)
            }
            None => false,
        };
        if !valid {
            return bad(
                "invalid_email",
                "メールアドレスの形式が正しくありません",
                "This is not a valid email address",
            );
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password long enough to resist guessing and short enough not to burden hashing.
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 128;

    pub fn parse(field: &str, raw: &str) -> Result<Password, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN_LEN {
            return Err(FieldError::new(
                field,
                "too_short",
                Text::new(
                    "パスワードは8文字以上にしてください",
                    "The password must be at least 8 characters",
                ),
            ));
        }
        if n > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                "too_long",
                Text::new(
                    "パスワードは128文字以内にしてください",
                    "The password must be at most 128 characters",
                ),
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown on their pages (not their legal name).
#[derive(Debug, Clone)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<DisplayName, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new(
                field,
                "required",
                Text::new("お名前を入力してください", "Enter your name"),
            ));
        }
        if s.chars().count() > Self::MAX_LEN || s.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                "too_long",
                Text::new(
                    "お名前は100文字以内で入力してください",
                    "The name must be at most 100 characters",
                ),
            ));
        }
        Ok(DisplayName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert_eq!(
            Email::parse("email", " Hanako@Example.JP ").map(|e| e.0),
            Ok("hanako@example.jp".to_owned())
        );
        for bad in [
            "", "no-at", "a@b", "a@@b.jp", "a b@c.jp", "@c.jp", "a@.jp", "a@c..jp",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
        let long = format!("{}@example.jp", "a".repeat(250));
        assert_eq!(
            Email::parse("email", &long).map_err(|e| e.code),
            Err("too_long".into())
        );
    }

    #[test]
    fn password_length_bounds() {
        assert!(Password::parse("password", "1234567").is_err());
        assert!(Password::parse("password", "12345678").is_ok());
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
    }
}
