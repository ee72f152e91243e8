//! Roles and what each may do (OPS-1). One table, tested as a matrix.

use serde::{Deserialize, Serialize};

/// Operator roles. Every API call is attributed to a principal holding one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The platform's own back end calling the API.
    Service,
    Moderator,
    /// 内容安全负责人: the content-security lead.
    Lead,
    /// Read-only access to records.
    Auditor,
    /// Operates the deployment: tokens, policy.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Service,
        Role::Moderator,
        Role::Lead,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Service => "service",
            Role::Moderator => "moderator",
            Role::Lead => "lead",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Things a principal may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Stateless verdicts.
    Scan,
    /// Submit content for review and enforcement.
    SubmitContent,
    /// Create users, verify identities, open accounts, create and join groups.
    ManageSubjects,
    /// Read users, accounts, groups (identity masked).
    ReadSubjects,
    /// See an identity in clear text (audited).
    RevealIdentity,
    /// Read, verify and export the audit trail.
    ReadAudit,
    /// Change policy and lexicons.
    ChangePolicy,
    /// Create and revoke tokens.
    ManageTokens,
    /// Confirm a violation or a false positive to the deployment's model (REV-9).
    Learn,
    /// Read the texts the model learned: users' messages people confirmed, for those who
    /// teach the model or audit it (the counts need only `ReadSubjects`).
    ReadLearned,
    /// File reports and appeals on behalf of the platform's users (CMP-1, CMP-2).
    FileCases,
    /// Read reports, appeals and the review queue.
    ReadCases,
    /// Claim and decide queue items, resolve reports, decide appeals.
    Moderate,
    /// Assign work to others and reopen resolved reports.
    Supervise,
    /// Create known-bad image lists and add or remove their entries (REV-10): what every
    /// picture is blocked for, so the content-security lead's and the operator's. A
    /// moderator adds a picture only through a decision on it ("remove and block similar").
    ManageImageLists,
    /// See the known-bad image lists and their entries.
    ReadImageLists,
}

impl Permission {
    /// What the permission allows, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Scan => "scan text",
            Permission::SubmitContent => "submit content",
            Permission::ManageSubjects => "create or change users, identities, accounts and groups",
            Permission::ReadSubjects => "read users, accounts and groups",
            Permission::RevealIdentity => "reveal identities",
            Permission::ReadAudit => "read the audit trail",
            Permission::ChangePolicy => "change policy or lexicons",
            Permission::ManageTokens => "manage tokens",
            Permission::Learn => "teach the model",
            Permission::ReadLearned => "read the texts the model learned",
            Permission::FileCases => "file reports or appeals",
            Permission::ReadCases => "read reports, appeals and the review queue",
            Permission::Moderate => "decide review items, reports or appeals",
            Permission::Supervise => "assign or reopen cases",
            Permission::ManageImageLists => "change known-bad image lists",
            Permission::ReadImageLists => "read known-bad image lists",
        }
    }
}

/// The permission matrix.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Service => matches!(
            permission,
            Scan | SubmitContent | ManageSubjects | ReadSubjects | FileCases | ReadCases
        ),
        Role::Moderator => matches!(
            permission,
            Scan | ReadSubjects | Learn | ReadLearned | ReadCases | Moderate | ReadImageLists
        ),
        Role::Lead => matches!(
            permission,
            Scan | ReadSubjects
                | RevealIdentity
                | ReadAudit
                | ChangePolicy
                | Learn
                | ReadLearned
                | ReadCases
                | Moderate
                | Supervise
                | ManageImageLists
                | ReadImageLists
        ),
        Role::Auditor => matches!(
            permission,
            ReadSubjects | ReadAudit | ReadLearned | ReadCases | ReadImageLists
        ),
        Role::Admin => matches!(
            permission,
            Scan | ReadSubjects
                | ReadAudit
                | ChangePolicy
                | ManageTokens
                | Learn
                | ReadLearned
                | ReadCases
                | ManageImageLists
                | ReadImageLists
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn permission_matrix() {
        // (permission, [service, moderator, lead, auditor, admin])
        let matrix = [
            (Scan, [true, true, true, false, true]),
            (SubmitContent, [true, false, false, false, false]),
            (ManageSubjects, [true, false, false, false, false]),
            (ReadSubjects, [true, true, true, true, true]),
            (RevealIdentity, [false, false, true, false, false]),
            (ReadAudit, [false, false, true, true, true]),
            (ChangePolicy, [false, false, true, false, true]),
            (ManageTokens, [false, false, false, false, true]),
            (Learn, [false, true, true, false, true]),
            (ReadLearned, [false, true, true, true, true]),
            (FileCases, [true, false, false, false, false]),
            (ReadCases, [true, true, true, true, true]),
            (Moderate, [false, true, true, false, false]),
            (Supervise, [false, false, true, false, false]),
            (ManageImageLists, [false, false, true, false, true]),
            (ReadImageLists, [false, true, true, true, true]),
        ];
        for (permission, row) in matrix {
            for (role, want) in Role::ALL.into_iter().zip(row) {
                assert_eq!(allows(role, permission), want, "{role:?} {permission:?}");
            }
        }
    }
}
