//! Tag words as heard to tags that exist: the singular ("dogs" to "dog") and the nearest known
//! term when the recogniser misheard a letter or two ("retreiver" to "retriever").

use std::collections::BTreeSet;

/// The tags a spoken request can name: for GAiLLERY, every ImageNet class name and every
/// broader WordNet term above them ("dog", "vehicle"), lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagVocabulary {
    terms: BTreeSet<String>,
}

impl TagVocabulary {
    pub fn new<S: AsRef<str>>(terms: impl IntoIterator<Item = S>) -> TagVocabulary {
        TagVocabulary {
            terms: terms
                .into_iter()
                .map(|t| t.as_ref().split_whitespace().collect::<Vec<_>>().join(" "))
                .map(|t| t.to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }

    /// Adds more terms (a gallery's own labels).
    pub fn extend<S: AsRef<str>>(&mut self, terms: impl IntoIterator<Item = S>) {
        self.terms.extend(TagVocabulary::new(terms).terms);
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn contains(&self, tag: &str) -> bool {
        self.terms.contains(tag)
    }

    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(String::as_str)
    }

    /// The known tag `heard` names as it is or in the singular.
    pub fn exact(&self, heard: &str) -> Option<String> {
        if self.contains(heard) {
            return Some(heard.to_owned());
        }
        singulars(heard).into_iter().find(|s| self.contains(s))
    }

    /// The tag meant by `heard`: the known one it names, else the nearest known one within a
    /// small edit distance, else `heard` in the singular (unknown: the caller says so).
    pub fn resolve(&self, heard: &str) -> String {
        if let Some(tag) = self.exact(heard) {
            return tag;
        }
        let mut forms = vec![heard.to_owned()];
        forms.extend(singulars(heard));
        let mut best: Option<(usize, &str)> = None;
        for form in &forms {
            let allowed = allowed_edits(form);
            if allowed == 0 {
                continue;
            }
            for term in &self.terms {
                if term.len().abs_diff(form.len()) > allowed {
                    continue;
                }
                let distance = edit_distance(form, term);
                let better = match best {
                    None => true,
                    // Fewer edits win; on a tie, the shorter (more general) term.
                    Some((d, t)) => (distance, term.len()) < (d, t.len()),
                };
                if distance <= allowed && better {
                    best = Some((distance, term));
                }
            }
        }
        match best {
            Some((_, term)) => term.to_owned(),
            None => singular_guess(heard),
        }
    }
}

/// How many letters a recogniser may have got wrong in a word this long: none in short words,
/// where one letter makes another real word ("cat", "car", "cap"), and two only in long ones
/// ("unicorn" is two letters from "uniform", and means something else).
fn allowed_edits(word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

/// Edit distance with transpositions (optimal string alignment), over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in rows.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[(i - 1) * width + j] + 1)
                .min(rows[i * width + j - 1] + 1)
                .min(rows[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[(i - 2) * width + j - 2] + 1);
            }
            rows[i * width + j] = best;
        }
    }
    rows[a.len() * width + b.len()]
}

/// English irregular plurals of words people photograph.
const IRREGULAR: &[(&str, &str)] = &[
    ("mice", "mouse"),
    ("geese", "goose"),
    ("men", "man"),
    ("women", "woman"),
    ("children", "child"),
    ("people", "person"),
    ("teeth", "tooth"),
    ("feet", "foot"),
    ("oxen", "ox"),
    ("wolves", "wolf"),
    ("knives", "knife"),
    ("leaves", "leaf"),
    ("loaves", "loaf"),
    ("calves", "calf"),
    ("shelves", "shelf"),
    ("wives", "wife"),
    ("lives", "life"),
    ("cacti", "cactus"),
    ("fungi", "fungus"),
];

/// What the last word of `phrase` could be the singular of, most likely first.
pub fn singulars(phrase: &str) -> Vec<String> {
    let (head, last) = match phrase.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last),
        None => (String::new(), phrase),
    };
    let mut stems: Vec<String> = Vec::new();
    if let Some((_, single)) = IRREGULAR.iter().find(|(plural, _)| *plural == last) {
        stems.push((*single).to_owned());
    }
    if let Some(stem) = last.strip_suffix("ies").filter(|s| s.len() > 1) {
        stems.push(format!("{stem}y"));
    }
    let es_stem = last.strip_suffix("es").filter(|s| s.len() > 1);
    // "beaches", "boxes", "glasses": the "es" is the plural's.
    if let Some(stem) = es_stem.filter(|stem| {
        ["ch", "sh", "x", "z", "ss"]
            .iter()
            .any(|end| stem.ends_with(end))
    }) {
        stems.push(stem.to_owned());
    }
    if let Some(stem) = last.strip_suffix('s').filter(|s| s.len() > 1) {
        if !["ss", "us", "is"].iter().any(|end| last.ends_with(end)) {
            stems.push(stem.to_owned());
        }
    }
    if let Some(stem) = last.strip_suffix("ves").filter(|s| s.len() > 1) {
        stems.push(format!("{stem}f"));
        stems.push(format!("{stem}fe"));
    }
    // "buses", "tomatoes": less often right than dropping the "s", so last.
    if let Some(stem) = es_stem {
        stems.push(stem.to_owned());
    }
    let mut unique: Vec<String> = Vec::new();
    for stem in stems {
        if !unique.contains(&stem) {
            unique.push(stem);
        }
    }
    unique
        .into_iter()
        .map(|stem| format!("{head}{stem}"))
        .collect()
}

/// The singular of `phrase` by the rules alone, for when no vocabulary can tell.
pub fn singular_guess(phrase: &str) -> String {
    singulars(phrase)
        .into_iter()
        .next()
        .unwrap_or_else(|| phrase.to_owned())
}
