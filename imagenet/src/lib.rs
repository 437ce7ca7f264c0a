//! The 1000 ImageNet classes: their human-readable names ("golden retriever", not
//! `golden_retriever` or `n02099601`) and, for tag search, every broader WordNet term above
//! each class, so that "dog" finds every breed and "vehicle" every car, bus and boat.
//!
//! The table is generated once from WordNet 3.0 by `tools/imagenet_table.py` and compiled in.
//! This crate has no dependencies, so whatever only needs the names (the service, the server)
//! does not bring in the classifier.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/imagenet_classes.tsv");
const PLURALS: &str = include_str!("../data/plurals.tsv");

/// Number of classes every model here predicts.
pub const CLASS_COUNT: usize = 1000;

#[derive(Debug)]
pub struct ImageNetClass {
    /// The WordNet id, e.g. `n02099601`.
    pub wnid: &'static str,
    /// What people read, e.g. "golden retriever".
    pub name: &'static str,
    /// Other names of the same thing.
    pub synonyms: Vec<&'static str>,
    /// Lower-case words of every broader synset, nearest first ("retriever", "sporting dog",
    /// ..., "dog", ..., "animal", ...).
    pub broader: Vec<&'static str>,
}

struct Vocabulary {
    classes: Vec<ImageNetClass>,
    /// Lower-case term (name, synonym or broader term) to the classes it covers.
    by_term: HashMap<String, Vec<usize>>,
    /// Irregular plural to singular ("mice" to "mouse").
    plurals: HashMap<&'static str, &'static str>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let list = |field: &'static str| -> Vec<&'static str> {
            field.split(';').filter(|s| !s.is_empty()).collect()
        };
        let classes: Vec<ImageNetClass> = TABLE
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                let mut fields = line.split('\t').skip(1);
                let mut next = || fields.next().unwrap_or_default();
                ImageNetClass {
                    wnid: next(),
                    name: next(),
                    synonyms: list(next()),
                    broader: list(next()),
                }
            })
            .collect();
        let mut by_term: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, class) in classes.iter().enumerate() {
            let terms = std::iter::once(class.name)
                .chain(class.synonyms.iter().copied())
                .chain(class.broader.iter().copied());
            let mut seen = HashSet::new();
            for term in terms {
                let term = term.to_lowercase();
                if seen.insert(term.clone()) {
                    by_term.entry(term).or_default().push(index);
                }
            }
        }
        let plurals = PLURALS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('\t'))
            .collect();
        Vocabulary {
            classes,
            by_term,
            plurals,
        }
    })
}

/// All classes, in the order of the models' outputs.
pub fn classes() -> &'static [ImageNetClass] {
    &vocabulary().classes
}

/// The display name of output `index`.
pub fn name(index: usize) -> &'static str {
    classes().get(index).map_or("unknown", |class| class.name)
}

/// Lower case, single spaces, underscores as spaces: how terms are compared.
pub fn normalize(term: &str) -> String {
    term.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What a normalised term could be the plural of: WordNet's irregular plural ("mice" to
/// "mouse"), else the English rules that fit its ending ("buses" to "bu" and "bus", "boxes"
/// to "boxe" and "box"); only those the vocabulary knows will match anything.
pub fn singulars(term: &str) -> Vec<String> {
    let (head, last) = match term.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last),
        None => (String::new(), term),
    };
    let mut stems: Vec<String> = Vec::new();
    if let Some(single) = vocabulary().plurals.get(last) {
        stems.push((*single).to_string());
    }
    if let Some(stem) = last.strip_suffix("ies").filter(|s| !s.is_empty()) {
        stems.push(format!("{stem}y"));
    }
    if let Some(stem) = last.strip_suffix("es").filter(|s| !s.is_empty()) {
        stems.push(stem.to_string());
    }
    if let Some(stem) = last
        .strip_suffix('s')
        .filter(|s| !s.is_empty() && !s.ends_with('s'))
    {
        stems.push(stem.to_string());
    }
    stems
        .into_iter()
        .map(|stem| format!("{head}{stem}"))
        .collect()
}

/// The classes a search term covers: those it names or that it is a broader term of. Case
/// and plurals do not matter ("Dogs" finds every breed of dog).
pub fn classes_matching(term: &str) -> Vec<usize> {
    let term = normalize(term);
    let by_term = &vocabulary().by_term;
    let mut found: Vec<usize> = by_term.get(&term).cloned().unwrap_or_default();
    for single in singulars(&term) {
        if let Some(more) = by_term.get(&single) {
            found.extend(more);
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Every term a search can name: class names, their synonyms and the broader terms above
/// them, lower case, each once: the vocabulary spoken tag requests are matched against.
pub fn search_terms() -> impl Iterator<Item = &'static str> {
    vocabulary().by_term.keys().map(String::as_str)
}

/// The display names a search term covers (what photos' labels are compared with).
pub fn names_matching(term: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = classes_matching(term).into_iter().map(name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(term: &str, name: &str) -> bool {
        names_matching(term).contains(&name)
    }

    #[test]
    fn the_table_has_every_class_with_a_readable_name() {
        assert_eq!(classes().len(), CLASS_COUNT);
        assert_eq!(classes()[0].wnid, "n01440764");
        assert_eq!(name(207), "golden retriever");
        assert_eq!(name(285), "Egyptian cat");
        assert!(classes()
            .iter()
            .all(|c| !c.name.contains('_') && !c.name.is_empty()));
    }

    #[test]
    fn broad_words_find_what_people_mean() {
        let dogs = names_matching("dog");
        // ImageNet's dog classes are 151..=268 (118 breeds, including the Mexican hairless).
        assert!(dogs.len() >= 110, "{}", dogs.len());
        assert!(covers("dog", "golden retriever") && covers("dog", "Chihuahua"));
        assert!(!covers("dog", "tabby") && !covers("dog", "hot dog"));
        assert!(covers("cat", "tabby") && covers("cat", "Egyptian cat"));
        assert!(covers("fruit", "strawberry") && covers("fruit", "banana"));
        assert!(covers("monkey", "capuchin") && covers("bird", "goldfinch"));
        assert!(covers("vehicle", "sports car") && covers("vehicle", "canoe"));
        // WordNet files buses under public transport, not vehicle.
        assert!(covers("bus", "school bus") && covers("conveyance", "school bus"));
        assert!(covers("building", "church") && covers("ball", "tennis ball"));
        assert!(covers("ball", "soccer ball") && !covers("ball", "golden retriever"));
    }

    #[test]
    fn search_terms_cover_names_synonyms_and_broader_terms_in_lower_case() {
        let terms: HashSet<&str> = search_terms().collect();
        assert!(terms.contains("golden retriever") && terms.contains("tinca tinca"));
        assert!(terms.contains("dog") && terms.contains("vehicle"));
        assert!(terms.iter().all(|term| *term == term.to_lowercase()));
        assert_eq!(terms.len(), search_terms().count());
    }

    #[test]
    fn case_and_plurals_do_not_matter() {
        assert_eq!(names_matching("Dogs"), names_matching("dog"));
        assert_eq!(names_matching("BUSES"), names_matching("bus"));
        assert_eq!(names_matching("puppies"), names_matching("puppy"));
        assert_eq!(
            names_matching("golden retrievers"),
            vec!["golden retriever"]
        );
        assert_eq!(names_matching("mice"), names_matching("mouse"));
        assert_eq!(names_matching("boxes"), names_matching("box"));
        assert_eq!(names_matching("Wolves"), names_matching("wolf"));
        assert!(singulars("glass").is_empty());
        assert!(names_matching("unicorn").is_empty());
    }
}
