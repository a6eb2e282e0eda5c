//! Every email renders in both languages, keeps names out of the subject and
//! escapes what it is given.

use chrono::{TimeZone, Utc};
use hagukumi_domain::{Lang, Text};
use uuid::Uuid;

use super::{
    Audience, BookingInfo, FsRequestInfo, HomeStartChange, HomeStartInfo, HomeStartVisitLine,
    MailEvent,
};

fn booking() -> BookingInfo {
    BookingInfo {
        booking_id: Uuid::nil(),
        reference: "HG-0001".into(),
        service: Text::new("一時預かり", "Temporary care"),
        place: Some(Text::new("With-I <本園>", "With-I")),
        starts_at: Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap(),
        ends_at: Utc.with_ymd_and_hms(2026, 11, 26, 4, 0, 0).unwrap(),
        child_given_name: Some("はなこ".into()),
    }
}

pub fn all_events() -> Vec<MailEvent> {
    let b = booking();
    let prev = (
        Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 25, 3, 0, 0).unwrap(),
    );
    vec![
        MailEvent::Welcome,
        MailEvent::BookingReceived {
            booking: b.clone(),
            needs_approval: true,
        },
        MailEvent::BookingConfirmed { booking: b.clone() },
        MailEvent::BookingDeclined {
            booking: b.clone(),
            reason: Text::new("定員に達しました", "The day is full"),
        },
        MailEvent::BookingCancelled {
            booking: b.clone(),
            fee_yen: 1500,
        },
        MailEvent::BookingChanged {
            booking: b.clone(),
            previous_starts_at: prev.0,
            previous_ends_at: prev.1,
        },
        MailEvent::WaitlistOffer {
            booking: b.clone(),
            expires_at: Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap(),
        },
        MailEvent::WaitlistOfferExpired { booking: b.clone() },
        MailEvent::BookingWaitlisted {
            booking: b.clone(),
            note: Some(Text::new("ベッドの調整中です", "Beds are being arranged")),
        },
        MailEvent::Reminder { booking: b.clone() },
        MailEvent::ProviderAssigned { booking: b.clone() },
        MailEvent::ProviderAssignmentChanged {
            booking: b.clone(),
            previous_starts_at: prev.0,
            previous_ends_at: prev.1,
        },
        MailEvent::ProviderAssignmentCancelled { booking: b.clone() },
        MailEvent::ProviderDigest {
            from: b.starts_at.date_naive(),
            to: b.starts_at.date_naive(),
            items: vec![b.clone()],
        },
        MailEvent::VisitChanged {
            booking: b.clone(),
            helper: Some("鈴木 恵".into()),
            previous_starts_at: prev.0,
            previous_ends_at: prev.1,
        },
        MailEvent::VisitChanged {
            booking: b.clone(),
            helper: None,
            previous_starts_at: b.starts_at,
            previous_ends_at: b.ends_at,
        },
        MailEvent::ApprovalsWaiting {
            count: 3,
            oldest: vec![b.clone()],
        },
        MailEvent::HomeStartVisits {
            plan: home_start(),
            change: HomeStartChange::Scheduled,
            audience: Audience::Parent,
        },
        MailEvent::HomeStartVisits {
            plan: home_start(),
            change: HomeStartChange::Assigned,
            audience: Audience::Provider,
        },
        MailEvent::HomeStartVisits {
            plan: home_start(),
            change: HomeStartChange::Cancelled,
            audience: Audience::Provider,
        },
        MailEvent::FsProposal {
            request: fs_request(),
            answer_url: "https://hagukumi.example/fs/proposals/abc".into(),
            expires_at: prev.1,
        },
        MailEvent::FsProposalAnswered {
            request: fs_request(),
            member_name: "佐藤 みどり".into(),
            accepted: false,
        },
        MailEvent::FsPreMeeting {
            meeting: b,
            with: "佐藤 みどり".into(),
            audience: Audience::Parent,
        },
    ]
}

fn home_start() -> HomeStartInfo {
    let b = booking();
    HomeStartInfo {
        plan_id: Uuid::nil(),
        reference: "HS-0001".into(),
        family_label: "清様".into(),
        area: "元町 <1>".into(),
        visitor_name: Some("中村 理恵".into()),
        visits: vec![HomeStartVisitLine {
            visit_id: Uuid::nil(),
            kind: Text::new("ホームビジター訪問", "Home visit"),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            sequence: 0,
            cancelled: false,
        }],
    }
}

fn fs_request() -> FsRequestInfo {
    FsRequestInfo {
        request_id: Uuid::nil(),
        place: "清瀬保育園 <本園>".into(),
        first_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        start_time: "17:00".into(),
        minutes: 120,
        until: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        occurrences: 34,
    }
}

#[test]
fn home_start_mails_say_the_parent_is_present() {
    for lang in [Lang::Ja, Lang::En] {
        let r = MailEvent::HomeStartVisits {
            plan: home_start(),
            change: HomeStartChange::Changed,
            audience: Audience::Parent,
        }
        .render(lang, "清瀬 花子", "https://hagukumi.example/");
        let want = hagukumi_domain::home_start::parent_present();
        assert!(r.text.contains(want.get(lang)), "{}", r.text);
        assert!(
            r.text
                .contains("https://hagukumi.example/parent/home-start")
        );
    }
}

#[test]
fn every_email_renders_in_both_languages() {
    for ev in all_events() {
        let ja = ev.render(Lang::Ja, "清瀬 花子", "https://hagukumi.example/");
        let en = ev.render(Lang::En, "Hanako Kiyose", "https://hagukumi.example/");
        assert!(ja.subject.starts_with("【はぐくみ】"), "{}", ja.subject);
        assert!(en.subject.starts_with("[Hagukumi]"), "{}", en.subject);
        for r in [&ja, &en] {
            assert!(
                !r.subject.contains("はなこ"),
                "child's name in subject: {}",
                r.subject
            );
            assert!(
                !r.html.contains("<本園>"),
                "unescaped HTML in {}",
                ev.kind()
            );
            assert!(
                r.text.contains("https://hagukumi.example/"),
                "no link in {}",
                ev.kind()
            );
            assert!(r.html.contains("<a href=\"https://hagukumi.example/"));
        }
        assert!(ja.text.starts_with("清瀬 花子 様"));
    }
}

#[test]
fn booking_emails_say_when_in_japan_time() {
    let ev = MailEvent::BookingConfirmed { booking: booking() };
    let ja = ev.render(Lang::Ja, "清瀬", "http://x");
    assert_eq!(
        ja.subject,
        "【はぐくみ】予約が確定しました 一時預かり 11月26日(木)"
    );
    assert!(
        ja.text.contains("日時：2026年11月26日(木) 10:00–13:00"),
        "{}",
        ja.text
    );
    assert!(
        ja.text
            .contains("http://x/parent/bookings/00000000-0000-0000-0000-000000000000")
    );
    let cancelled = MailEvent::BookingCancelled {
        booking: booking(),
        fee_yen: 1500,
    };
    assert!(
        cancelled
            .render(Lang::Ja, "x", "http://x")
            .text
            .contains("キャンセル料：1,500円")
    );
    assert!(
        cancelled
            .render(Lang::En, "x", "http://x")
            .text
            .contains("Cancellation fee: ¥1,500")
    );
}

#[test]
fn visit_changed_names_the_new_helper_and_the_old_time_only_when_it_moved() {
    let b = booking();
    let moved = MailEvent::VisitChanged {
        booking: b.clone(),
        helper: Some("鈴木 恵".into()),
        previous_starts_at: Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap(),
        previous_ends_at: Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap(),
    }
    .render(Lang::Ja, "清瀬 花子", "https://hagukumi.example/");
    assert!(
        moved.text.contains("担当ヘルパー：鈴木 恵"),
        "{}",
        moved.text
    );
    assert!(moved.text.contains("変更前の時間"), "{}", moved.text);
    let same_time = MailEvent::VisitChanged {
        booking: b.clone(),
        helper: None,
        previous_starts_at: b.starts_at,
        previous_ends_at: b.ends_at,
    }
    .render(Lang::En, "Hanako Kiyose", "https://hagukumi.example/");
    assert!(
        same_time.text.contains("being arranged"),
        "{}",
        same_time.text
    );
    assert!(
        !same_time.text.contains("Previous time"),
        "{}",
        same_time.text
    );
}
