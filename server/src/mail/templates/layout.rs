//! The shape every email shares: a greeting, blocks of content, a link back and
//! a footer, rendered once as plain text and once as HTML (escaped), plus the
//! Japanese and English ways of writing dates, times and yen.

use chrono::{DateTime, NaiveDate, Utc};
use hagukumi_domain::Lang;
use hagukumi_domain::calendar::local_datetime;

/// One piece of an email body. Strings are plain text; HTML escaping happens here.
pub enum Block {
    Paragraph(String),
    /// Label and value rows: what, when, where, booking number.
    Facts(Vec<(String, String)>),
    List(Vec<String>),
    Link {
        label: String,
        url: String,
    },
}

/// What a template produces before layout.
pub struct Content {
    pub subject: String,
    pub blocks: Vec<Block>,
}

/// The finished parts of one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn render(lang: Lang, recipient_name: &str, content: Content) -> Rendered {
    let greeting = match lang {
        Lang::Ja => format!("{recipient_name} 様"),
        Lang::En => format!("Dear {recipient_name},"),
    };
    let footer = match lang {
        Lang::Ja => {
            "このメールは送信専用です。ご不明な点はセンターまでお問い合わせください。\nはぐくみ 子ども家庭支援センター"
        }
        Lang::En => {
            "This message was sent automatically; replies are not read. Please contact the centre with any questions.\nHagukumi Child and Family Support Center"
        }
    };
    let mut text = format!("{greeting}\n\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;line-height:1.6;color:#222\">\n<p>{}</p>\n",
        lang.code(),
        esc(&content.subject),
        esc(&greeting)
    );
    let colon = match lang {
        Lang::Ja => "：",
        Lang::En => ": ",
    };
    for block in &content.blocks {
        match block {
            Block::Paragraph(p) => {
                text.push_str(p);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>\n", esc(p).replace('\n', "<br>")));
            }
            Block::Facts(rows) => {
                html.push_str("<table style=\"border-collapse:collapse\">\n");
                for (k, v) in rows {
                    text.push_str(&format!("{k}{colon}{v}\n"));
                    html.push_str(&format!(
                        "<tr><th style=\"text-align:left;padding:2px 12px 2px 0\">{}</th><td>{}</td></tr>\n",
                        esc(k),
                        esc(v)
                    ));
                }
                text.push('\n');
                html.push_str("</table>\n");
            }
            Block::List(items) => {
                html.push_str("<ul>\n");
                for i in items {
                    text.push_str(&format!("・{i}\n"));
                    html.push_str(&format!("<li>{}</li>\n", esc(i)));
                }
                text.push('\n');
                html.push_str("</ul>\n");
            }
            Block::Link { label, url } => {
                text.push_str(&format!("{label}\n{url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\">{}</a></p>\n",
                    esc(url),
                    esc(label)
                ));
            }
        }
    }
    text.push_str("--\n");
    text.push_str(footer);
    text.push('\n');
    html.push_str(&format!(
        "<hr><p style=\"font-size:small;color:#666\">{}</p>\n</body></html>\n",
        esc(footer).replace('\n', "<br>")
    ));
    Rendered {
        subject: content.subject,
        text,
        html,
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `2026年11月25日(水)` / `Wed 25 Nov 2026`.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    hagukumi_domain::calendar::format_date_long(lang, d)
}

/// A Japan-time instant: `2026年11月25日(水) 10:00`.
pub fn instant(lang: Lang, t: DateTime<Utc>) -> String {
    let l = local_datetime(t);
    format!("{} {}", date(lang, l.date()), l.format("%H:%M"))
}

/// A span in Japan time; the end date is repeated only when it differs.
pub fn span(lang: Lang, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let (s, e) = (local_datetime(start), local_datetime(end));
    if s.date() == e.date() {
        format!(
            "{} {}–{}",
            date(lang, s.date()),
            s.format("%H:%M"),
            e.format("%H:%M")
        )
    } else {
        format!("{} – {}", instant(lang, start), instant(lang, end))
    }
}

/// `1,500円` / `¥1,500`.
pub fn yen(lang: Lang, amount: i64) -> String {
    hagukumi_domain::rules::describe::yen_text(amount)
        .get(lang)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_and_money_read_naturally() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(date(Lang::Ja, d), "2026年11月25日(水)");
        assert_eq!(date(Lang::En, d), "Wed 25 Nov 2026");
        let s = Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap();
        let e = Utc.with_ymd_and_hms(2026, 11, 25, 3, 30, 0).unwrap();
        assert_eq!(span(Lang::Ja, s, e), "2026年11月25日(水) 10:00–12:30");
        assert_eq!(yen(Lang::Ja, 1_234_567), "1,234,567円");
        assert_eq!(yen(Lang::En, 500), "¥500");
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
    }
}
