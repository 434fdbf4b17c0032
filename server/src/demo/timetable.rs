//! The demo municipality's weekly timetable: every grundskola class gets 25 (F–3), 28 (4–6) or
//! 30 (7–9) lessons of 50 minutes a week in seven periods a day, with the Lgr22 subjects in
//! realistic proportions. The class's own teachers take what they can (at most
//! [`TEACHER_LESSONS_MAX`] a week, never two lessons at once); subject teachers of the school
//! take the rest, each with a teacher duty for the classes they teach.

use chrono::{NaiveDate, NaiveTime};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One weekly lesson of a group (an SS 12000 activity's recurring event).
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub id: Uuid,
    pub group_id: Uuid,
    /// ISO weekday, 1 = Monday.
    pub weekday: u32,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub subject_code: &'static str,
    pub subject: &'static str,
    pub room: String,
    pub valid_from: NaiveDate,
    pub teachers: Vec<Uuid>,
}

/// At most this many lessons a week per teacher (a full-time teacher's teaching time).
pub const TEACHER_LESSONS_MAX: usize = 24;

/// The periods of a school day: 50-minute lessons, 10-minute breaks, lunch after the third.
const PERIODS: [(u32, u32); 7] = [
    (8, 10),
    (9, 10),
    (10, 10),
    (11, 40),
    (12, 40),
    (13, 40),
    (14, 40),
];
const LESSON_MINUTES: i64 = 50;

/// (code, Swedish name, lessons a week) per stage; each list adds up to the stage's week.
const JUNIOR: &[(&str, &str, usize)] = &[
    ("SV", "Svenska", 7),
    ("MA", "Matematik", 6),
    ("EN", "Engelska", 1),
    ("NO", "Naturorienterande ämnen", 2),
    ("SO", "Samhällsorienterande ämnen", 2),
    ("IDH", "Idrott och hälsa", 2),
    ("MU", "Musik", 2),
    ("BL", "Bild", 2),
    ("SL", "Slöjd", 1),
];
const MIDDLE: &[(&str, &str, usize)] = &[
    ("SV", "Svenska", 5),
    ("MA", "Matematik", 5),
    ("EN", "Engelska", 3),
    ("BI", "Biologi", 1),
    ("FY", "Fysik", 1),
    ("KE", "Kemi", 1),
    ("GE", "Geografi", 1),
    ("HI", "Historia", 1),
    ("RE", "Religionskunskap", 1),
    ("SH", "Samhällskunskap", 1),
    ("IDH", "Idrott och hälsa", 2),
    ("MU", "Musik", 2),
    ("BL", "Bild", 2),
    ("SL", "Slöjd", 1),
    ("HKK", "Hem- och konsumentkunskap", 1),
];
const SENIOR: &[(&str, &str, usize)] = &[
    ("SV", "Svenska", 4),
    ("MA", "Matematik", 4),
    ("EN", "Engelska", 3),
    ("M2", "Moderna språk", 2),
    ("BI", "Biologi", 2),
    ("FY", "Fysik", 2),
    ("KE", "Kemi", 2),
    ("GE", "Geografi", 1),
    ("HI", "Historia", 2),
    ("RE", "Religionskunskap", 1),
    ("SH", "Samhällskunskap", 1),
    ("IDH", "Idrott och hälsa", 2),
    ("MU", "Musik", 1),
    ("BL", "Bild", 1),
    ("SL", "Slöjd", 1),
    ("HKK", "Hem- och konsumentkunskap", 1),
];

/// The subjects of a school year (0 = förskoleklass).
fn subjects(year: i32) -> &'static [(&'static str, &'static str, usize)] {
    match year {
        ..=3 => JUNIOR,
        4..=6 => MIDDLE,
        _ => SENIOR,
    }
}

/// Lessons a week of a school year.
#[cfg(test)]
pub fn lessons_per_week(year: i32) -> usize {
    subjects(year).iter().map(|(_, _, count)| count).sum()
}

/// A class of a school, with the teachers of its teacher duties.
pub struct Class {
    pub group_id: Uuid,
    pub year: i32,
    pub teachers: Vec<Uuid>,
    pub valid_from: NaiveDate,
}

/// What [`schedule`] needs from the plan's builder: ids, and new subject teachers.
pub trait Staffing {
    fn id(&mut self) -> Uuid;
    /// A new subject teacher of the school, with a teacher duty for `group` from `since`.
    fn subject_teacher(&mut self, group: Uuid, since: NaiveDate) -> anyhow::Result<Uuid>;
    /// A teacher duty for `group`, for a subject teacher who takes on another class.
    fn teacher_duty(&mut self, teacher: Uuid, group: Uuid, since: NaiveDate);
}

/// The weekly timetable of one school's classes. `rng` orders each class's week.
pub fn schedule(
    classes: &[Class],
    rng: &mut ChaCha8Rng,
    staffing: &mut impl Staffing,
) -> anyhow::Result<Vec<Slot>> {
    let mut busy: HashSet<(Uuid, u32, usize)> = HashSet::new();
    let mut load: HashMap<Uuid, usize> = HashMap::new();
    // Subject teachers of this school, and the classes each one has a duty for.
    let mut subject_teachers: Vec<Uuid> = Vec::new();
    let mut duties: HashSet<(Uuid, Uuid)> = HashSet::new();
    let mut slots = Vec::new();
    for (index, class) in classes.iter().enumerate() {
        let mut week: Vec<(&'static str, &'static str)> = subjects(class.year)
            .iter()
            .flat_map(|&(code, name, count)| std::iter::repeat_n((code, name), count))
            .collect();
        week.shuffle(rng);
        let per_day = week.len().div_ceil(5);
        let days = (1..=5u32).flat_map(|day| (0..per_day).map(move |period| (day, period)));
        // The longer days first: a 28-lesson week is three days of six and two of five.
        let mut times: Vec<(u32, usize)> = days.collect();
        let short_days = per_day * 5 - week.len();
        times.retain(|&(day, period)| !(period == per_day - 1 && day > 5 - short_days as u32));
        let classroom = format!("Sal {}", 101 + index);
        for ((day, period), (code, subject)) in times.into_iter().zip(week) {
            let free = |teacher: &Uuid, busy: &HashSet<(Uuid, u32, usize)>| {
                !busy.contains(&(*teacher, day, period))
                    && load.get(teacher).copied().unwrap_or(0) < TEACHER_LESSONS_MAX
            };
            let own = class.teachers.iter().find(|t| free(t, &busy)).copied();
            let teacher = match own {
                Some(teacher) => teacher,
                None => match subject_teachers.iter().find(|t| free(t, &busy)).copied() {
                    Some(teacher) => {
                        if duties.insert((teacher, class.group_id)) {
                            staffing.teacher_duty(teacher, class.group_id, class.valid_from);
                        }
                        teacher
                    }
                    None => {
                        let teacher = staffing.subject_teacher(class.group_id, class.valid_from)?;
                        subject_teachers.push(teacher);
                        duties.insert((teacher, class.group_id));
                        teacher
                    }
                },
            };
            busy.insert((teacher, day, period));
            *load.entry(teacher).or_default() += 1;
            let (hour, minute) = PERIODS[period];
            let start_time = NaiveTime::from_hms_opt(hour, minute, 0).expect("a time of day");
            slots.push(Slot {
                id: staffing.id(),
                group_id: class.group_id,
                weekday: day,
                start_time,
                end_time: start_time + chrono::Duration::minutes(LESSON_MINUTES),
                subject_code: code,
                subject,
                room: match code {
                    "IDH" => "Idrottshallen".to_owned(),
                    "SL" => "Slöjdsalen".to_owned(),
                    "MU" => "Musiksalen".to_owned(),
                    "HKK" => "Hemkunskapssalen".to_owned(),
                    _ => classroom.clone(),
                },
                valid_from: class.valid_from,
                teachers: vec![teacher],
            });
        }
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    struct Counter {
        next: u128,
        duties: Vec<(Uuid, Uuid)>,
    }

    impl Staffing for Counter {
        fn id(&mut self) -> Uuid {
            self.next += 1;
            Uuid::from_u128(self.next)
        }
        fn subject_teacher(&mut self, group: Uuid, _: NaiveDate) -> anyhow::Result<Uuid> {
            let teacher = self.id();
            self.duties.push((teacher, group));
            Ok(teacher)
        }
        fn teacher_duty(&mut self, teacher: Uuid, group: Uuid, _: NaiveDate) {
            self.duties.push((teacher, group));
        }
    }

    #[test]
    fn each_stage_has_its_week() {
        assert_eq!(lessons_per_week(0), 25);
        assert_eq!(lessons_per_week(3), 25);
        assert_eq!(lessons_per_week(5), 28);
        assert_eq!(lessons_per_week(9), 30);
    }

    #[test]
    fn no_class_or_teacher_is_in_two_places_and_no_teacher_is_overloaded() {
        let mut staffing = Counter {
            next: 1_000,
            duties: Vec::new(),
        };
        let since = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap();
        let shared_teacher = Uuid::from_u128(1);
        let classes: Vec<Class> = (0..10)
            .map(|year| Class {
                group_id: Uuid::from_u128(100 + year as u128),
                year,
                teachers: vec![shared_teacher, Uuid::from_u128(2 + year as u128 % 3)],
                valid_from: since,
            })
            .collect();
        let slots = schedule(&classes, &mut ChaCha8Rng::seed_from_u64(7), &mut staffing).unwrap();
        let expected: usize = classes.iter().map(|c| lessons_per_week(c.year)).sum();
        assert_eq!(slots.len(), expected);
        let mut classes_at = HashSet::new();
        let mut teachers_at = HashSet::new();
        let mut load: HashMap<Uuid, usize> = HashMap::new();
        for slot in &slots {
            assert!(classes_at.insert((slot.group_id, slot.weekday, slot.start_time)));
            assert_eq!(slot.teachers.len(), 1);
            let teacher = slot.teachers[0];
            assert!(teachers_at.insert((teacher, slot.weekday, slot.start_time)));
            *load.entry(teacher).or_default() += 1;
            assert!((1..=5).contains(&slot.weekday));
            assert!(slot.start_time >= NaiveTime::from_hms_opt(8, 10, 0).unwrap());
            assert!(slot.end_time <= NaiveTime::from_hms_opt(15, 30, 0).unwrap());
            let own = classes
                .iter()
                .find(|c| c.group_id == slot.group_id)
                .unwrap()
                .teachers
                .contains(&teacher);
            assert!(
                own || staffing.duties.contains(&(teacher, slot.group_id)),
                "a subject teacher has a duty for the class"
            );
        }
        assert!(load.values().all(|&lessons| lessons <= TEACHER_LESSONS_MAX));
        assert_eq!(
            load[&shared_teacher], TEACHER_LESSONS_MAX,
            "the class teacher first"
        );
        // A 28-lesson week: three days of six lessons and two of five.
        let per_day = |day: u32| {
            slots
                .iter()
                .filter(|s| s.group_id == classes[5].group_id && s.weekday == day)
                .count()
        };
        assert_eq!(
            (1..=5).map(per_day).collect::<Vec<_>>(),
            vec![6, 6, 6, 5, 5]
        );
    }
}
