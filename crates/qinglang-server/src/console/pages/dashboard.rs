//! The dashboard: what a moderator acts on — the queue and how long it has waited, reports
//! against their deadline, submissions by category over the days, and the governance actions
//! taken — not operator housekeeping (#22).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{html, Markup};

use qinglang_governance::stats::{Dashboard, QueueDepth, Volume};
use serde::Deserialize;

use super::{html_page, minutes, run};
use crate::console::html::Lang;
use crate::console::labels::{
    action_name, category_name, decision_name, is_governance_action, outcome_name,
};
use crate::console::{svg, Console};
use crate::AppState;

#[derive(Deserialize)]
pub(crate) struct DashQuery {
    days: Option<u32>,
}

/// Stacked bars per period; `name` gives each series (a category, a decision) its name and
/// `tick` each period its label under the axis.
pub(super) fn per_period_chart(
    title: &str,
    periods: &[Volume],
    pick: impl Fn(&Volume) -> &BTreeMap<String, u64>,
    name: impl Fn(&str) -> String,
    tick: impl Fn(&str) -> String,
) -> Markup {
    let names: BTreeSet<&String> = periods.iter().flat_map(|d| pick(d).keys()).collect();
    let labels: Vec<String> = periods.iter().map(|d| d.period.clone()).collect();
    let ticks: Vec<String> = labels.iter().map(|p| tick(p)).collect();
    let series: Vec<(String, Vec<u64>)> = names
        .into_iter()
        .map(|n| {
            (
                name(n),
                periods
                    .iter()
                    .map(|d| pick(d).get(n).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    svg::stacked_bars(title, &labels, &ticks, &series)
}

/// How long the open items have waited, in bands a moderator reads at a glance (the store
/// counts them; see `WAIT_BANDS_MINUTES`).
fn queue_age(l: Lang, q: &QueueDepth) -> Vec<(String, u64)> {
    let names: [(&str, &str); 6] = [
        ("1 小时内", "under 1 h"),
        ("1–4 小时", "1–4 h"),
        ("4–12 小时", "4–12 h"),
        ("12–24 小时", "12–24 h"),
        ("1–3 天", "1–3 days"),
        ("3 天以上", "over 3 days"),
    ];
    names
        .iter()
        .zip(q.waiting.iter().copied().chain(std::iter::repeat(0)))
        .map(|((zh, en), c)| (l.t(zh, en).to_owned(), c))
        .collect()
}

/// `11-24` under a day's bar.
fn day_tick(period: &str) -> String {
    period.get(5..).unwrap_or(period).to_owned()
}

fn dashboard_body(l: Lang, d: &Dashboard) -> Markup {
    let q = &d.queue;
    let r = &d.reports;
    let on_time = if r.resolved > 0 {
        format!("{:.0}%", 100.0 * r.on_time as f64 / r.resolved as f64)
    } else {
        "—".to_owned()
    };
    let (ages, oldest) = (queue_age(l, &d.queue), d.queue.oldest_minutes);
    let actions: Vec<(String, u64)> = d
        .actions
        .iter()
        .filter(|(k, _)| is_governance_action(k))
        .map(|(k, v)| (action_name(l, k), *v))
        .collect();
    let handled: Vec<(String, u64)> = vec![
        (l.t("按时办结", "on time").to_owned(), r.on_time),
        (
            l.t("超时办结", "late").to_owned(),
            r.resolved.saturating_sub(r.on_time),
        ),
        (l.t("超时未办", "open, overdue").to_owned(), r.overdue_open),
    ];
    let appeals: Vec<(String, u64)> = d
        .appeals
        .iter()
        .map(|(k, v)| (outcome_name(l, k), *v))
        .collect();
    let days = d.days.len();
    html! {
        section.cards {
            div.card { b #queue-depth { (q.open) } span { (l.t("队列中待审", "items in the queue")) } }
            div.card { b #queue-oldest { (oldest.map_or_else(|| "—".to_owned(), |m| minutes(l, m))) } span { (l.t("最久等待", "longest wait")) } }
            div.card { b { (q.overdue) } span { (l.t("已超时", "past their deadline")) } }
            div.card { b { (q.low_lane) } span { (l.t("低优先通道", "in the low lane")) } }
            div.card { b { (on_time) } span { (l.t("举报按时办结率", "reports handled on time")) } }
            div.card {
                b { (r.median_minutes.map_or_else(|| "—".to_owned(), |m| minutes(l, m))) " / " (minutes(l, r.deadline_minutes)) }
                span { (l.t("举报处理用时中位数 / 时限", "median report handling / deadline")) }
            }
        }
        h2 { (l.t("队列等待时长", "How long the queue has waited")) }
        (svg::hbars_in_order(l.t("队列等待时长", "Queue age"), &ages))
        h2 #categories {
            (match l {
                Lang::Zh => format!("近 {days} 天每日送审量（按违规类别）"),
                Lang::En => format!("Submissions per day over {days} days, by category"),
            })
        }
        (per_period_chart(l.t("每日送审量", "Submissions per day"), &d.days, |d| &d.by_category, |c| category_name(l, c), day_tick))
        h2 { (l.t("每日处置结果", "Decisions per day")) }
        (per_period_chart(l.t("每日处置结果", "Decisions per day"), &d.days, |d| &d.by_decision, |c| decision_name(l, c), day_tick))
        h2 #governance { (l.t("治理操作（按类型）", "Governance actions, by type")) }
        @if actions.is_empty() {
            p.muted { (l.t("期间内没有治理操作。", "No governance actions in the period.")) }
        } @else {
            (svg::hbars(l.t("治理操作", "Governance actions"), &actions))
        }
        h2 { (l.t("举报处理与时限", "Report handling against the deadline")) }
        (svg::hbars_in_order(l.t("举报处理", "Report handling"), &handled))
        p.muted {
            (l.t("时限", "deadline")) ": " (minutes(l, r.deadline_minutes)) " · p90 "
            (r.p90_minutes.map_or_else(|| "—".to_owned(), |m| minutes(l, m)))
        }
        @if !appeals.is_empty() {
            h2 { (l.t("申诉结果", "Appeal outcomes")) }
            (svg::hbars(l.t("申诉结果", "Appeal outcomes"), &appeals))
        }
    }
}

pub(crate) async fn dashboard(
    State(s): State<AppState>,
    Console(v): Console,
    Query(q): Query<DashQuery>,
) -> Response {
    let days = q.days.unwrap_or(14);
    let d = match run(&s, &v, move |g, p, now| g.dashboard(p, days, now)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let body = dashboard_body(v.lang, &d);
    html_page(&v, v.t("概览", "Dashboard"), "dashboard", body)
}
