//! The access policy: who may do what to which record. One pure function per question, called by
//! the use cases (`crate::app`) and never by a handler; tested as a table below.

use uuid::Uuid;

use super::instance::InstanceRole;
use super::person::Person;
use super::referral::{ReferralStatus, Target};
use super::role::Role;
use super::user::User;

/// Roles that work with personal records at the desk.
pub const DESK_ROLES: [Role; 3] = [Role::Operatore, Role::AssistenteSociale, Role::Responsabile];

/// Roles that read (and write) reserved notes, and work the district's inbox.
pub const SOCIAL_WORK_ROLES: [Role; 2] = [Role::AssistenteSociale, Role::Responsabile];

/// The acting user as the policy sees them: who, with which roles, on which kind of instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    /// `None` before the first setup.
    pub mode: Option<InstanceRole>,
}

impl Actor {
    pub fn of(user: &User, mode: Option<InstanceRole>) -> Actor {
        Actor {
            id: user.id,
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            roles: user.roles.clone(),
            mode,
        }
    }

    /// The command line: the person at the PC that runs Sportello, with every role.
    pub fn command_line(mode: Option<InstanceRole>) -> Actor {
        Actor {
            id: Uuid::nil(),
            username: super::user::SYSTEM_USERNAME.into(),
            full_name: "Riga di comando".into(),
            roles: Role::ALL.to_vec(),
            mode,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

/// Why the policy said no. The Italian text is what the user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// The page or endpoint belongs to the other kind of instance (answered as "not found").
    #[error("{0}")]
    WrongMode(&'static str),
    #[error("{0}")]
    Role(&'static str),
    /// Art. 18: the person's processing is restricted.
    #[error("{}", super::privacy::RESTRICTED)]
    Restricted,
    #[error("Nessuno può cambiare i propri ruoli: lo faccia un altro amministratore.")]
    OwnRoles,
    /// The record was merged into another: work goes to the one kept.
    #[error(
        "Questa scheda è stata unita a un'altra della stessa persona: usare la scheda tenuta."
    )]
    Merged,
    #[error(
        "La propria password si cambia dalla pagina «Cambia password», non con un ripristino."
    )]
    OwnPasswordReset,
    #[error("{0}")]
    ReferralStep(String),
}

pub const NOT_ON_DISTRICT: &str = "Questa pagina è dello sportello comunale: su un'installazione \
     d'Ambito le persone e gli accessi non si registrano. Gli invii ricevuti sono in «Invii ricevuti» (/ambito).";
pub const NOT_ON_DESK: &str =
    "Questa pagina è dell'Ambito: su uno sportello comunale non è disponibile.";
const DESK_ROLE_NEEDED: &str =
    "Il suo profilo non consente di leggere dati personali: servono i ruoli di operatore, assistente sociale o responsabile.";
const SOCIAL_ROLE_NEEDED: &str =
    "Solo assistenti sociali e responsabile possono leggere o scrivere questi dati.";
const RESPONSABILE_NEEDED: &str = "Operazione riservata al responsabile.";
const ADMIN_NEEDED: &str = "Operazione riservata all'amministratore.";
const EXCHANGE_NEEDED: &str =
    "Lo scambio di pacchetti è riservato al responsabile e all'amministratore.";

/// Personal records of the desk (persons, accesses, agenda, referrals sent): desk roles on a desk.
pub fn desk_records(actor: &Actor) -> Result<(), Denial> {
    if actor.mode == Some(InstanceRole::District) {
        return Err(Denial::WrongMode(NOT_ON_DISTRICT));
    }
    if actor.has_any(&DESK_ROLES) {
        Ok(())
    } else {
        Err(Denial::Role(DESK_ROLE_NEEDED))
    }
}

/// The district's inbox of referrals received and its decisions: social workers on a district.
pub fn district_inbox(actor: &Actor) -> Result<(), Denial> {
    if actor.mode != Some(InstanceRole::District) {
        return Err(Denial::WrongMode(NOT_ON_DESK));
    }
    if actor.has_any(&SOCIAL_WORK_ROLES) {
        Ok(())
    } else {
        Err(Denial::Role(SOCIAL_ROLE_NEEDED))
    }
}

/// Reading the service directory: desk roles at a desk; at the district, which keeps the
/// Ambito's directory and sends it to the desks, its social-work roles.
pub fn directory(actor: &Actor) -> Result<(), Denial> {
    match actor.mode {
        Some(InstanceRole::District) => {
            if actor.has_any(&SOCIAL_WORK_ROLES) {
                Ok(())
            } else {
                Err(Denial::Role(SOCIAL_ROLE_NEEDED))
            }
        }
        _ => desk_records(actor),
    }
}

/// Referrals through the API: those sent, at a desk; those received, at a district.
pub fn referrals(actor: &Actor) -> Result<(), Denial> {
    match actor.mode {
        Some(InstanceRole::District) => district_inbox(actor),
        _ => desk_records(actor),
    }
}

/// Reserved notes of an access.
pub fn reserved_notes(actor: &Actor) -> Result<(), Denial> {
    desk_records(actor)?;
    if actor.has_any(&SOCIAL_WORK_ROLES) {
        Ok(())
    } else {
        Err(Denial::Role(SOCIAL_ROLE_NEEDED))
    }
}

/// The art. 15 report of a person: the same social-work roles, on a desk.
pub fn subject_report(actor: &Actor) -> Result<(), Denial> {
    reserved_notes(actor)
}

/// The service directory's editing, the audit log, retention: the responsabile.
pub fn responsabile(actor: &Actor) -> Result<(), Denial> {
    if actor.has(Role::Responsabile) {
        Ok(())
    } else {
        Err(Denial::Role(RESPONSABILE_NEEDED))
    }
}

/// Acknowledging an oversight notice: a responsabile other than the user it is about and the
/// one who made the change (an account cannot clear the notice of its own grant).
pub fn acknowledge_notice(actor: &Actor, about: &str, by: &str) -> Result<(), Denial> {
    responsabile(actor)?;
    if actor.username == about || actor.username == by {
        return Err(Denial::Role(
            "Questo avviso riguarda lei: deve prenderlo in visione un altro responsabile.",
        ));
    }
    Ok(())
}

/// Bundle exchange with the other side (export, import, keys): responsabile or administrator.
pub fn exchange(actor: &Actor) -> Result<(), Denial> {
    if actor.has(Role::Responsabile) || actor.has(Role::Amministratore) {
        Ok(())
    } else {
        Err(Denial::Role(EXCHANGE_NEEDED))
    }
}

/// Users, settings, backups: the administrator.
pub fn administration(actor: &Actor) -> Result<(), Denial> {
    if actor.has(Role::Amministratore) {
        Ok(())
    } else {
        Err(Denial::Role(ADMIN_NEEDED))
    }
}

/// Correcting an access: the operator who recorded it, or a responsabile.
pub fn edit_access(actor: &Actor, operator_id: Uuid) -> Result<(), Denial> {
    desk_records(actor)?;
    if actor.id == operator_id || actor.has(Role::Responsabile) {
        Ok(())
    } else {
        Err(Denial::Role(
            "Un accesso lo corregge chi lo ha registrato, oppure il responsabile.",
        ))
    }
}

/// Any change to a person's records (art. 18: a restricted person's records are kept, not used).
pub fn act_on(person: &Person) -> Result<(), Denial> {
    if person.merged_into.is_some() {
        Err(Denial::Merged)
    } else if person.is_restricted() {
        Err(Denial::Restricted)
    } else {
        Ok(())
    }
}

/// Merging two records of the same person, and undoing a merge: the desk's responsabile.
pub fn merge_persons(actor: &Actor) -> Result<(), Denial> {
    desk_records(actor)?;
    responsabile(actor)
}

/// Whether a person appears in a list (referrals, appointments, agenda, home): never when restricted.
pub fn listed(person: Option<&Person>) -> bool {
    !person.is_some_and(Person::is_restricted)
}

/// Whether a search for `query` may show `person`: a restricted person only for their exact
/// codice fiscale or temporary code typed whole, never by a name score.
pub fn search_shows(person: &Person, query: &str) -> bool {
    if !person.is_restricted() {
        return true;
    }
    let typed: String = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    person.code().is_some_and(|code| code == typed)
}

/// Changing the roles of `target`: an administrator, never on themselves.
pub fn change_roles(actor: &Actor, target: Uuid) -> Result<(), Denial> {
    administration(actor)?;
    if actor.id == target {
        return Err(Denial::OwnRoles);
    }
    Ok(())
}

/// An administrator's reset of another user's password (always temporary: see `app::administration`).
pub fn reset_password(actor: &Actor, target: Uuid) -> Result<(), Denial> {
    administration(actor)?;
    if actor.id == target {
        return Err(Denial::OwnPasswordReset);
    }
    Ok(())
}

/// Whether granting `roles` to a user who had `before` gives them access to personal data they
/// did not have, which every responsabile is told about.
pub fn grants_personal_data(before: &[Role], roles: &[Role]) -> bool {
    roles
        .iter()
        .any(|r| r.reads_personal_data() && !before.contains(r))
}

/// Which side of the exchange sets a referral's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Desk,
    District,
}

/// May `side` move a referral to `target` from `from` to `to`? The lifecycle comes first; then a
/// referral to the Servizio Sociale Professionale is answered only by the district (ricevuto,
/// accettato, respinto, chiuso), while the desk sends it and may close its own drafts. Referrals
/// to other services keep their desk-side lifecycle.
pub fn referral_step(
    side: Side,
    target: &Target,
    from: ReferralStatus,
    to: ReferralStatus,
) -> Result<(), Denial> {
    use ReferralStatus::*;
    if !from.next().contains(&to) {
        return Err(Denial::ReferralStep(format!(
            "Da «{}» non si può passare a «{}».",
            from.label(),
            to.label()
        )));
    }
    match (side, target) {
        (Side::Desk, Target::Service(_)) => Ok(()),
        (Side::Desk, Target::Ssp) => match (from, to) {
            (Bozza, Inviato) | (Bozza, Chiuso) => Ok(()),
            _ => Err(Denial::ReferralStep(format!(
                "Lo stato «{}» di un invio al Servizio Sociale Professionale lo decide l'Ambito: \
                 arriverà con il prossimo pacchetto di ritorno.",
                to.label()
            ))),
        },
        (Side::District, Target::Ssp) => match to {
            Ricevuto | Accettato | Respinto | Chiuso => Ok(()),
            _ => Err(Denial::ReferralStep(format!(
                "L'Ambito non può portare un invio a «{}».",
                to.label()
            ))),
        },
        (Side::District, Target::Service(_)) => Err(Denial::ReferralStep(
            "L'Ambito risponde solo agli invii al Servizio Sociale Professionale.".into(),
        )),
    }
}

/// Retention: the approval of a discard list by `approver` for a proposal made by `proposer`.
/// Two different responsabili where the desk has two; where it has one, that person may do both
/// after an explicit confirmation (recorded).
pub fn approve_retention(
    approver: &Actor,
    proposer: &str,
    responsabili: usize,
    confirmed_alone: bool,
) -> Result<(), Denial> {
    responsabile(approver)?;
    if approver.username != proposer {
        return Ok(());
    }
    if responsabili > 1 {
        return Err(Denial::Role(
            "La proposta di scarto va approvata da un responsabile diverso da chi l'ha fatta.",
        ));
    }
    if confirmed_alone {
        Ok(())
    } else {
        Err(Denial::Role(
            "Lo sportello ha un solo responsabile: confermare esplicitamente che proposta e approvazione sono della stessa persona.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::referral::ReferralStatus::*;

    fn actor(roles: &[Role], mode: InstanceRole) -> Actor {
        Actor {
            id: Uuid::now_v7(),
            username: "u".into(),
            full_name: "U".into(),
            roles: roles.to_vec(),
            mode: Some(mode),
        }
    }

    #[test]
    fn who_reads_what_where() {
        use InstanceRole::{Desk, District};
        use Role::*;
        // (roles, mode, desk records, reserved notes, district inbox)
        let table: [(&[Role], InstanceRole, bool, bool, bool); 10] = [
            (&[Operatore], Desk, true, false, false),
            (&[AssistenteSociale], Desk, true, true, false),
            (&[Responsabile], Desk, true, true, false),
            (&[Amministratore], Desk, false, false, false),
            (&[Amministratore, Operatore], Desk, true, false, false),
            (&[Operatore], District, false, false, false),
            (&[AssistenteSociale], District, false, false, true),
            (&[Responsabile], District, false, false, true),
            (&[Amministratore], District, false, false, false),
            (&[Operatore, Responsabile], District, false, false, true),
        ];
        for (roles, mode, desk, reserved, inbox) in table {
            let a = actor(roles, mode);
            assert_eq!(desk_records(&a).is_ok(), desk, "{roles:?} {mode:?} desk");
            assert_eq!(reserved_notes(&a).is_ok(), reserved, "{roles:?} reserved");
            assert_eq!(district_inbox(&a).is_ok(), inbox, "{roles:?} inbox");
        }
        assert!(matches!(
            desk_records(&actor(&[Operatore], District)),
            Err(Denial::WrongMode(_))
        ));
    }

    #[test]
    fn nobody_changes_their_own_roles_or_resets_their_own_password() {
        let admin = actor(&[Role::Amministratore], InstanceRole::Desk);
        assert_eq!(change_roles(&admin, admin.id), Err(Denial::OwnRoles));
        assert!(change_roles(&admin, Uuid::now_v7()).is_ok());
        assert_eq!(
            reset_password(&admin, admin.id),
            Err(Denial::OwnPasswordReset)
        );
        let op = actor(&[Role::Operatore], InstanceRole::Desk);
        assert!(change_roles(&op, Uuid::now_v7()).is_err());
        assert!(grants_personal_data(
            &[Role::Amministratore],
            &[Role::Amministratore, Role::Operatore]
        ));
        assert!(!grants_personal_data(
            &[Role::Operatore],
            &[Role::Operatore, Role::Amministratore]
        ));
    }

    #[test]
    fn referral_steps_by_side_and_target() {
        let service = Target::Service(Uuid::now_v7());
        let ssp = Target::Ssp;
        // (side, target, from, to, allowed)
        let table = [
            (Side::Desk, &ssp, Bozza, Inviato, true),
            (Side::Desk, &ssp, Bozza, Chiuso, true),
            (Side::Desk, &ssp, Inviato, Ricevuto, false),
            (Side::Desk, &ssp, Ricevuto, Accettato, false),
            (Side::Desk, &ssp, Inviato, Chiuso, false),
            (Side::Desk, &service, Inviato, Ricevuto, true),
            (Side::Desk, &service, Ricevuto, Accettato, true),
            (Side::Desk, &service, Bozza, Accettato, false),
            (Side::District, &ssp, Inviato, Ricevuto, true),
            (Side::District, &ssp, Ricevuto, Respinto, true),
            (Side::District, &ssp, Accettato, Chiuso, true),
            (Side::District, &ssp, Bozza, Inviato, false),
            (Side::District, &service, Inviato, Ricevuto, false),
        ];
        for (side, target, from, to, allowed) in table {
            assert_eq!(
                referral_step(side, target, from, to).is_ok(),
                allowed,
                "{side:?} {target:?} {from:?}→{to:?}"
            );
        }
    }

    #[test]
    fn retention_needs_a_second_responsabile_or_an_explicit_confirmation() {
        let mut r = actor(&[Role::Responsabile], InstanceRole::Desk);
        r.username = "anna".into();
        assert!(approve_retention(&r, "bruno", 2, false).is_ok());
        assert!(approve_retention(&r, "anna", 2, true).is_err());
        assert!(approve_retention(&r, "anna", 1, false).is_err());
        assert!(approve_retention(&r, "anna", 1, true).is_ok());
        let op = actor(&[Role::Operatore], InstanceRole::Desk);
        assert!(approve_retention(&op, "bruno", 2, true).is_err());
    }
}
