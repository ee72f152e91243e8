//! Credit arithmetic (CR-1): violations lower the score at once; time in good standing
//! raises it slowly, never above the starting score.

use crate::model::{Timestamp, User};
use crate::policy::CreditPolicy;

/// The score a user has at `now`: the stored score plus recovery earned since it was written.
pub fn effective(policy: &CreditPolicy, user: &User, now: Timestamp) -> i32 {
    effective_score(policy, user.credit, user.credit_at, now)
}

pub fn effective_score(
    policy: &CreditPolicy,
    score: i32,
    written_at: Timestamp,
    now: Timestamp,
) -> i32 {
    if score >= policy.initial {
        return score.min(policy.max);
    }
    let elapsed_days = (now.0 - written_at.0).max(0) / Timestamp::DAY_MS;
    let periods = elapsed_days / i64::from(policy.recovery_days);
    let recovered = i64::from(score) + periods * i64::from(policy.recovery_delta);
    recovered.min(i64::from(policy.initial)) as i32
}

/// Applies a change, clamped to the policy's scale.
pub fn apply(policy: &CreditPolicy, score: i32, delta: i32) -> i32 {
    score.saturating_add(delta).clamp(policy.min, policy.max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::LoadedPolicy;

    #[test]
    fn violations_lower_and_time_restores_up_to_the_start() {
        let p = LoadedPolicy::default_policy().policy.credit;
        let t0 = Timestamp(0);
        assert_eq!(apply(&p, 100, p.violation_delta), 90);
        assert_eq!(apply(&p, 5, -10), 0, "clamped at min");
        assert_eq!(apply(&p, 99, 10), 100, "clamped at max");
        // 30-day periods of +2.
        assert_eq!(effective_score(&p, 80, t0, t0.plus_days(29)), 80);
        assert_eq!(effective_score(&p, 80, t0, t0.plus_days(30)), 82);
        assert_eq!(effective_score(&p, 80, t0, t0.plus_days(95)), 86);
        assert_eq!(
            effective_score(&p, 80, t0, t0.plus_days(10_000)),
            100,
            "never above initial"
        );
        assert_eq!(
            effective_score(&p, 80, t0.plus_days(5), t0),
            80,
            "clock skew is not recovery"
        );
    }
}
