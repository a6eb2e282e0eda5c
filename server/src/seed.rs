//! The Kiyose demo: two municipalities sharing two short-stay facilities, the
//! six services, temporary-care sites, helper agencies and their helpers, home
//! visitors, Family Support members, and accounts whose credentials the README
//! states. Loaded only into an empty database.

use chrono::{NaiveDate, Utc};
use hagukumi_domain::rules::kiyose_defaults;
use hagukumi_domain::{ServiceId, Text};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::password;
use crate::entities::{
    agency, child, household, municipality, provider, service, site, site_share, user,
};

/// The password of every demo account (stated in the README).
pub const DEMO_PASSWORD: &str = "hagukumi-demo";

pub async fn seed_if_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    if municipality::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    seed(db).await?;
    Ok(true)
}

fn summary(id: ServiceId) -> (&'static str, &'static str) {
    match id {
        ServiceId::ShortStay => (
            "保護者の入院・出産・介護などで一時的に養育できないとき、お子さんを施設でお預かりします（1歳6か月〜小学6年生、1回7日まで）。",
            "Your child stays at a care facility when you are in hospital, giving birth or caring for family (1 year 6 months to grade 6; up to 7 days).",
        ),
        ServiceId::SingleParentHomeHelp => (
            "ひとり親家庭で保護者やお子さんが一時的に病気のときなどに、ヘルパーが家事・育児をお手伝いします（小学3年生まで）。",
            "A helper comes to single-parent homes when the parent or child is temporarily ill (children up to grade 3).",
        ),
        ServiceId::ChildrearingSupportHelper => (
            "妊娠中・産後・多胎児などで家事や育児が大変なご家庭にヘルパーを派遣します（1回2〜4時間）。",
            "A helper for housework and childcare during pregnancy, after birth or with twins (2–4 hours per visit).",
        ),
        ServiceId::TemporaryCare => (
            "理由を問わず、就学前のお子さんを時間単位でお預かりします（ウイズアイは土日祝日も実施）。",
            "Hourly care for preschool children for any reason (With-I is also open on weekends and holidays).",
        ),
        ServiceId::HomeVisitor => (
            "研修を受けた子育て経験者が週1回2時間ほどご家庭を訪問し、一緒に家事や育児をします（無料）。",
            "A trained volunteer parent visits about 2 hours a week and does housework and childcare with you (free).",
        ),
        ServiceId::FamilySupport => (
            "地域の提供会員が保育園の送迎や預かりなどをお手伝いします（会員登録が必要です）。",
            "Local volunteer members help with nursery escorts and childcare (membership required).",
        ),
    }
}

async fn add_user(
    db: &impl ConnectionTrait,
    municipality_id: Uuid,
    email: &str,
    name: &str,
    role: &str,
    hash: &str,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    user::ActiveModel {
        id: Set(id),
        municipality_id: Set(municipality_id),
        email: Set(email.to_owned()),
        password_hash: Set(hash.to_owned()),
        display_name: Set(name.to_owned()),
        role: Set(role.to_owned()),
        locale: Set("ja".to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(id)
}

async fn add_household(
    db: &impl ConnectionTrait,
    municipality_id: Uuid,
    user_id: Option<Uuid>,
    single_parent_since: Option<NaiveDate>,
    area: &str,
    children: &[(&str, &str, Option<NaiveDate>, Option<NaiveDate>)],
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    household::ActiveModel {
        id: Set(id),
        municipality_id: Set(municipality_id),
        user_id: Set(user_id),
        single_parent: Set(single_parent_since.is_some()),
        single_parent_since: Set(single_parent_since),
        public_assistance: Set(false),
        tax_exempt: Set(false),
        multiple_birth: Set(false),
        facts_confirmed_at: Set(None),
        facts_confirmed_by: Set(None),
        area: Set(Some(area.to_owned())),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    for (family, given, birth, due) in children {
        child::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(municipality_id),
            household_id: Set(id),
            family_name: Set((*family).to_owned()),
            given_name: Set((*given).to_owned()),
            birth_date: Set(*birth),
            due_date: Set(*due),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn add_provider(
    db: &impl ConnectionTrait,
    municipality_id: Uuid,
    user_id: Option<Uuid>,
    agency_id: Option<Uuid>,
    kind: &str,
    name: &str,
    profile: serde_json::Value,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    provider::ActiveModel {
        id: Set(id),
        municipality_id: Set(municipality_id),
        user_id: Set(user_id),
        agency_id: Set(agency_id),
        kind: Set(kind.to_owned()),
        display_name: Set(name.to_owned()),
        profile: Set(profile),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(id)
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<()> {
    let hash = {
        let pw = DEMO_PASSWORD.to_owned();
        tokio::task::spawn_blocking(move || password::hash(&pw)).await??
    };
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut munis = Vec::new();
    for (code, ja, en) in [
        ("kiyose", "清瀬市", "Kiyose City"),
        ("higashikurume", "東久留米市", "Higashikurume City"),
    ] {
        let id = Uuid::now_v7();
        municipality::ActiveModel {
            id: Set(id),
            code: Set(code.to_owned()),
            name_ja: Set(ja.to_owned()),
            name_en: Set(en.to_owned()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        munis.push(id);
        let mut rules = kiyose_defaults();
        rules.municipality = Text::new(ja, en);
        crate::rules::store(&txn, id, &rules).await?;
        for (order, sid) in ServiceId::ALL.into_iter().enumerate() {
            let name = sid.name();
            let (sja, sen) = summary(sid);
            service::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(id),
                service_key: Set(sid.as_str().to_owned()),
                name_ja: Set(name.ja),
                name_en: Set(name.en),
                summary_ja: Set(sja.to_owned()),
                summary_en: Set(sen.to_owned()),
                enabled: Set(true),
                sort_order: Set(order as i32),
            }
            .insert(&txn)
            .await?;
        }
    }
    let (kiyose, higashikurume) = (munis[0], munis[1]);

    // Temporary care: With-I opens on weekends and holidays too; the Shimojuku
    // center (since FY2017) on weekdays. Capacity is places in the room; the
    // staff roster decides how many children can actually come.
    for (code, ja, en, cap, settings) in [
        (
            "with-i",
            "ウイズアイ",
            "With-I",
            15,
            json!({"open_weekends": true, "open_holidays": true, "opens": "09:00", "closes": "17:00",
                   "roster": [{"rrule": "FREQ=DAILY", "start": "09:00", "hours": 8, "staff": 3}]}),
        ),
        (
            "shimojuku",
            "下宿センター",
            "Shimojuku Center",
            10,
            json!({"open_weekends": false, "open_holidays": false, "opens": "09:00", "closes": "17:00",
                   "roster": [{"rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "start": "09:00", "hours": 8, "staff": 2}]}),
        ),
    ] {
        site::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(code.to_owned()),
            municipality_id: Set(kiyose),
            service_key: Set(ServiceId::TemporaryCare.as_str().to_owned()),
            name_ja: Set(ja.to_owned()),
            name_en: Set(en.to_owned()),
            capacity: Set(cap),
            settings: Set(settings),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    // Two short-stay facilities with 2 beds each, contracted by Kiyose and
    // shared with Higashikurume: one bed guaranteed to each city per night.
    for (code, ja, en) in [
        (
            "midori",
            "ショートステイ施設 みどりの家（児童養護施設）",
            "Midori House (children's home)",
        ),
        (
            "hikari",
            "ショートステイ施設 ひかり乳児院",
            "Hikari Infant Home",
        ),
    ] {
        let id = Uuid::now_v7();
        site::ActiveModel {
            id: Set(id),
            code: Set(code.to_owned()),
            municipality_id: Set(kiyose),
            service_key: Set(ServiceId::ShortStay.as_str().to_owned()),
            name_ja: Set(ja.to_owned()),
            name_en: Set(en.to_owned()),
            capacity: Set(2),
            settings: Set(json!({"closed": [{"from": "12-29", "to": "01-03"}]})),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        for m in [kiyose, higashikurume] {
            site_share::ActiveModel {
                site_id: Set(id),
                municipality_id: Set(m),
                allocation: Set(Some(1)),
            }
            .insert(&txn)
            .await?;
        }
    }

    // The helper programmes are booked at the municipality's helper pool: the family's
    // home, where a dispatched helper goes. Capacity is the visits the two agencies take
    // a day; which helper goes when is planned on the dispatch board.
    for (code, service) in [
        ("kiyose-home-help", ServiceId::SingleParentHomeHelp),
        (
            "kiyose-support-helper",
            ServiceId::ChildrearingSupportHelper,
        ),
    ] {
        site::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(code.to_owned()),
            municipality_id: Set(kiyose),
            service_key: Set(service.as_str().to_owned()),
            name_ja: Set("ご自宅（ヘルパーが伺います）".to_owned()),
            name_en: Set("Your home (a helper visits)".to_owned()),
            capacity: Set(12),
            settings: Set(json!({"helper_pool": true})),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }

    // Accounts.
    let parent = add_user(
        &txn,
        kiyose,
        "parent@example.jp",
        "清瀬 花子",
        "parent",
        &hash,
    )
    .await?;
    add_user(
        &txn,
        kiyose,
        "coordinator@example.jp",
        "山田 直子",
        "coordinator",
        &hash,
    )
    .await?;
    let provider_user = add_user(
        &txn,
        kiyose,
        "provider@example.jp",
        "佐藤 みどり",
        "provider",
        &hash,
    )
    .await?;
    let visitor_user = add_user(
        &txn,
        kiyose,
        "visitor@example.jp",
        "中村 理恵",
        "provider",
        &hash,
    )
    .await?;
    add_user(
        &txn,
        kiyose,
        "admin@example.jp",
        "管理者 清瀬",
        "admin",
        &hash,
    )
    .await?;
    let hk_parent = add_user(
        &txn,
        higashikurume,
        "parent-hk@example.jp",
        "東 久美",
        "parent",
        &hash,
    )
    .await?;
    add_user(
        &txn,
        higashikurume,
        "coordinator-hk@example.jp",
        "久留米 誠",
        "coordinator",
        &hash,
    )
    .await?;

    // Households: the demo family (two children; also a Family Support requester)
    // and other requesters, one in Higashikurume to show the cities stay apart.
    add_household(
        &txn,
        kiyose,
        Some(parent),
        None,
        "元町",
        &[
            ("清瀬", "陽太", date(2022, 6, 14), None),
            ("清瀬", "さくら", date(2025, 2, 3), None),
        ],
    )
    .await?;
    add_household(
        &txn,
        kiyose,
        None,
        date(2025, 9, 1),
        "竹丘",
        &[("竹内", "結衣", date(2018, 4, 2), None)],
    )
    .await?;
    add_household(
        &txn,
        kiyose,
        None,
        None,
        "野塩",
        &[("野口", "蓮", date(2024, 11, 20), None)],
    )
    .await?;
    add_household(
        &txn,
        higashikurume,
        Some(hk_parent),
        None,
        "本町",
        &[("東", "湊", date(2021, 8, 30), None)],
    )
    .await?;

    // Helper agencies and their helpers; home visitors; Family Support providers.
    let mut agencies = Vec::new();
    for (ja, en) in [
        ("ピッコロ", "Piccolo"),
        ("よふき介護サービス", "Yofuki Care Services"),
    ] {
        let id = Uuid::now_v7();
        agency::ActiveModel {
            id: Set(id),
            municipality_id: Set(kiyose),
            name_ja: Set(ja.to_owned()),
            name_en: Set(en.to_owned()),
        }
        .insert(&txn)
        .await?;
        agencies.push(id);
    }
    let helpers = [
        (
            0,
            Some(provider_user),
            "佐藤 みどり",
            json!(["newborn", "housework", "twins"]),
            (35.7857, 139.5265),
        ),
        (
            0,
            None,
            "鈴木 恵",
            json!(["housework", "english"]),
            (35.7722, 139.5190),
        ),
        (
            0,
            None,
            "高橋 由美",
            json!(["newborn", "housework"]),
            (35.7801, 139.5080),
        ),
        (
            1,
            None,
            "田中 昭子",
            json!(["housework"]),
            (35.7690, 139.5310),
        ),
        (
            1,
            None,
            "伊藤 美和",
            json!(["twins", "newborn"]),
            (35.7765, 139.5402),
        ),
        (
            1,
            None,
            "渡辺 聡子",
            json!(["housework", "japanese"]),
            (35.7880, 139.5150),
        ),
    ];
    for (agency_idx, user_id, name, skills, (lat, lon)) in helpers {
        add_provider(
            &txn,
            kiyose,
            user_id,
            Some(agencies[agency_idx]),
            "helper",
            name,
            json!({"skills": skills, "home": {"lat": lat, "lon": lon},
                   "availability": ["FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9"]}),
        )
        .await?;
    }
    for (user_id, name, (lat, lon)) in [
        (Some(visitor_user), "中村 理恵", (35.7812, 139.5233)),
        (None, "小林 真弓", (35.7745, 139.5128)),
    ] {
        add_provider(
            &txn,
            kiyose,
            user_id,
            None,
            "home_visitor",
            name,
            json!({"trained": "2025-06-30", "home": {"lat": lat, "lon": lon}}),
        )
        .await?;
    }
    for (name, refresher, sick, overnight, (lat, lon)) in [
        ("加藤 春子", "2023-05-20", true, false, (35.7795, 139.5201)),
        ("吉田 和夫", "2019-10-02", false, false, (35.7733, 139.5275)),
        ("山本 幸子", "2024-02-11", true, true, (35.7850, 139.5120)),
    ] {
        add_provider(
            &txn,
            kiyose,
            None,
            None,
            "family_support",
            name,
            json!({"training_hours": 30, "lifesaving_refresher": refresher, "sick_child": sick,
                   "overnight": overnight, "ages": {"from_months": 2, "to_grade": 6},
                   "home": {"lat": lat, "lon": lon}, "max_per_week": 3,
                   "availability": ["FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=16"]}),
        )
        .await?;
    }
    seed_helper_visits(&txn, kiyose).await?; // issue 8: helper dispatch demo
    seed_family_support(&txn, kiyose).await?; // issue 7: Family Support demo
    seed_home_start(&txn, kiyose, visitor_user).await?; // issue 7: Home-Start demo
    txn.commit().await?;
    tracing::info!("demo data loaded");
    Ok(())
}

// ---- Helper dispatch demo (issue 8) ------------------------------------------------
// Approved helper visits on the next three weekdays, so the coordinator has a day to
// dispatch; one of them is already proposed to the demo helper (佐藤 みどり) so the
// provider page shows a proposal to accept.

async fn seed_helper_visits(db: &impl ConnectionTrait, kiyose: Uuid) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, Weekday};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

    use crate::entities::helper_visit;

    let homes = household::Entity::find()
        .filter(household::Column::MunicipalityId.eq(kiyose))
        .order_by_asc(household::Column::CreatedAt)
        .all(db)
        .await?;
    let sato = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(kiyose))
        .filter(provider::Column::UserId.is_not_null())
        .filter(provider::Column::Kind.eq("helper"))
        .one(db)
        .await?;
    // (area, family initial, lat, lon) of the three Kiyose households, in seed order.
    let places = [
        ("元町", "清様", 35.7850, 139.5190),
        ("竹丘", "竹様", 35.7790, 139.5370),
        ("野塩", "野様", 35.7720, 139.5060),
    ];
    let mut day = hagukumi_domain::calendar::local_date(Utc::now());
    let mut days = vec![];
    while days.len() < 3 {
        day += Duration::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(day);
        }
    }
    // (household, service, earliest, latest start, minutes, skills)
    type Spec = (usize, &'static str, i32, i32, i32, &'static [&'static str]);
    let plan: [Spec; 4] = [
        (
            0,
            "childrearing-support-helper",
            9 * 60,
            10 * 60,
            120,
            &["newborn"],
        ),
        (
            1,
            "single-parent-home-help",
            10 * 60,
            13 * 60,
            180,
            &["housework"],
        ),
        (2, "childrearing-support-helper", 13 * 60, 15 * 60, 120, &[]),
        (
            1,
            "single-parent-home-help",
            15 * 60,
            16 * 60,
            120,
            &["housework"],
        ),
    ];
    let now = Utc::now();
    for (n, day) in days.into_iter().enumerate() {
        for (k, (h, service, from, to, minutes, skills)) in plan.iter().enumerate() {
            let (Some(home), Some((area, label, lat, lon))) = (homes.get(*h), places.get(*h))
            else {
                continue;
            };
            // The very first visit is proposed to the demo helper.
            let proposed = (n == 0 && k == 0).then_some(()).and(sato.as_ref());
            helper_visit::ActiveModel {
                id: Set(Uuid::now_v7()),
                municipality_id: Set(kiyose),
                service_key: Set((*service).to_owned()),
                household_id: Set(home.id),
                booking_id: Set(None),
                day: Set(day),
                window_start_min: Set(*from),
                window_end_min: Set(*to),
                duration_min: Set(*minutes),
                required_skills: Set(json!(skills)),
                preferred_provider_id: Set(None),
                status: Set("approved".into()),
                assigned_provider_id: Set(proposed.map(|p| p.id)),
                assignment_status: Set(if proposed.is_some() {
                    "proposed"
                } else {
                    "unassigned"
                }
                .into()),
                planned_start_min: Set(proposed.map(|_| *from)),
                pinned: Set(false),
                sequence: Set(0),
                area: Set((*area).to_owned()),
                lat: Set(*lat),
                lon: Set(*lon),
                family_label: Set((*label).to_owned()),
                notes: Set(if k == 0 {
                    "玄関のチャイムは故障中。到着したら電話してください。".into()
                } else {
                    String::new()
                }),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

// ---- Family Support demo (issue 7) -------------------------------------------------
// Members from the Family Support providers above (one with an expired lifesaving
// refresher, so the console shows the exclusion), the demo provider account as a providing
// member, the three Kiyose households as requesting members, and three open requests
// starting next week.

async fn seed_family_support(db: &impl ConnectionTrait, kiyose: Uuid) -> anyhow::Result<()> {
    use crate::entities::{fs_member, fs_request};
    use chrono::{Datelike, Duration};
    use hagukumi_domain::calendar::{FiscalYear, local_date};
    use sea_orm::{ColumnTrait, QueryFilter};

    let now = Utc::now();
    let today = local_date(now);
    let since = today.with_day(1).unwrap_or(today);
    let window = |rule: &str, h: u32, minutes: u32| json!({"rule": rule, "dtstart": format!("{since}T{h:02}:00:00"), "minutes": minutes});
    let member = |role: &str, name: &str| fs_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(kiyose),
        role: Set(role.to_owned()),
        display_name: Set(name.to_owned()),
        household_id: Set(None),
        provider_id: Set(None),
        training_hours: Set(0),
        training_completed_on: Set(None),
        lifesaving_refresher_on: Set(None),
        sick_child: Set(false),
        overnight: Set(false),
        accepts_from_months: Set(2),
        accepts_to_grade: Set(json!({"elementary": 6})),
        home_lat: Set(None),
        home_lon: Set(None),
        max_per_week: Set(0),
        availability: Set(json!([])),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let providers = provider::Entity::find()
        .filter(provider::Column::MunicipalityId.eq(kiyose))
        .all(db)
        .await?;
    for p in &providers {
        let fs = p.kind == "family_support";
        // The demo provider account (a helper) also volunteers for Family Support; the
        // demo home visitor's account does not.
        if !(fs || (p.user_id.is_some() && p.kind == "helper")) {
            continue;
        }
        let prof = &p.profile;
        let mut m = member("providing", &p.display_name);
        m.provider_id = Set(Some(p.id));
        m.training_hours = Set(30);
        m.training_completed_on = Set(NaiveDate::from_ymd_opt(2019, 3, 10));
        m.lifesaving_refresher_on = Set(if fs {
            prof["lifesaving_refresher"]
                .as_str()
                .and_then(|s| s.parse().ok())
        } else {
            NaiveDate::from_ymd_opt(2022, 7, 1)
        });
        m.sick_child = Set(prof["sick_child"].as_bool().unwrap_or(false));
        m.overnight = Set(prof["overnight"].as_bool().unwrap_or(false));
        m.home_lat = Set(prof["home"]["lat"].as_f64());
        m.home_lon = Set(prof["home"]["lon"].as_f64());
        m.max_per_week = Set(3);
        m.availability = Set(if fs {
            json!([window("FREQ=WEEKLY;BYDAY=TU,TH", 16, 240)])
        } else {
            json!([window("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", 15, 240)])
        });
        m.insert(db).await?;
    }
    let households = household::Entity::find()
        .filter(household::Column::MunicipalityId.eq(kiyose))
        .all(db)
        .await?;
    let first = today + Duration::days(7 - i64::from(today.weekday().num_days_from_monday()));
    let fy_end = FiscalYear::of(first).end();
    let until = if fy_end > first + Duration::days(28) {
        fy_end
    } else {
        first + Duration::days(90)
    };
    for h in &households {
        let Some(c) = child::Entity::find()
            .filter(child::Column::HouseholdId.eq(h.id))
            .all(db)
            .await?
            .into_iter()
            .filter(|c| c.birth_date.is_some())
            .min_by_key(|c| c.birth_date)
        else {
            continue;
        };
        let mut m = member("requesting", &format!("{} 家", c.family_name));
        m.household_id = Set(Some(h.id));
        m.insert(db).await?;
        let (place, (lat, lon), rule, hour, minutes, help) = match h.area.as_deref() {
            Some("元町") => (
                "つぼみ保育園（お迎え）",
                (35.7810, 139.5230),
                "FREQ=WEEKLY;BYDAY=TU,TH",
                17,
                120,
                "escort,care",
            ),
            Some("竹丘") => (
                "竹丘小学校から学童クラブへ",
                (35.7760, 139.5330),
                "FREQ=WEEKLY;BYDAY=WE",
                15,
                90,
                "escort",
            ),
            _ => (
                "野塩の自宅",
                (35.7870, 139.5020),
                "FREQ=WEEKLY;BYDAY=TH",
                16,
                180,
                "care",
            ),
        };
        fs_request::ActiveModel {
            id: Set(Uuid::now_v7()),
            municipality_id: Set(kiyose),
            household_id: Set(h.id),
            child_id: Set(c.id),
            place_label: Set(place.to_owned()),
            place_lat: Set(Some(lat)),
            place_lon: Set(Some(lon)),
            rule: Set(rule.to_owned()),
            first_date: Set(first),
            start_time: Set(format!("{hour:02}:00")),
            minutes: Set(minutes),
            until: Set(until),
            help: Set(help.to_owned()),
            notes: Set(String::new()),
            status: Set("open".to_owned()),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

// ---- Home-Start demo (issue 7 item 7) ---------------------------------------------
// The demo family (元町) has an active plan: the assessment visit on the next open
// weekday at 10:00, 中村 理恵 (who has an account: visitor@example.jp) assigned, and five
// weekly visits from a week later, each skipping a closed week (holidays, New Year).

async fn seed_home_start(
    db: &impl ConnectionTrait,
    kiyose: Uuid,
    visitor_user: Uuid,
) -> anyhow::Result<()> {
    use chrono::{Duration, NaiveTime};
    use hagukumi_domain::availability::{Interval, local_to_utc};
    use sea_orm::{ColumnTrait, QueryFilter};

    use crate::entities::{home_start_plan, home_start_visit};

    let Some(home) = household::Entity::find()
        .filter(household::Column::MunicipalityId.eq(kiyose))
        .filter(household::Column::UserId.is_not_null())
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let Some(visitor) = provider::Entity::find()
        .filter(provider::Column::UserId.eq(visitor_user))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let today = hagukumi_domain::calendar::local_date(Utc::now());
    let rules = kiyose_defaults();
    let open = |d: NaiveDate| {
        rules
            .rules_for(ServiceId::HomeVisitor, d)
            .and_then(|r| r.hours_on(None, d))
            .is_some()
    };
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN);
    let at = |d: NaiveDate| -> anyhow::Result<Interval> {
        let start = local_to_utc(d.and_time(ten));
        Ok(Interval::starting_at(start, Duration::minutes(120))?)
    };
    let mut assessment = today + Duration::days(2);
    while !open(assessment) {
        assessment += Duration::days(1);
    }
    let mut weekly = vec![];
    let mut d = assessment + Duration::days(7);
    while weekly.len() < 5 {
        if open(d) {
            weekly.push(d);
        }
        d += Duration::days(7);
    }
    let now = Utc::now();
    let plan = home_start_plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        municipality_id: Set(kiyose),
        household_id: Set(home.id),
        status: Set("active".to_owned()),
        visit_count: Set(5),
        visitor_id: Set(Some(visitor.id)),
        weekly_rrule: Set(Some("FREQ=WEEKLY;COUNT=5".to_owned())),
        area: Set(home.area.clone().unwrap_or_default()),
        lat: Set(Some(35.7850)),
        lon: Set(Some(139.5190)),
        family_label: Set("清様".to_owned()),
        notes: Set("第2子出産後。上の子の相手をしながら家事を一緒に。".to_owned()),
        cancel_reason: Set(None),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let mut visits = vec![("assessment", None, assessment)];
    visits.extend(weekly.into_iter().map(|d| ("weekly", Some(visitor.id), d)));
    for (kind, who, day) in visits {
        let iv = at(day)?;
        home_start_visit::ActiveModel {
            id: Set(Uuid::now_v7()),
            plan_id: Set(plan.id),
            municipality_id: Set(kiyose),
            kind: Set(kind.to_owned()),
            visitor_id: Set(who),
            starts_at: Set(iv.start()),
            ends_at: Set(iv.end()),
            day: Set(day),
            parent_present: Set(true),
            status: Set("scheduled".to_owned()),
            sequence: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
