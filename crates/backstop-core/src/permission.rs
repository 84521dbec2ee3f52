//! What each role may do: one matrix of roles × permissions, read by the engine's one check
//! (`Engine::permit`) before an action. A new role or permission is a change here, nowhere else.

use crate::directory::AgentRole;

/// Something only some roles may do. (Working conversations — taking, replying, transferring
/// one's own — is every agent's job and needs none.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Change the knowledge base, review people's answers, train understanding, replay drafts,
    /// read the knowledge gaps: the AI trainer's work.
    TrainAi,
    /// Watch the floor: missed first-reply targets, ratings flagged for review; reassign others'
    /// conversations.
    Supervise,
    /// Change the escalation policy.
    EditPolicy,
    /// Manage agents' accounts, the widget secret and the generative model's settings and key.
    ManageAccounts,
    /// Read the reports: outcomes, hand-overs, response times, ratings, cost and savings.
    ReadReports,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::TrainAi,
        Permission::Supervise,
        Permission::EditPolicy,
        Permission::ManageAccounts,
        Permission::ReadReports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::TrainAi => "train_ai",
            Permission::Supervise => "supervise",
            Permission::EditPolicy => "edit_policy",
            Permission::ManageAccounts => "manage_accounts",
            Permission::ReadReports => "read_reports",
        }
    }

    /// Who may, in words, for a refusal: "only supervisors and admins train the AI".
    pub fn refusal(self) -> &'static str {
        match self {
            Permission::TrainAi => "only supervisors and admins train the AI and change the knowledge base",
            Permission::Supervise => "only supervisors and admins supervise the floor",
            Permission::EditPolicy => "only admins change the escalation policy",
            Permission::ManageAccounts => "only admins manage accounts and the widget secret",
            Permission::ReadReports => "only supervisors and admins read the reports",
        }
    }
}

impl AgentRole {
    /// Whether this role holds `p`.
    pub fn may(self, p: Permission) -> bool {
        match (self, p) {
            (AgentRole::Admin, _) => true,
            (AgentRole::Supervisor, Permission::TrainAi | Permission::Supervise | Permission::ReadReports) => true,
            (AgentRole::Supervisor, Permission::EditPolicy | Permission::ManageAccounts) => false,
            (AgentRole::Agent, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix() {
        let may = |r: AgentRole| -> Vec<&str> {
            Permission::ALL
                .iter()
                .filter(|p| r.may(**p))
                .map(|p| p.as_str())
                .collect()
        };
        assert_eq!(may(AgentRole::Agent), Vec::<&str>::new());
        assert_eq!(may(AgentRole::Supervisor), ["train_ai", "supervise", "read_reports"]);
        assert_eq!(
            may(AgentRole::Admin),
            [
                "train_ai",
                "supervise",
                "edit_policy",
                "manage_accounts",
                "read_reports"
            ]
        );
    }
}
