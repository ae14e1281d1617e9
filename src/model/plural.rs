//! Plurals as the npm `pluralize` library, version 8.0.0, makes them (`pluralize(word)` /
//! `pluralize.plural(word)`), which the reference uses for `list<Ts>` and `sync<Ts>`
//! (docs/spec/model-output.md §4.1).
//!
//! The word as a whole is looked up, lower-cased, among the irregular plurals (kept), the
//! irregular singulars (replaced) and the uncountable words (kept). Otherwise the plural rules
//! are tried from the most recently added one back to the first; the first that matches
//! replaces its match (`$0` = the match, `$n` = group n, empty when it did not take part), and
//! the replacement takes the case of what it replaces: all lower, all upper, or capitalised.
//!
//! The library's rules are case-insensitive JavaScript regular expressions without the `u`
//! flag, so only ASCII letters match across case. Here the rules are written in lower case and
//! run, case-sensitively, on the word with its ASCII letters lower-cased: same lengths, same
//! offsets, and non-ASCII characters untouched, as in JavaScript. Captured text is then taken
//! from the word as written.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Irregular words, singular then plural, in lower case.
const IRREGULAR: &[(&str, &str)] = &[
    ("i", "we"),
    ("me", "us"),
    ("he", "they"),
    ("she", "they"),
    ("them", "them"),
    ("myself", "ourselves"),
    ("yourself", "yourselves"),
    ("itself", "themselves"),
    ("herself", "themselves"),
    ("himself", "themselves"),
    ("themself", "themselves"),
    ("is", "are"),
    ("was", "were"),
    ("has", "have"),
    ("this", "these"),
    ("that", "those"),
    ("echo", "echoes"),
    ("dingo", "dingoes"),
    ("volcano", "volcanoes"),
    ("tornado", "tornadoes"),
    ("torpedo", "torpedoes"),
    ("genus", "genera"),
    ("viscus", "viscera"),
    ("stigma", "stigmata"),
    ("stoma", "stomata"),
    ("dogma", "dogmata"),
    ("lemma", "lemmata"),
    ("schema", "schemata"),
    ("anathema", "anathemata"),
    ("ox", "oxen"),
    ("axe", "axes"),
    ("die", "dice"),
    ("yes", "yeses"),
    ("foot", "feet"),
    ("eave", "eaves"),
    ("goose", "geese"),
    ("tooth", "teeth"),
    ("quiz", "quizzes"),
    ("human", "humans"),
    ("proof", "proofs"),
    ("carve", "carves"),
    ("valve", "valves"),
    ("looey", "looies"),
    ("thief", "thieves"),
    ("groove", "grooves"),
    ("pickaxe", "pickaxes"),
    ("passerby", "passersby"),
];

/// Words (lower case) that have no plural of their own.
const UNCOUNTABLE_WORDS: &[&str] = &[
    "adulthood",
    "advice",
    "agenda",
    "aid",
    "aircraft",
    "alcohol",
    "ammo",
    "analytics",
    "anime",
    "athletics",
    "audio",
    "bison",
    "blood",
    "bream",
    "buffalo",
    "butter",
    "carp",
    "cash",
    "chassis",
    "chess",
    "clothing",
    "cod",
    "commerce",
    "cooperation",
    "corps",
    "debris",
    "diabetes",
    "digestion",
    "elk",
    "energy",
    "equipment",
    "excretion",
    "expertise",
    "firmware",
    "flounder",
    "fun",
    "gallows",
    "garbage",
    "graffiti",
    "hardware",
    "headquarters",
    "health",
    "herpes",
    "highjinks",
    "homework",
    "housework",
    "information",
    "jeans",
    "justice",
    "kudos",
    "labour",
    "literature",
    "machinery",
    "mackerel",
    "mail",
    "media",
    "mews",
    "moose",
    "music",
    "mud",
    "manga",
    "news",
    "only",
    "personnel",
    "pike",
    "plankton",
    "pliers",
    "police",
    "pollution",
    "premises",
    "rain",
    "research",
    "rice",
    "salmon",
    "scissors",
    "series",
    "sewage",
    "shambles",
    "shrimp",
    "software",
    "species",
    "staff",
    "swine",
    "tennis",
    "traffic",
    "transportation",
    "trout",
    "tuna",
    "wealth",
    "welfare",
    "whiting",
    "wildebeest",
    "wildlife",
    "you",
];

/// Endings that have no plural of their own. They are added as rules after [`RULES`], each
/// replacing its match by itself, so they are tried before all of them.
const UNCOUNTABLE_PATTERNS: &[&str] = &[
    // The library's `[eé]` under its `i` flag also takes `É`.
    "pok[eéÉ]mon$",
    "[^aeiou]ese$",
    "deer$",
    "fish$",
    "measles$",
    "o[iu]s$",
    "pox$",
    "sheep$",
];

/// Plural rules, pattern then replacement, in the order the library adds them.
const RULES: &[(&str, &str)] = &[
    ("s?$", "s"),
    (r"[^\x00-\x7F]$", "$0"),
    ("([^aeiou]ese)$", "$1"),
    ("(ax|test)is$", "$1es"),
    ("(alias|[^aou]us|t[lm]as|gas|ris)$", "$1es"),
    ("(e[mn]u)s?$", "$1s"),
    ("([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$", "$1"),
    (
        "(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$",
        "$1i",
    ),
    ("(alumn|alg|vertebr)(?:a|ae)$", "$1ae"),
    ("(seraph|cherub)(?:im)?$", "$1im"),
    ("(her|at|gr)o$", "$1oes"),
    (
        "(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi\
         |curricul|automat|quor)(?:a|um)$",
        "$1a",
    ),
    (
        "(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr\
         |automat)(?:a|on)$",
        "$1a",
    ),
    ("sis$", "ses"),
    ("(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$", "$1$2ves"),
    ("([^aeiouy]|qu)y$", "$1ies"),
    ("([^ch][ieo][ln])ey$", "$1ies"),
    ("(x|ch|ss|sh|zz)$", "$1es"),
    ("(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$", "$1ices"),
    // JavaScript's `\b` is the ASCII word boundary.
    (r"(?-u:\b)((?:tit)?m|l)(?:ice|ouse)$", "$1ice"),
    ("(pe)(?:rson|ople)$", "$1ople"),
    ("(child)(?:ren)?$", "$1ren"),
    ("eaux$", "$0"),
    ("m[ae]n$", "men"),
    // Added to the library as the whole word `thou`.
    ("^thou$", "you"),
];

struct Rule {
    pattern: Regex,
    replacement: &'static str,
}

struct Tables {
    irregular_plurals: HashSet<&'static str>,
    irregular_singles: HashMap<&'static str, &'static str>,
    uncountable: HashSet<&'static str>,
    /// In the library's order: [`RULES`], then [`UNCOUNTABLE_PATTERNS`].
    rules: Vec<Rule>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let rule = |pattern: &str, replacement: &'static str| Rule {
        pattern: Regex::new(pattern).expect("plural rule compiles"),
        replacement,
    };
    Tables {
        irregular_plurals: IRREGULAR.iter().map(|&(_, plural)| plural).collect(),
        irregular_singles: IRREGULAR.iter().copied().collect(),
        uncountable: UNCOUNTABLE_WORDS.iter().copied().collect(),
        rules: RULES
            .iter()
            .map(|&(pattern, replacement)| rule(pattern, replacement))
            .chain(
                UNCOUNTABLE_PATTERNS
                    .iter()
                    .map(|&pattern| rule(pattern, "$0")),
            )
            .collect(),
    }
});

/// The plural of `word`, as `pluralize(word)` of npm `pluralize` 8.0.0 gives it:
/// `BlogPost` → `BlogPosts`, `Person` → `People`, `ID` → `IDS`, `Data` → `Data`.
pub fn pluralize(word: &str) -> String {
    let tables = &*TABLES;
    let token = word.to_lowercase();
    if tables.irregular_plurals.contains(token.as_str()) {
        return restore_case(word, &token);
    }
    if let Some(plural) = tables.irregular_singles.get(token.as_str()) {
        return restore_case(word, plural);
    }
    if token.is_empty() || tables.uncountable.contains(token.as_str()) {
        return word.to_string();
    }
    let folded = word.to_ascii_lowercase();
    tables
        .rules
        .iter()
        .rev()
        .find_map(|rule| {
            let caps = rule.pattern.captures(&folded)?;
            Some(replace_match(word, &caps, rule.replacement))
        })
        .unwrap_or_else(|| word.to_string())
}

/// `word` with the match in `caps` (found on its ASCII-lower-cased copy) replaced by
/// `replacement`, which takes the case of the text it replaces.
fn replace_match(word: &str, caps: &Captures, replacement: &str) -> String {
    let whole = caps.get(0).expect("group 0 is the match");
    let (before, after) = (&word[..whole.start()], &word[whole.end()..]);
    let matched = &word[whole.range()];
    let result = interpolate(replacement, |n| {
        caps.get(n).map_or("", |group| &word[group.range()])
    });
    let restored = match matched.chars().next() {
        // An empty match (only `s?$` has one) takes the case of the character before it.
        None => {
            let last = before.chars().next_back().map(String::from);
            restore_case(last.as_deref().unwrap_or(""), &result)
        }
        // JavaScript matches UTF-16 units: a negated class at the start of a match takes only
        // the low half of a character outside the BMP, which has no case. What follows it
        // keeps its case rules, less the capitalised one.
        Some(first) if first.len_utf16() == 2 && result.starts_with(first) => {
            let (rest, rest_result) = (&matched[first.len_utf8()..], &result[first.len_utf8()..]);
            let rest_restored = if rest == rest_result {
                rest_result.to_string()
            } else if rest != rest.to_lowercase() && rest == rest.to_uppercase() {
                rest_result.to_uppercase()
            } else {
                rest_result.to_lowercase()
            };
            format!("{first}{rest_restored}")
        }
        Some(_) => restore_case(matched, &result),
    };
    format!("{before}{restored}{after}")
}

/// `template` with each `$n` (one or two digits) replaced by `group(n)`.
fn interpolate<'a>(template: &str, mut group: impl FnMut(usize) -> &'a str) -> String {
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let digits = rest[dollar + 1..]
            .bytes()
            .take(2)
            .take_while(u8::is_ascii_digit)
            .count();
        if digits == 0 {
            out.push('$');
        } else {
            let n: usize = rest[dollar + 1..dollar + 1 + digits]
                .parse()
                .expect("ASCII digits");
            out.push_str(group(n));
        }
        rest = &rest[dollar + 1 + digits..];
    }
    out.push_str(rest);
    out
}

/// `token` in the case of `word`: as is when equal, else lower case for a lower-case word,
/// upper case for an upper-case one, capitalised when the word starts with a capital (or
/// anything upper-casing leaves alone), lower case otherwise.
fn restore_case(word: &str, token: &str) -> String {
    if word == token {
        return token.to_string();
    }
    if word == word.to_lowercase() {
        return token.to_lowercase();
    }
    if word == word.to_uppercase() {
        return token.to_uppercase();
    }
    match word.chars().next() {
        Some(first) if is_upper_invariant(first) => capitalise(token),
        _ => token.to_lowercase(),
    }
}

/// Whether JavaScript's `c[0] === c[0].toUpperCase()` holds: the first UTF-16 unit of a
/// character outside the BMP is half a surrogate pair, which upper-casing leaves alone.
fn is_upper_invariant(c: char) -> bool {
    c.len_utf16() == 2 || c.to_uppercase().eq(std::iter::once(c))
}

/// The first character upper-cased (left alone outside the BMP, where JavaScript sees half a
/// surrogate pair), the rest lower-cased.
fn capitalise(token: &str) -> String {
    let mut chars = token.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out = String::with_capacity(token.len());
    if first.len_utf16() == 2 {
        out.push(first);
    } else {
        out.extend(first.to_uppercase());
    }
    out.push_str(&chars.as_str().to_lowercase());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values are the output of `pluralize(word)` from npm `pluralize` 8.0.0.
    const CASES: &[(&str, &str)] = &[
        ("Post", "Posts"),
        ("BlogPost", "BlogPosts"),
        ("PostTag", "PostTags"),
        ("UserProfile", "UserProfiles"),
        ("Comment", "Comments"),
        ("Category", "Categories"),
        ("Person", "People"),
        ("BlogPerson", "BlogPeople"),
        ("PERSON", "PEOPLE"),
        ("person", "people"),
        ("People", "People"),
        ("Child", "Children"),
        ("Woman", "Women"),
        ("Salesman", "Salesmen"),
        ("Status", "Statuses"),
        ("Bus", "Buses"),
        ("Alias", "Aliases"),
        ("Address", "Addresses"),
        ("Box", "Boxes"),
        ("Church", "Churches"),
        ("Wish", "Wishes"),
        ("Quiz", "Quizzes"),
        ("Index", "Indices"),
        ("Matrix", "Matrices"),
        ("Vertex", "Vertices"),
        ("Appendix", "Appendices"),
        ("Medium", "Mediums"),
        ("Data", "Data"),
        ("Datum", "Data"),
        ("Criterion", "Criteria"),
        ("Analysis", "Analyses"),
        ("Axis", "Axes"),
        ("Cactus", "Cacti"),
        ("Alumna", "Alumnae"),
        ("Knife", "Knives"),
        ("Leaf", "Leaves"),
        ("Roof", "Roofs"),
        ("City", "Cities"),
        ("Day", "Days"),
        ("Monkey", "Monkeys"),
        ("Valley", "Valleys"),
        ("Hero", "Heroes"),
        ("Photo", "Photos"),
        ("Echo", "Echoes"),
        ("Mouse", "Mice"),
        ("Titmouse", "Titmice"),
        ("Ox", "Oxen"),
        ("Tooth", "Teeth"),
        ("Axes", "Axes"),
        ("Schema", "Schemata"),
        ("News", "News"),
        ("Species", "Species"),
        ("Media", "Media"),
        ("Equipment", "Equipment"),
        ("Fish", "Fish"),
        ("Sheep", "Sheep"),
        ("Reindeer", "Reindeer"),
        ("Chinese", "Chinese"),
        ("Pokémon", "Pokémon"),
        ("Canvas", "Canvas"),
        ("Atlas", "Atlases"),
        ("Gas", "Gases"),
        ("Emu", "Emus"),
        ("Bureau", "Bureaus"),
        ("Seraph", "Seraphim"),
        ("Thou", "You"),
        ("I", "WE"),
        ("You", "You"),
        ("Them", "Them"),
        ("ID", "IDS"),
        ("URL", "URLS"),
        ("A", "AS"),
        ("Is", "Are"),
        ("", ""),
    ];

    /// Case restoration, and JavaScript's ASCII-only `i` flag and `\b` and UTF-16 matching.
    const CASE_AND_UNICODE: &[(&str, &str)] = &[
        ("BLOGPOST", "BLOGPOSTS"),
        ("blogPost", "blogPosts"),
        ("bLOGpOST", "bLOGpOSTS"),
        ("TeEth", "Teeth"),
        ("émouse", "émice"),
        ("ſ", "ſ"),
        ("buſy", "buſies"),
        ("Straße", "Straßes"),
        ("POKÉMON", "POKÉMON"),
        ("𐐨ILEY", "𐐨ILIES"),
        ("𐐨Iley", "𐐨ilies"),
        ("Ab_Cd", "Ab_Cds"),
        ("Mouse_", "Mouse_s"),
    ];

    #[test]
    fn matches_pluralize_8_0_0() {
        for &(word, plural) in CASES.iter().chain(CASE_AND_UNICODE) {
            assert_eq!(pluralize(word), plural, "pluralize({word:?})");
        }
    }

    #[test]
    fn replacements_only_name_groups_of_their_rule() {
        for rule in &TABLES.rules {
            let groups = rule.pattern.captures_len();
            let mut named = Vec::new();
            interpolate(rule.replacement, |n| {
                named.push(n);
                ""
            });
            assert!(
                named.iter().all(|&n| n < groups),
                "{} → {}",
                rule.pattern,
                rule.replacement
            );
        }
    }
}
