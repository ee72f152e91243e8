//! HTML building blocks: escaping, the page layout, the language switch, and the text view
//! with its hits highlighted in place.

use std::fmt::Write as _;

use qinglang_governance::authz::Role;
use qinglang_governance::casework::CaseTarget;
use qinglang_governance::model::Principal;

/// Escapes text for HTML content and quoted attribute values.
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

/// The console's language: Simplified Chinese by default, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Lang {
        if v == Some("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// Picks the text in this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// Who is looking, in which language, with which CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    pub csrf: String,
    pub lang: Lang,
    /// The request path and query, for the language switch to come back to.
    pub path: String,
}

impl Viewer {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    /// The hidden field every form carries.
    pub fn csrf_field(&self) -> String {
        format!(
            r#"<input type="hidden" name="csrf" value="{}">"#,
            esc(&self.csrf)
        )
    }

    pub fn can_moderate(&self) -> bool {
        matches!(self.principal.role, Role::Moderator | Role::Lead)
    }

    pub fn is_lead(&self) -> bool {
        self.principal.role == Role::Lead
    }

    /// Teach the model (REV-9): moderators, leads and admins, as the permission matrix says.
    pub fn can_learn(&self) -> bool {
        qinglang_governance::authz::allows(
            self.principal.role,
            qinglang_governance::authz::Permission::Learn,
        )
    }

    pub fn can_change_policy(&self) -> bool {
        qinglang_governance::authz::allows(
            self.principal.role,
            qinglang_governance::authz::Permission::ChangePolicy,
        )
    }

    pub fn can_read_audit(&self) -> bool {
        matches!(
            self.principal.role,
            Role::Lead | Role::Auditor | Role::Admin
        )
    }
}

pub fn role_name(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Service => lang.t("平台服务", "service"),
        Role::Moderator => lang.t("审核员", "moderator"),
        Role::Lead => lang.t("内容安全负责人", "content-security lead"),
        Role::Auditor => lang.t("审计员", "auditor"),
        Role::Admin => lang.t("管理员", "admin"),
    }
}

/// A flash message carried in the query string after a form (`?ok=` / `?err=`).
/// The message a form's redirect carries (`?ok=…` or `?err=…`), shown only when `signature`
/// is this server's for it: a link anyone wrote (`/queue?err=账户冻结请致电…`) shows nothing,
/// so the console can never be made to display a stranger's text as its own (#22).
pub fn flash(ok: Option<&str>, err: Option<&str>, signature: Option<&str>) -> String {
    let mut s = String::new();
    let signed = |kind: &str, m: &str| {
        flash_signature(kind, m)
            .is_some_and(|want| signature.is_some_and(|sig| super::same(sig, &want)))
    };
    if let Some(m) = ok.filter(|m| !m.is_empty() && signed("ok", m)) {
        let _ = write!(s, r#"<p class="flash ok" role="status">{}</p>"#, esc(m));
    }
    if let Some(m) = err.filter(|m| !m.is_empty() && signed("err", m)) {
        let _ = write!(s, r#"<p class="flash err" role="alert">{}</p>"#, esc(m));
    }
    s
}

/// A flash message's signature: a MAC under a key drawn when the process starts (a flash
/// lives for one redirect, so a restart forgetting the key costs nothing). `None` when the
/// system could not give randomness: then no flash is shown, rather than one anyone can
/// forge.
pub fn flash_signature(kind: &str, message: &str) -> Option<String> {
    use hmac::{Hmac, Mac};
    static KEY: std::sync::OnceLock<Option<[u8; 32]>> = std::sync::OnceLock::new();
    let key = KEY
        .get_or_init(|| qinglang_governance::crypto::random_bytes::<32>().ok())
        .as_ref()?;
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(message.as_bytes());
    Some(qinglang_governance::crypto::hex(
        &mac.finalize().into_bytes()[..16],
    ))
}

/// An error message the server chose itself (the sign-in page's fixed ones).
pub fn flash_fixed(message: &str) -> String {
    format!(r#"<p class="flash err" role="alert">{}</p>"#, esc(message))
}

/// The page around `body`: header, navigation (what the role may use), language switch.
pub fn page(v: &Viewer, title: &str, active: &str, body: &str) -> String {
    let l = v.lang;
    let mut nav = vec![
        ("/", l.t("概览", "Dashboard"), "dashboard"),
        ("/queue", l.t("审核队列", "Queue"), "queue"),
        ("/reports", l.t("举报", "Reports"), "reports"),
        ("/appeals", l.t("申诉", "Appeals"), "appeals"),
        ("/lexicons", l.t("词库", "Lexicons"), "lexicons"),
        ("/learning", l.t("模型学习", "Model learning"), "learning"),
    ];
    if v.can_change_policy() {
        nav.push(("/emergency", l.t("应急处置", "Emergency"), "emergency"));
    }
    if v.can_read_audit() {
        nav.push(("/audit", l.t("审计", "Audit"), "audit"));
        nav.push(("/annual", l.t("年度报告", "Annual report"), "annual"));
    }
    let mut links = String::new();
    for (href, label, key) in nav {
        let cls = if key == active {
            r#" class="active""#
        } else {
            ""
        };
        let _ = write!(links, r#"<a href="{href}"{cls}>{}</a>"#, esc(label));
    }
    let (other, other_label) = match l {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    };
    format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · 清朗</title><link rel="stylesheet" href="/assets/console.css"><script src="/assets/console.js" defer></script></head><body><header><a class="brand" href="/">清朗 <small>qinglang</small></a><nav>{links}</nav><div class="who"><span class="tz" id="time-zone" title="{tz_title}">{tz_label} {tz}</span> <span>{name} · {role}</span> <a href="/lang/{other}?back={back}" id="lang-switch">{other_label}</a><form method="post" action="/logout" class="inline">{csrf}<button type="submit" class="link">{logout}</button></form></div></header><main><h1>{title}</h1>{body}</main></body></html>"#,
        lang = l.code(),
        title = esc(title),
        name = esc(&v.principal.name),
        role = role_name(l, v.principal.role),
        back = esc(&urlencode(&v.path)),
        csrf = v.csrf_field(),
        logout = l.t("退出", "Sign out"),
        tz_label = l.t("时区", "Time zone"),
        tz = esc(time_zone_name()),
        tz_title = l.t(
            "页面上的时间均为该时区的当地时间",
            "Every time on the page is local time in this zone"
        ),
    )
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The deployment's time zone (`[locale] time_zone` of the policy), set when the server's
/// state is made; one per process, as one process serves one deployment.
static TIME_ZONE: std::sync::OnceLock<(jiff::tz::TimeZone, String)> = std::sync::OnceLock::new();

/// Sets the zone the console writes times in (the first call wins).
pub fn set_time_zone(name: &str, zone: jiff::tz::TimeZone) {
    let _ = TIME_ZONE.set((zone, name.to_owned()));
}

/// The zone's name as the page header shows it (`Asia/Shanghai`).
pub fn time_zone_name() -> &'static str {
    &time_zone().1
}

/// The zone set by [`set_time_zone`]; the policy's default where no server state was made
/// (a page rendered alone).
fn time_zone() -> &'static (jiff::tz::TimeZone, String) {
    TIME_ZONE.get_or_init(|| {
        let default = qinglang_governance::policy::LocalePolicy::default();
        (default.zone(), default.time_zone)
    })
}

/// `2026-11-29 02:00` in the deployment's zone from an RFC 3339 time (the header says which
/// zone); text that is not a time is shown as it is.
pub fn short_time(rfc: &str) -> String {
    let Some(t) = qinglang_governance::model::Timestamp::parse(rfc) else {
        return rfc.to_owned();
    };
    t.local_minute(&time_zone().0)
}

/// A link to the page of what a case is about.
pub fn target_link(lang: Lang, t: CaseTarget) -> String {
    let (href, kind) = match t {
        CaseTarget::Content(id) => (format!("/content/{id}"), lang.t("内容", "content")),
        CaseTarget::User(id) => (format!("/users/{id}"), lang.t("用户", "user")),
        CaseTarget::Account(id) => (format!("/accounts/{id}"), lang.t("公众号", "account")),
        CaseTarget::Group(id) => (format!("/groups/{id}"), lang.t("群组", "group")),
    };
    format!(r#"<a href="{href}">{kind} #{}</a>"#, t.id())
}

/// The text with every hit marked where it occurs; the mark's title says which lexicon
/// entry or rule found it.
pub fn highlighted(text: &str, verdict: &serde_json::Value) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); chars.len()];
    if let Some(hits) = verdict["hits"].as_array() {
        for h in hits {
            let (Some(start), Some(end)) = (h["start"].as_u64(), h["end"].as_u64()) else {
                continue;
            };
            let note = format!(
                "{} · {} · {} · {}",
                h["term"].as_str().unwrap_or(""),
                h["category"].as_str().unwrap_or(""),
                h["action"].as_str().unwrap_or(""),
                h["source"].as_str().unwrap_or("")
            );
            for n in notes
                .iter_mut()
                .take((end as usize).min(chars.len()))
                .skip(start as usize)
            {
                if !n.contains(&note) {
                    n.push(note.clone());
                }
            }
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let j = (i..chars.len())
            .find(|&j| notes[j] != notes[i])
            .unwrap_or(chars.len());
        let run: String = chars[i..j].iter().collect();
        if notes[i].is_empty() {
            out.push_str(&esc(&run));
        } else {
            let _ = write!(
                out,
                r#"<mark title="{}">{}</mark>"#,
                esc(&notes[i].join("\n")),
                esc(&run)
            );
        }
        i = j;
    }
    out
}

/// A hit's category, with its family where it names one (`fraud · 钓鱼`).
fn category_cell(lang: Lang, hit: &serde_json::Value) -> String {
    let category = super::labels::category_name(lang, hit["category"].as_str().unwrap_or(""));
    match hit["subcategory"].as_str() {
        Some(sub) => format!("{category} · {}", family_label(lang, sub)),
        None => category,
    }
}

/// The moderator's name for a scam or illegal-service family (issue #20); an operator's own
/// family is shown as written.
pub fn family_label(lang: Lang, family: &str) -> String {
    let (zh, en) = match family {
        "phishing" => ("钓鱼仿冒", "phishing"),
        "refund" => ("冒充客服退款", "refund / customer service"),
        "prize" => ("中奖积分兑换", "prize / points"),
        "loan" => ("贷款征信", "loan / credit repair"),
        "police_impersonation" => ("冒充公检法", "police impersonation"),
        "task_scam" => ("刷单返利", "task / order brushing"),
        "investment" => ("投资荐股", "investment / stock tips"),
        "gambling_promotion" => ("赌博推广", "gambling promotion"),
        "escort" => ("招嫖色情服务", "escort"),
        "fake_documents" => ("办证发票刻章", "fake documents / invoices"),
        other => return other.to_owned(),
    };
    lang.t(zh, en).to_owned()
}

/// The list of hits under a text: term, category, action, source, probability.
pub fn hit_table(lang: Lang, verdict: &serde_json::Value) -> String {
    let Some(hits) = verdict["hits"].as_array().filter(|h| !h.is_empty()) else {
        return format!("<p class=muted>{}</p>", lang.t("无命中", "No hits"));
    };
    let mut s = format!(
        "<table class=hits><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("命中", "Hit"),
        lang.t("类别", "Category"),
        lang.t("处置", "Action"),
        lang.t("来源", "Source")
    );
    for h in hits {
        let p = h["probability"]
            .as_f64()
            .map_or_else(String::new, |p| format!(" (p={p:.2})"));
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code>{}</td></tr>",
            esc(h["text"].as_str().or(h["term"].as_str()).unwrap_or("")),
            esc(&category_cell(lang, h)),
            esc(h["action"].as_str().unwrap_or("")),
            esc(h["source"].as_str().unwrap_or("")),
            p
        );
    }
    s.push_str("</tbody></table>");
    s
}
