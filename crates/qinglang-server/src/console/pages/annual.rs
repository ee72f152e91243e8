//! The annual governance report (AUD-3): one a compliance lead could hand to a regulator —
//! named categories, decisions, sanctions and actions, the twelve local months on the axis,
//! and governance only, operator housekeeping left out (#22). Shared by the console page and
//! `qinglang report`.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use qinglang_governance::model::Timestamp;
use qinglang_governance::stats::{AnnualReport, Volume};
use serde::Deserialize;

use super::dashboard::per_period_chart;
use super::{html_page, minutes, run};
use crate::console::html::{local_time, table, when, Lang};
use crate::console::labels::{
    action_name, category_name, decision_name, is_governance_action, outcome_name, sanction_name,
};
use crate::console::{svg, Console};
use crate::AppState;

/// A rules version for people: the file hash cut to 12 hex digits, with the `+N` of the
/// emergency changes and lexicon edits in force kept (OPS-2).
fn short_version(version: &str) -> String {
    let (file, changes) = version.split_once('+').unwrap_or((version, ""));
    let file = file.get(..19).unwrap_or(file);
    if changes.is_empty() {
        file.to_owned()
    } else {
        format!("{file}+{changes}")
    }
}

/// `3月` / `Mar` under a month's bar (`2026-03`).
fn month_tick(l: Lang, period: &str) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = period
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .filter(|m| (1..=12).contains(m));
    match (month, l) {
        (Some(m), Lang::Zh) => format!("{m}月"),
        (Some(m), Lang::En) => EN[m - 1].to_owned(),
        (None, _) => period.to_owned(),
    }
}

/// The twelve months of the report's year, quiet ones too, so the axis is the whole year.
fn whole_year(r: &AnnualReport) -> Vec<Volume> {
    (1..=12)
        .map(|m| {
            let period = format!("{:04}-{m:02}", r.year);
            r.months
                .iter()
                .find(|v| v.period == period)
                .cloned()
                .unwrap_or(Volume {
                    period,
                    ..Volume::default()
                })
        })
        .collect()
}

/// Named bars of a count per code.
fn named<'a>(
    counts: impl IntoIterator<Item = (&'a String, &'a u64)>,
    name: impl Fn(&str) -> String,
) -> Vec<(String, u64)> {
    counts.into_iter().map(|(k, v)| (name(k), *v)).collect()
}

fn minutes_or_dash(l: Lang, m: Option<i64>) -> String {
    m.map_or_else(|| "—".to_owned(), |m| minutes(l, m))
}

/// The annual report's body (AUD-3): shared by the console page and `qinglang report`.
pub fn annual_body(l: Lang, r: &AnnualReport) -> Markup {
    let months = whole_year(r);
    let cats = named(&r.by_category, |k| category_name(l, k));
    let decisions = named(&r.by_decision, |k| decision_name(l, k));
    let sanctions = named(&r.sanctions, |k| sanction_name(l, k));
    let actions = named(
        r.actions.iter().filter(|(k, _)| is_governance_action(k)),
        |k| action_name(l, k),
    );
    let appeals = named(&r.appeals, |k| outcome_name(l, k));
    let h = &r.reports;
    let handling = vec![vec![
        html! { (h.filed) },
        html! { (h.resolved) },
        html! { (h.upheld) },
        html! { (h.rejected) },
        html! { (h.on_time) },
        html! { (h.overdue_open) },
        html! { (minutes_or_dash(l, h.median_minutes)) " / " (minutes_or_dash(l, h.p90_minutes)) },
        html! { (minutes(l, h.deadline_minutes)) },
    ]];
    html! {
        p.meta {
            (l.t("统计期间", "Period")) " " (when(&r.from)) " — " (when(&r.to))
            " (" (crate::console::html::time_zone_name()) ") · "
            (l.t("生成于", "generated")) " " (when(&r.generated_at)) " · "
            (l.t("策略版本", "policy")) " " code { (short_version(&r.policy_version)) } " · "
            (if r.audit_chain_ok {
                l.t("审计哈希链完整", "audit chain intact")
            } else {
                l.t("审计哈希链已损坏", "audit chain BROKEN")
            })
        }
        section.cards {
            div.card { b #annual-submissions { (r.submissions) } span { (l.t("送审内容", "submissions reviewed")) } }
            div.card { b { (h.filed) } span { (l.t("收到举报", "reports received")) } }
            div.card { b { (minutes_or_dash(l, h.median_minutes)) } span { (l.t("举报处理用时中位数", "median report handling time")) } }
            div.card { b { (r.appeals.values().sum::<u64>()) } span { (l.t("申诉", "appeals")) } }
        }
        h2 { (l.t("各月送审量（按违规类别）", "Submissions per month, by category")) }
        (per_period_chart(l.t("各月送审量", "Submissions per month"), &months, |d| &d.by_category, |c| category_name(l, c), |p| month_tick(l, p)))
        h2 { (l.t("违规类别", "Violations by category")) }
        (svg::hbars(l.t("违规类别", "Categories"), &cats))
        h2 { (l.t("处置结果", "Decisions")) }
        (svg::hbars(l.t("处置结果", "Decisions"), &decisions))
        h2 { (l.t("处罚（按类型）", "Sanctions by type")) }
        (svg::hbars(l.t("处罚", "Sanctions"), &sanctions))
        h2 { (l.t("治理操作（按类型）", "Governance actions by type")) }
        (svg::hbars(l.t("治理操作", "Governance actions"), &actions))
        h2 { (l.t("举报处理", "Report handling")) }
        (table(
            &[
                l.t("收到", "Received"),
                l.t("办结", "Resolved"),
                l.t("成立", "Upheld"),
                l.t("不成立", "Not upheld"),
                l.t("按时办结", "On time"),
                l.t("超时未办", "Open, overdue"),
                l.t("用时中位数 / p90", "Median / p90"),
                l.t("时限", "Deadline"),
            ],
            &handling,
            "—",
        ))
        h2 { (l.t("申诉结果", "Appeal outcomes")) }
        (svg::hbars(l.t("申诉", "Appeals"), &appeals))
    }
}

fn report_title(l: Lang, year: i32) -> String {
    match l {
        Lang::Zh => format!("{year} 年度内容治理报告"),
        Lang::En => format!("{year} governance report"),
    }
}

/// A standalone HTML document of the annual report (styles inline: it is sent on its own).
pub fn annual_document(l: Lang, r: &AnnualReport) -> String {
    let title = report_title(l, r.year);
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                title { (title) }
                // The console's own stylesheet, compiled into the binary: not user text.
                style { (PreEscaped(crate::console::CSS)) }
            }
            body { main { h1 { (title) } (annual_body(l, r)) } }
        }
    }
    .into_string()
}

#[derive(Deserialize)]
pub(crate) struct YearQuery {
    year: Option<i32>,
}

pub(crate) async fn annual(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<YearQuery>,
) -> Response {
    // The local year: the report counts by the deployment's zone.
    let this_year: i32 = local_time(Timestamp::now().0, "%Y").parse().unwrap_or(2026);
    let year = q.year.unwrap_or(this_year);
    let r = match run(&s, &v, move |g, p, now| g.annual_report(p, year, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = v.lang;
    let body = html! {
        form.filters method="get" action="/annual" {
            label { (l.t("年份", "Year")) " " input name="year" type="number" value=(year) min="2000" max="2100"; }
            button type="submit" { (l.t("生成", "Show")) }
        }
        (annual_body(l, &r))
    };
    html_page(&v, &report_title(l, year), "annual", body)
}

#[cfg(test)]
mod tests {
    use super::{month_tick, short_version, Lang};

    /// The report names tightened rules as such: the `+N` survives the shortening.
    #[test]
    fn a_short_rules_version_keeps_the_changes_in_force() {
        let file = format!("sha256:{}", "ab".repeat(32));
        assert_eq!(short_version(&file), "sha256:abababababab");
        assert_eq!(short_version(&format!("{file}+3")), "sha256:abababababab+3");
        assert_eq!(short_version("v1"), "v1");
    }

    #[test]
    fn months_on_the_axis_are_named() {
        assert_eq!(month_tick(Lang::Zh, "2026-03"), "3月");
        assert_eq!(month_tick(Lang::En, "2026-12"), "Dec");
        assert_eq!(month_tick(Lang::Zh, "2026"), "2026");
    }
}
