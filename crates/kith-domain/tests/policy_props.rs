//! The policy checked against a reference model over random clinics, users, assignments and
//! supervision links (security-bar AC-3: at least 10 000 generated cases, 0 disagreements).

use kith_domain::identity::{Actor, Role};
use kith_domain::ids::{ClientId, ClinicId, UserId};
use kith_domain::policy::{Action, ClientFacts, Resource, can};
use proptest::prelude::*;
use std::collections::BTreeSet;
use uuid::Uuid;

/// How an actor stands towards a client, as the reference model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    OtherClinic,
    Unrelated,
    Assigned,
    Supervises,
    AssignedAndSupervises,
    PortalSelf,
}

/// The reference model: the rules of AC-3 written out as a table of allowed triples.
fn allowed_table() -> BTreeSet<(Role, Relation, Action)> {
    use Action::*;
    use Relation::*;
    use Role::*;
    let mut t = BTreeSet::new();
    let any_rel = [
        Unrelated,
        Assigned,
        Supervises,
        AssignedAndSupervises,
        PortalSelf,
    ];
    for rel in any_rel {
        t.insert((ClinicAdmin, rel, ViewClient));
        t.insert((ClinicAdmin, rel, EditClient));
    }
    for (role, rel) in [
        (Clinician, Assigned),
        (Clinician, AssignedAndSupervises),
        (Supervisor, Assigned),
        (Supervisor, AssignedAndSupervises),
    ] {
        for a in [
            ViewClient,
            ViewClinical,
            WriteClinical,
            ExportRecord,
            AcknowledgeAlert,
            ProcessNote,
        ] {
            t.insert((role, rel, a));
        }
    }
    t.insert((Clinician, Assigned, EditClient));
    t.insert((Clinician, AssignedAndSupervises, EditClient));
    for rel in [Supervises, AssignedAndSupervises] {
        for a in [
            ViewClient,
            ViewClinical,
            ExportRecord,
            AcknowledgeAlert,
            SignOffNote,
        ] {
            t.insert((Supervisor, rel, a));
        }
    }
    t.insert((Client, PortalSelf, ViewClient));
    t.insert((Client, PortalSelf, UsePortal));
    t
}

fn model(role: Role, mfa: bool, rel: Relation, action: Action) -> bool {
    if matches!(action, Action::OwnAccount | Action::ViewReference) {
        return true;
    }
    if role.is_staff() && !mfa {
        return false;
    }
    if rel == Relation::OtherClinic {
        return false;
    }
    allowed_table().contains(&(role, rel, action))
}

#[derive(Debug, Clone)]
struct World {
    /// (clinic index, role, has second factor) per user.
    users: Vec<(usize, Role, bool)>,
    /// (clinic index, assigned user indexes, portal user index) per client.
    clients: Vec<(usize, Vec<usize>, Option<usize>)>,
    /// (supervisor index, clinician index) pairs.
    supervision: Vec<(usize, usize)>,
}

fn role_strategy() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::ClinicAdmin),
        Just(Role::Clinician),
        Just(Role::Supervisor),
        Just(Role::Client)
    ]
}

fn world() -> impl Strategy<Value = World> {
    prop::collection::vec(
        (0usize..2, role_strategy(), prop::bool::weighted(0.85)),
        2..9,
    )
    .prop_flat_map(|users| {
        let n = users.len();
        let clients = prop::collection::vec(
            (
                0usize..2,
                prop::collection::vec(0..n, 0..3),
                prop::option::of(0..n),
            ),
            1..5,
        );
        let supervision = prop::collection::vec((0..n, 0..n), 0..6);
        (Just(users), clients, supervision).prop_map(|(users, clients, supervision)| World {
            users,
            clients,
            supervision,
        })
    })
}

fn uid(i: usize) -> UserId {
    UserId(Uuid::from_u128(1000 + i as u128))
}

fn clinic(i: usize) -> ClinicId {
    ClinicId(Uuid::from_u128(1 + i as u128))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn policy_agrees_with_the_reference_model(w in world()) {
        // Only clinicians and supervisors of the client's clinic can be assigned; only clients can be
        // portal users; supervision links only between a supervisor and a clinician or supervisor.
        let staff_in = |u: usize, c: usize| w.users[u].0 == c && matches!(w.users[u].1, Role::Clinician | Role::Supervisor);
        let mut checked = 0usize;
        for (ci, (cclinic, assigned, portal)) in w.clients.iter().enumerate() {
            let assigned: Vec<usize> = assigned.iter().copied().filter(|u| staff_in(*u, *cclinic)).collect();
            let portal = portal.filter(|u| w.users[*u].0 == *cclinic && w.users[*u].1 == Role::Client);
            let supervisors: Vec<usize> = w
                .supervision
                .iter()
                .filter(|(s, c)| w.users[*s].1 == Role::Supervisor && w.users[*s].0 == *cclinic && assigned.contains(c))
                .map(|(s, _)| *s)
                .collect();
            let facts = ClientFacts {
                clinic: clinic(*cclinic),
                client: ClientId(Uuid::from_u128(50_000 + ci as u128)),
                clinicians: assigned.iter().map(|u| uid(*u)).collect(),
                supervisors: supervisors.iter().map(|u| uid(*u)).collect(),
                portal_user: portal.map(uid),
            };
            for (ui, (uclinic, role, mfa)) in w.users.iter().enumerate() {
                let rel = if uclinic != cclinic {
                    Relation::OtherClinic
                } else if portal == Some(ui) {
                    Relation::PortalSelf
                } else {
                    match (assigned.contains(&ui), supervisors.contains(&ui)) {
                        (true, true) => Relation::AssignedAndSupervises,
                        (true, false) => Relation::Assigned,
                        (false, true) => Relation::Supervises,
                        (false, false) => Relation::Unrelated,
                    }
                };
                let actor = Actor { user: uid(ui), membership: Some((clinic(*uclinic), *role)), operator: false, second_factor: *mfa };
                for action in Action::ALL.into_iter().filter(|a| a.is_about_a_client()) {
                    let resource = if action == Action::ProcessNote {
                        Resource::ProcessNote { client: &facts, author: uid(ui) }
                    } else {
                        Resource::Client(&facts)
                    };
                    let got = can(&actor, action, resource).is_ok();
                    let want = model(*role, *mfa, rel, action);
                    prop_assert_eq!(got, want, "user {} ({:?}, mfa {}) {:?} client {} via {:?}", ui, role, mfa, action, ci, rel);
                    checked += 1;
                }
            }
        }
        prop_assert!(checked > 0);
    }

    #[test]
    fn another_authors_process_note_is_never_visible(author in 0usize..5, reader in 0usize..5, role in role_strategy()) {
        prop_assume!(author != reader);
        let facts = ClientFacts {
            clinic: clinic(0),
            client: ClientId(Uuid::from_u128(7)),
            clinicians: vec![uid(author), uid(reader)],
            supervisors: vec![uid(reader)],
            portal_user: Some(uid(reader)),
        };
        let actor = Actor { user: uid(reader), membership: Some((clinic(0), role)), operator: false, second_factor: true };
        let note = Resource::ProcessNote { client: &facts, author: uid(author) };
        let decision = can(&actor, Action::ProcessNote, note);
        prop_assert!(decision.is_err());
    }
}

#[test]
fn operator_sees_no_clinical_data() {
    let facts = ClientFacts {
        clinic: clinic(0),
        client: ClientId(Uuid::from_u128(7)),
        clinicians: vec![],
        supervisors: vec![],
        portal_user: None,
    };
    let op = Actor {
        user: uid(1),
        membership: None,
        operator: true,
        second_factor: true,
    };
    assert!(can(&op, Action::OperateServer, Resource::Nothing).is_ok());
    for action in Action::ALL.into_iter().filter(|a| a.is_about_a_client()) {
        assert!(
            can(&op, action, Resource::Client(&facts)).is_err(),
            "{action:?}"
        );
    }
}
