//! The interpersonal inventory (people, snapshots, comparing snapshots) and the timeline (life
//! events, onset, mood).

use super::{Problems, SHORT_TEXT_MAX};
use crate::{App, AppError, AppResult, Ctx};
use kith_domain::audit::AuditAction;
use kith_domain::ids::{ClientId, CourseId};
use kith_domain::inventory::{ConflictFrequency, Inventory, Person, PersonStatus, Ring, Score10};
use kith_domain::policy::Action;
use kith_domain::timeline::{LifeEvent, MoodEntry, MoodEpisode, Onset, Timeline};
use kith_store::{
    CourseRef, Idempotency, InventoryNotes, InventorySnapshot, NewSnapshot, Record, SnapshotLabel,
    StoredTimeline, TimelineEntry, Written,
};
use serde::Serialize;
use uuid::Uuid;

/// Longest display name of a person in the inventory.
pub const PERSON_NAME_MAX: usize = 100;

/// The domain inventory made of the current (not removed) people.
pub(crate) fn domain_inventory(people: &[Record<Person>]) -> Inventory {
    Inventory {
        people: people
            .iter()
            .filter(|r| r.removed_at.is_none())
            .map(|r| r.value.clone())
            .collect(),
        ..Inventory::default()
    }
}

/// The domain timeline made of the current entries.
pub(crate) fn domain_timeline(t: &StoredTimeline) -> Timeline {
    let mut tl = Timeline {
        onset: t.onset.clone(),
        ..Timeline::default()
    };
    for e in t.entries.iter().filter(|e| e.removed_at.is_none()) {
        match &e.value {
            TimelineEntry::Event(ev) => tl.events.push(ev.clone()),
            TimelineEntry::Mood(m) => tl.mood.push(m.clone()),
            TimelineEntry::Episode(ep) => tl.episodes.push(ep.clone()),
        }
    }
    tl
}

fn check_person(p: &mut Problems, person: &Person) {
    p.required("display_name", &person.display_name, PERSON_NAME_MAX);
    for (field, value) in [
        ("time_together", &person.time_together),
        ("what_they_are_like", &person.what_they_are_like),
        ("what_i_like", &person.what_i_like),
        ("what_i_dislike", &person.what_i_dislike),
        ("topics_i_can_talk_about", &person.topics_i_can_talk_about),
        (
            "topics_i_cannot_talk_about",
            &person.topics_i_cannot_talk_about,
        ),
        ("conflict.what_happens", &person.conflict.what_happens),
        ("expectations.mine", &person.expectations.mine),
        ("expectations.theirs", &person.expectations.theirs),
        ("changes_wanted", &person.changes_wanted),
        (
            "change_around_onset.description",
            &person.change_around_onset.description,
        ),
        ("past_pattern", &person.past_pattern),
        ("notes", &person.notes),
    ] {
        p.text(field, value, SHORT_TEXT_MAX);
    }
    for (i, f) in person.feelings.iter().enumerate() {
        p.required(&format!("feelings[{i}]"), f, 60);
    }
    if person.angle.is_some_and(|a| a >= 360) {
        p.push("angle", "field-out-of-range");
    }
}

fn check_event(p: &mut Problems, e: &LifeEvent, people: &[Record<Person>]) {
    p.text("description", &e.description, SHORT_TEXT_MAX);
    for (i, who) in e.people.iter().enumerate() {
        if !people.iter().any(|r| r.id == *who) {
            p.push(format!("people[{i}]"), "person-unknown");
        }
    }
}

fn check_episode(p: &mut Problems, e: &MoodEpisode) {
    p.text("severity", &e.severity, SHORT_TEXT_MAX);
    p.text("treatment", &e.treatment, SHORT_TEXT_MAX);
    if e.end.is_some_and(|end| end < e.start) {
        p.push("end", "end-before-start");
    }
}

/// How a person's place on the closeness circle changed between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RingMove {
    /// Nearer the centre.
    MovedIn,
    /// Further from the centre.
    MovedOut,
    /// Placed on the circle for the first time.
    Placed,
    /// Taken off the circle.
    Unplaced,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    pub person: Uuid,
    pub display_name: String,
}

/// What changed for one person present in both snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonChange {
    pub person: Uuid,
    pub display_name: String,
    pub ring: Option<(Option<Ring>, Option<Ring>, RingMove)>,
    pub support: Option<(Option<Score10>, Option<Score10>)>,
    pub conflict: Option<(Option<ConflictFrequency>, Option<ConflictFrequency>)>,
    pub status: Option<(PersonStatus, PersonStatus)>,
}

/// The difference between two inventories (e.g. intake and termination snapshots).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InventoryDiff {
    /// People in the later inventory only.
    pub joined: Vec<PersonRef>,
    /// People in the earlier inventory only.
    pub left: Vec<PersonRef>,
    /// People in both whose ring, support, conflict or status changed.
    pub changed: Vec<PersonChange>,
}

impl InventoryDiff {
    pub fn is_empty(&self) -> bool {
        self.joined.is_empty() && self.left.is_empty() && self.changed.is_empty()
    }

    /// People who moved nearer the centre.
    pub fn moved_in(&self) -> impl Iterator<Item = &PersonChange> {
        self.changed
            .iter()
            .filter(|c| matches!(c.ring, Some((_, _, RingMove::MovedIn))))
    }

    /// People who moved further out.
    pub fn moved_out(&self) -> impl Iterator<Item = &PersonChange> {
        self.changed
            .iter()
            .filter(|c| matches!(c.ring, Some((_, _, RingMove::MovedOut))))
    }
}

/// Compares two inventories person by person (people are matched by id).
pub fn diff_inventories(before: &Inventory, after: &Inventory) -> InventoryDiff {
    let r = |p: &Person| PersonRef {
        person: p.id,
        display_name: p.display_name.clone(),
    };
    let mut d = InventoryDiff::default();
    for a in &after.people {
        let Some(b) = before.person(a.id) else {
            d.joined.push(r(a));
            continue;
        };
        let ring = match (b.ring, a.ring) {
            (x, y) if x == y => None,
            (None, Some(y)) => Some((None, Some(y), RingMove::Placed)),
            (Some(x), None) => Some((Some(x), None, RingMove::Unplaced)),
            (Some(x), Some(y)) if y < x => Some((Some(x), Some(y), RingMove::MovedIn)),
            (x, y) => Some((x, y, RingMove::MovedOut)),
        };
        let support =
            (b.support.rating != a.support.rating).then_some((b.support.rating, a.support.rating));
        let conflict = (b.conflict.frequency != a.conflict.frequency)
            .then_some((b.conflict.frequency, a.conflict.frequency));
        let status = (b.status != a.status).then_some((b.status, a.status));
        if ring.is_some() || support.is_some() || conflict.is_some() || status.is_some() {
            d.changed.push(PersonChange {
                person: a.id,
                display_name: a.display_name.clone(),
                ring,
                support,
                conflict,
                status,
            });
        }
    }
    for b in &before.people {
        if after.person(b.id).is_none() {
            d.left.push(r(b));
        }
    }
    d
}

impl App {
    /// Adds a person to a client's inventory (a new id is given; the one in `person` is
    /// ignored).
    pub async fn add_person(
        &self,
        ctx: &Ctx,
        client: ClientId,
        person: &Person,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<Uuid>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        check_person(&mut p, person);
        p.finish()?;
        let mut person = person.clone();
        person.id = Uuid::now_v7();
        person.display_name = person.display_name.trim().to_string();
        let e = ctx.event(
            AuditAction::Create,
            "inventory_person",
            Some(person.id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .add_person(
                facts.clinic,
                client,
                &person,
                ctx.user.id,
                self.now(),
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    /// Edits a person of the inventory at the version the editor loaded.
    pub async fn update_person(
        &self,
        ctx: &Ctx,
        client: ClientId,
        person: &Person,
        version: i64,
    ) -> AppResult<Record<Person>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        check_person(&mut p, person);
        p.finish()?;
        let e = ctx.event(
            AuditAction::Update,
            "inventory_person",
            Some(person.id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .update_person(facts.clinic, client, person, version, self.now(), &[e])
            .await?)
    }

    /// Takes a person off the inventory (kept for history and in earlier snapshots).
    pub async fn remove_person(
        &self,
        ctx: &Ctx,
        client: ClientId,
        person: Uuid,
        version: i64,
    ) -> AppResult<()> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let e = ctx.event(
            AuditAction::Delete,
            "inventory_person",
            Some(person.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .remove_person(facts.clinic, client, person, version, self.now(), &[e])
            .await?)
    }

    /// The client's current inventory.
    pub async fn inventory(&self, ctx: &Ctx, client: ClientId) -> AppResult<Vec<Record<Person>>> {
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let e = ctx.event(AuditAction::Read, "inventory", None, Some(client));
        Ok(self.store.people(facts.clinic, client, false, &[e]).await?)
    }

    /// The notes about the inventory as a whole, with their version (0 before the first save).
    pub async fn inventory_notes(
        &self,
        ctx: &Ctx,
        client: ClientId,
    ) -> AppResult<(InventoryNotes, i64)> {
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let e = ctx.event(AuditAction::Read, "inventory_notes", None, Some(client));
        Ok(self
            .store
            .inventory_notes(facts.clinic, client, &[e])
            .await?)
    }

    /// Saves the clinician's summary of the inventory, who seems to be missing from it, and when
    /// it was completed. Returns the new version.
    pub async fn save_inventory_notes(
        &self,
        ctx: &Ctx,
        client: ClientId,
        notes: &InventoryNotes,
        version: i64,
    ) -> AppResult<i64> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        p.text(
            "clinician_summary",
            &notes.clinician_summary,
            SHORT_TEXT_MAX,
        );
        p.text("who_is_missing", &notes.who_is_missing, SHORT_TEXT_MAX);
        if notes.completed_at.is_some_and(|d| d > self.now().date()) {
            p.push("completed_at", "date-in-future");
        }
        p.finish()?;
        let e = ctx.event(AuditAction::Update, "inventory_notes", None, Some(client));
        Ok(self
            .store
            .save_inventory_notes(facts.clinic, client, notes, version, self.now(), &[e])
            .await?)
    }

    /// Keeps a copy of the whole inventory as it is now (intake, mid-course, termination or a
    /// label of the clinician's own).
    pub async fn take_snapshot(
        &self,
        ctx: &Ctx,
        course: CourseId,
        label: SnapshotLabel,
    ) -> AppResult<InventorySnapshot> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        if let SnapshotLabel::Custom(t) = &label {
            p.required("label", t, 100);
        }
        p.finish()?;
        let id = Uuid::now_v7();
        let e = s.event(
            ctx,
            AuditAction::Create,
            "inventory_snapshot",
            id.to_string(),
        );
        Ok(self
            .store
            .take_snapshot(
                NewSnapshot {
                    id,
                    clinic: s.clinic,
                    client: s.client,
                    course,
                    label,
                    taken_by: ctx.user.id,
                    taken_at: self.now(),
                },
                &[e],
            )
            .await?)
    }

    pub async fn snapshots(
        &self,
        ctx: &Ctx,
        course: CourseId,
    ) -> AppResult<Vec<InventorySnapshot>> {
        let s = self
            .scope(ctx, CourseRef::Course(course), Action::ViewClinical)
            .await?;
        let e = s.event(
            ctx,
            AuditAction::Query,
            "inventory_snapshots",
            course.to_string(),
        );
        Ok(self.store.snapshots(s.clinic, course, &[e]).await?)
    }

    /// Compares two snapshots of a course: who joined, who left, who moved in or out, and
    /// changes of support, conflict and status.
    pub async fn compare_snapshots(
        &self,
        ctx: &Ctx,
        course: CourseId,
        before: Uuid,
        after: Uuid,
    ) -> AppResult<InventoryDiff> {
        let all = self.snapshots(ctx, course).await?;
        let find = |id: Uuid| all.iter().find(|s| s.id == id).ok_or(AppError::NotFound);
        Ok(diff_inventories(
            &find(before)?.inventory,
            &find(after)?.inventory,
        ))
    }

    /// Adds a life event to the client's timeline.
    pub async fn add_life_event(
        &self,
        ctx: &Ctx,
        client: ClientId,
        event: &LifeEvent,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<Uuid>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let people = self.store.people(facts.clinic, client, false, &[]).await?;
        let mut p = Problems::default();
        check_event(&mut p, event, &people);
        p.finish()?;
        let mut event = event.clone();
        event.id = Uuid::now_v7();
        let e = ctx.event(
            AuditAction::Create,
            "timeline_event",
            Some(event.id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .add_timeline_entry(
                facts.clinic,
                client,
                event.id,
                &TimelineEntry::Event(event.clone()),
                ctx.user.id,
                self.now(),
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    pub async fn update_life_event(
        &self,
        ctx: &Ctx,
        client: ClientId,
        event: &LifeEvent,
        version: i64,
    ) -> AppResult<Record<TimelineEntry>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let people = self.store.people(facts.clinic, client, false, &[]).await?;
        let mut p = Problems::default();
        check_event(&mut p, event, &people);
        p.finish()?;
        let e = ctx.event(
            AuditAction::Update,
            "timeline_event",
            Some(event.id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .update_timeline_entry(
                facts.clinic,
                client,
                event.id,
                &TimelineEntry::Event(event.clone()),
                version,
                self.now(),
                &[e],
            )
            .await?)
    }

    /// Adds a mood rating to the timeline.
    pub async fn add_mood_entry(
        &self,
        ctx: &Ctx,
        client: ClientId,
        entry: &MoodEntry,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<Uuid>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        p.text("note", &entry.note, SHORT_TEXT_MAX);
        p.finish()?;
        let id = Uuid::now_v7();
        let e = ctx.event(
            AuditAction::Create,
            "timeline_mood",
            Some(id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .add_timeline_entry(
                facts.clinic,
                client,
                id,
                &TimelineEntry::Mood(entry.clone()),
                ctx.user.id,
                self.now(),
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    pub async fn update_mood_entry(
        &self,
        ctx: &Ctx,
        client: ClientId,
        id: Uuid,
        entry: &MoodEntry,
        version: i64,
    ) -> AppResult<Record<TimelineEntry>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        p.text("note", &entry.note, SHORT_TEXT_MAX);
        p.finish()?;
        let e = ctx.event(
            AuditAction::Update,
            "timeline_mood",
            Some(id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .update_timeline_entry(
                facts.clinic,
                client,
                id,
                &TimelineEntry::Mood(entry.clone()),
                version,
                self.now(),
                &[e],
            )
            .await?)
    }

    /// Adds a past or current mood episode to the timeline (the life chart).
    pub async fn add_mood_episode(
        &self,
        ctx: &Ctx,
        client: ClientId,
        episode: &MoodEpisode,
        idem: Option<Idempotency>,
    ) -> AppResult<Written<Uuid>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        check_episode(&mut p, episode);
        p.finish()?;
        let id = Uuid::now_v7();
        let e = ctx.event(
            AuditAction::Create,
            "timeline_episode",
            Some(id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .add_timeline_entry(
                facts.clinic,
                client,
                id,
                &TimelineEntry::Episode(episode.clone()),
                ctx.user.id,
                self.now(),
                idem.as_ref(),
                &[e],
            )
            .await?)
    }

    pub async fn update_mood_episode(
        &self,
        ctx: &Ctx,
        client: ClientId,
        id: Uuid,
        episode: &MoodEpisode,
        version: i64,
    ) -> AppResult<Record<TimelineEntry>> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        check_episode(&mut p, episode);
        p.finish()?;
        let e = ctx.event(
            AuditAction::Update,
            "timeline_episode",
            Some(id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .update_timeline_entry(
                facts.clinic,
                client,
                id,
                &TimelineEntry::Episode(episode.clone()),
                version,
                self.now(),
                &[e],
            )
            .await?)
    }

    /// Removes a life event, mood entry or episode from the timeline (kept for history).
    pub async fn remove_timeline_entry(
        &self,
        ctx: &Ctx,
        client: ClientId,
        id: Uuid,
        version: i64,
    ) -> AppResult<()> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let e = ctx.event(
            AuditAction::Delete,
            "timeline_entry",
            Some(id.to_string()),
            Some(client),
        );
        Ok(self
            .store
            .remove_timeline_entry(facts.clinic, client, id, version, self.now(), &[e])
            .await?)
    }

    /// Sets (or clears) the onset of the current episode; `version` is 0 the first time.
    /// Returns the new version.
    pub async fn set_onset(
        &self,
        ctx: &Ctx,
        client: ClientId,
        onset: Option<&Onset>,
        version: i64,
    ) -> AppResult<i64> {
        let facts = self
            .client_access(ctx, client, Action::WriteClinical)
            .await?;
        let mut p = Problems::default();
        if let Some(o) = onset {
            p.text("description", &o.description, SHORT_TEXT_MAX);
            if o.date.first_day() > self.now().date() {
                p.push("date", "date-in-future");
            }
        }
        p.finish()?;
        let e = ctx.event(AuditAction::Update, "timeline_onset", None, Some(client));
        Ok(self
            .store
            .set_onset(facts.clinic, client, onset, version, self.now(), &[e])
            .await?)
    }

    /// The client's timeline: onset, life events and mood entries.
    pub async fn timeline(&self, ctx: &Ctx, client: ClientId) -> AppResult<StoredTimeline> {
        let facts = self
            .client_access(ctx, client, Action::ViewClinical)
            .await?;
        let e = ctx.event(AuditAction::Read, "timeline", None, Some(client));
        Ok(self
            .store
            .timeline(facts.clinic, client, false, &[e])
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_domain::inventory::RelationshipType;

    fn person(n: u128, name: &str, ring: Option<u8>) -> Person {
        let mut p = Person::new(
            Uuid::from_u128(n),
            name,
            RelationshipType::Friend,
            PersonStatus::Current,
        );
        p.ring = ring.map(|r| Ring::new(r).unwrap());
        p
    }

    #[test]
    fn comparing_inventories_finds_who_joined_left_and_moved() {
        let before = Inventory {
            people: vec![
                person(1, "Jo", Some(3)),
                person(2, "Sam", Some(1)),
                person(3, "Kim", Some(2)),
                person(4, "Lee", None),
            ],
            ..Inventory::default()
        };
        let mut sam = person(2, "Sam", Some(2));
        sam.conflict.frequency = Some(ConflictFrequency::Often);
        let after = Inventory {
            people: vec![
                person(1, "Jo", Some(1)),
                sam,
                person(3, "Kim", Some(2)),
                person(4, "Lee", Some(3)),
                person(5, "New friend", Some(2)),
            ],
            ..Inventory::default()
        };
        let d = diff_inventories(&before, &after);
        assert_eq!(d.joined.len(), 1);
        assert_eq!(d.joined[0].display_name, "New friend");
        assert!(d.left.is_empty());
        let moved_in: Vec<_> = d.moved_in().map(|c| c.display_name.as_str()).collect();
        let moved_out: Vec<_> = d.moved_out().map(|c| c.display_name.as_str()).collect();
        assert_eq!(moved_in, ["Jo"]);
        assert_eq!(moved_out, ["Sam"]);
        let sam = d.changed.iter().find(|c| c.display_name == "Sam").unwrap();
        assert_eq!(sam.conflict, Some((None, Some(ConflictFrequency::Often))));
        let lee = d.changed.iter().find(|c| c.display_name == "Lee").unwrap();
        assert_eq!(lee.ring.unwrap().2, RingMove::Placed);
        // Kim did not change and is not listed.
        assert!(d.changed.iter().all(|c| c.display_name != "Kim"));
        // The other way round, the new friend has left.
        let back = diff_inventories(&after, &before);
        assert_eq!(back.left.len(), 1);
        assert!(diff_inventories(&before, &before).is_empty());
    }

    fn arb_inventory() -> impl proptest::strategy::Strategy<Value = Inventory> {
        use proptest::prelude::*;
        proptest::collection::btree_map(
            0u128..8,
            (
                proptest::option::of(1u8..=3),
                proptest::option::of(0u8..=10),
                any::<bool>(),
            ),
            0..8,
        )
        .prop_map(|m| Inventory {
            people: m
                .into_iter()
                .map(|(id, (ring, support, argues))| {
                    let mut p = person(id, &format!("P{id}"), ring);
                    p.support.rating = support.map(|s| Score10::new(s).unwrap());
                    p.conflict.frequency = argues.then_some(ConflictFrequency::Often);
                    p
                })
                .collect(),
            ..Inventory::default()
        })
    }

    proptest::proptest! {
        #[test]
        fn comparing_backwards_swaps_joined_and_left_and_in_and_out(a in arb_inventory(), b in arb_inventory()) {
            let ids = |v: &[PersonRef]| v.iter().map(|p| p.person).collect::<Vec<_>>();
            let fwd = diff_inventories(&a, &b);
            let back = diff_inventories(&b, &a);
            proptest::prop_assert!(diff_inventories(&a, &a).is_empty());
            let mut j = ids(&fwd.joined);
            let mut l = ids(&back.left);
            j.sort();
            l.sort();
            proptest::prop_assert_eq!(j, l);
            let mut i: Vec<_> = fwd.moved_in().map(|c| c.person).collect();
            let mut o: Vec<_> = back.moved_out().map(|c| c.person).collect();
            i.sort();
            o.sort();
            proptest::prop_assert_eq!(i, o);
            // Everyone of `b` is either new or matched; nobody is counted twice.
            let changed: Vec<_> = fwd.changed.iter().map(|c| c.person).collect();
            for p in &b.people {
                let joined = fwd.joined.iter().any(|x| x.person == p.id);
                proptest::prop_assert!(!(joined && changed.contains(&p.id)));
            }
        }
    }
}
