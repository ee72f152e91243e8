//! HTML building blocks: the page layout, the language switch, flashes, tables, and the text
//! view with its hits highlighted in place. Written with maud's `html!`, which escapes every
//! splice: text from users, platforms and the store cannot become markup.

use maud::{html, Markup, DOCTYPE};
use qinglang_governance::authz::Role;
use qinglang_governance::casework::CaseTarget;
use qinglang_governance::model::Principal;

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
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
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

    pub fn can_read_image_lists(&self) -> bool {
        qinglang_governance::authz::allows(
            self.principal.role,
            qinglang_governance::authz::Permission::ReadImageLists,
        )
    }

    pub fn can_manage_image_lists(&self) -> bool {
        qinglang_governance::authz::allows(
            self.principal.role,
            qinglang_governance::authz::Permission::ManageImageLists,
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

/// The message a form's redirect carries (`?ok=…` or `?err=…`), shown only when `signature`
/// is this server's for it: a link anyone wrote (`/queue?err=账户冻结请致电…`) shows nothing,
/// so the console can never be made to display a stranger's text as its own (#22).
pub fn flash(ok: Option<&str>, err: Option<&str>, signature: Option<&str>) -> Markup {
    let signed = |kind: &str, m: &str| {
        !m.is_empty()
            && flash_signature(kind, m)
                .is_some_and(|want| signature.is_some_and(|sig| super::same(sig, &want)))
    };
    html! {
        @if let Some(m) = ok.filter(|m| signed("ok", m)) {
            p.flash.ok role="status" { (m) }
        }
        @if let Some(m) = err.filter(|m| signed("err", m)) {
            p.flash.err role="alert" { (m) }
        }
    }
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
pub fn flash_fixed(message: &str) -> Markup {
    html! { p.flash.err role="alert" { (message) } }
}

/// The other language of the switch: its code and its name, written in itself.
pub fn other_lang(l: Lang) -> (&'static str, &'static str) {
    match l {
        Lang::Zh => ("en", "English"),
        Lang::En => ("zh", "中文"),
    }
}

/// The page around `body`: header, navigation (what the role may use), language switch.
pub fn page(v: &Viewer, title: &str, active: &str, body: Markup) -> Markup {
    let l = v.lang;
    let mut nav = vec![
        ("/", l.t("概览", "Dashboard"), "dashboard"),
        ("/queue", l.t("审核队列", "Queue"), "queue"),
        ("/reports", l.t("举报", "Reports"), "reports"),
        ("/appeals", l.t("申诉", "Appeals"), "appeals"),
        ("/lexicons", l.t("词库", "Lexicons"), "lexicons"),
        ("/learning", l.t("模型学习", "Model learning"), "learning"),
    ];
    if v.can_read_image_lists() {
        nav.push((
            "/image-lists",
            l.t("违规图片库", "Image lists"),
            "image-lists",
        ));
    }
    if v.can_change_policy() {
        nav.push(("/emergency", l.t("应急处置", "Emergency"), "emergency"));
    }
    if v.can_read_audit() {
        nav.push(("/audit", l.t("审计", "Audit"), "audit"));
        nav.push(("/annual", l.t("年度报告", "Annual report"), "annual"));
    }
    let (other, other_label) = other_lang(l);
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 清朗" }
                link rel="stylesheet" href="/assets/console.css";
                script src="/assets/console.js" defer {}
            }
            body {
                header {
                    a.brand href="/" { "清朗 " small { "qinglang" } }
                    nav {
                        @for (href, label, key) in nav {
                            a href=(href) class=[(key == active).then_some("active")] { (label) }
                        }
                    }
                    div.who {
                        span.tz #time-zone title=(l.t("页面上的时间均为该时区的当地时间", "Every time on the page is local time in this zone")) {
                            (l.t("时区", "Time zone")) " " (time_zone_name())
                        }
                        " "
                        span { (v.principal.name) " · " (role_name(l, v.principal.role)) }
                        " "
                        a #lang-switch href={ "/lang/" (other) "?back=" (urlencode(&v.path)) } { (other_label) }
                        form.inline method="post" action="/logout" {
                            (v.csrf_field())
                            button.link type="submit" { (l.t("退出", "Sign out")) }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A table of `rows` under `headers`; `empty` in its place when there are no rows.
pub fn table(headers: &[&str], rows: &[Vec<Markup>], empty: &str) -> Markup {
    html! {
        @if rows.is_empty() {
            p.muted { (empty) }
        } @else {
            table {
                thead { tr { @for h in headers { th { (h) } } } }
                tbody {
                    @for r in rows {
                        tr { @for c in r { td { (c) } } }
                    }
                }
            }
        }
    }
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

/// A time for a page: [`short_time`] in a `<time>` element that keeps it on one line and
/// carries the exact instant.
pub fn when(rfc: &str) -> Markup {
    html! { time datetime=(rfc) { (short_time(rfc)) } }
}

/// A time given in milliseconds since the epoch, in the deployment's zone, written with a
/// strftime `pattern` (`%m-%d`); empty for a time out of range.
pub fn local_time(ms: i64, pattern: &str) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(time_zone().0.clone())
                .strftime(pattern)
                .to_string()
        })
        .unwrap_or_default()
}

/// What a case is about, as words (`内容 #12`).
pub fn target_label(lang: Lang, t: CaseTarget) -> String {
    let kind = match t {
        CaseTarget::Content(_) => lang.t("内容", "content"),
        CaseTarget::User(_) => lang.t("用户", "user"),
        CaseTarget::Account(_) => lang.t("公众号", "account"),
        CaseTarget::Group(_) => lang.t("群组", "group"),
    };
    format!("{kind} #{}", t.id())
}

/// A link to the page of what a case is about.
pub fn target_link(lang: Lang, t: CaseTarget) -> Markup {
    let href = match t {
        CaseTarget::Content(id) => format!("/content/{id}"),
        CaseTarget::User(id) => format!("/users/{id}"),
        CaseTarget::Account(id) => format!("/accounts/{id}"),
        CaseTarget::Group(id) => format!("/groups/{id}"),
    };
    html! { a href=(href) { (target_label(lang, t)) } }
}

/// A hit's note for its mark's title: term, category, action and the source that found it
/// (the source as its identifier, which is what a lexicon or rule is looked up by).
pub fn hit_note(lang: Lang, h: &serde_json::Value) -> String {
    format!(
        "{} · {} · {} · {}",
        h["term"].as_str().unwrap_or(""),
        category_cell(lang, h),
        action_label(lang, h["action"].as_str().unwrap_or("")),
        h["source"].as_str().unwrap_or("")
    )
}

/// Runs of `chars` with the notes of the hits covering them: `(text, notes)`, in order.
fn runs(chars: &[char], notes: &[Vec<String>]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let j = (i..chars.len())
            .find(|&j| notes[j] != notes[i])
            .unwrap_or(chars.len());
        out.push((chars[i..j].iter().collect(), notes[i].join("\n")));
        i = j;
    }
    out
}

/// Text with the runs that carry a note marked; the mark's title is the note.
pub fn marked(chars: &[char], notes: &[Vec<String>]) -> Markup {
    html! {
        @for (run, note) in runs(chars, notes) {
            @if note.is_empty() { (run) } @else { mark title=(note) { (run) } }
        }
    }
}

/// The text with every hit marked where it occurs; the mark's title says which lexicon
/// entry or rule found it.
pub fn highlighted(lang: Lang, text: &str, verdict: &serde_json::Value) -> Markup {
    let chars: Vec<char> = text.chars().collect();
    let mut notes: Vec<Vec<String>> = vec![Vec::new(); chars.len()];
    for h in verdict["hits"].as_array().into_iter().flatten() {
        let (Some(start), Some(end)) = (h["start"].as_u64(), h["end"].as_u64()) else {
            continue;
        };
        let note = hit_note(lang, h);
        // Spans come from the store: clamp them, never index past the text.
        let end = usize::try_from(end).unwrap_or(usize::MAX).min(chars.len());
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(end);
        for n in &mut notes[start..end] {
            if !n.contains(&note) {
                n.push(note.clone());
            }
        }
    }
    marked(&chars, &notes)
}

/// A hit's category, with its family where it names one (`诈骗 · 钓鱼仿冒`).
fn category_cell(lang: Lang, hit: &serde_json::Value) -> String {
    let category = super::labels::category_name(lang, hit["category"].as_str().unwrap_or(""));
    match hit["subcategory"].as_str() {
        Some(sub) => format!("{category} · {}", family_label(lang, sub)),
        None => category,
    }
}

/// What a hit or a lexicon term asks for (`block` → 拦截).
pub fn action_label(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "block" => ("拦截", "block"),
        "review" => ("人审", "review"),
        "allow" => ("放行", "allow"),
        "pass" => ("通过", "pass"),
        other => return other.to_owned(),
    };
    lang.t(zh, en).to_owned()
}

/// Where in an article a hit was found (REV-8).
pub fn part_label(lang: Lang, part: &str) -> String {
    let (zh, en) = match part {
        "title" => ("标题", "title"),
        "body" => ("正文", "body"),
        "hidden" => ("隐藏文本", "hidden text"),
        "link" => ("链接", "link"),
        "qr" => ("二维码", "QR code"),
        "ocr" => ("图中文字", "text in the picture"),
        "image" => ("整张图片（违规图片库）", "whole picture (image list)"),
        other => return other.to_owned(),
    };
    lang.t(zh, en).to_owned()
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

/// The list of hits under a text: term, category, action, source, probability; for an
/// article, also where in the page each was found.
pub fn hit_table(lang: Lang, verdict: &serde_json::Value) -> Markup {
    let Some(hits) = verdict["hits"].as_array().filter(|h| !h.is_empty()) else {
        return html! { p.muted { (lang.t("无命中", "No hits")) } };
    };
    let parts = hits.iter().any(|h| h["part"].is_string());
    html! {
        table.hits {
            thead {
                tr {
                    th { (lang.t("命中", "Hit")) }
                    th { (lang.t("类别", "Category")) }
                    th { (lang.t("处置", "Action")) }
                    th { (lang.t("来源", "Source")) }
                    @if parts { th { (lang.t("位置", "Where")) } }
                }
            }
            tbody {
                @for h in hits {
                    tr {
                        // A known-bad list's hit has no text: its term (the entry's hash) says it.
                        td { (h["text"].as_str().filter(|t| !t.is_empty()).or(h["term"].as_str()).unwrap_or("")) }
                        td { (category_cell(lang, h)) }
                        td { (action_label(lang, h["action"].as_str().unwrap_or(""))) }
                        td {
                            code { (h["source"].as_str().unwrap_or("")) }
                            @if let Some(p) = h["probability"].as_f64() { " (p=" (format!("{p:.2}")) ")" }
                        }
                        @if parts { td { (part_label(lang, h["part"].as_str().unwrap_or(""))) } }
                    }
                }
            }
        }
    }
}
