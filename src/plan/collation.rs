//! The order the reference sorts names in where it sorts with JavaScript's `localeCompare`:
//! CDK's construct paths, the user's resolver files.

use std::cmp::Ordering;

/// The order of JavaScript's `a.localeCompare(b)` (ICU root collation) for the ASCII texts of
/// construct paths: punctuation before digits before letters, letters compared without case
/// first, then lower case before upper case.
pub fn locale_compare(a: &str, b: &str) -> Ordering {
    fn primary(c: char) -> (u8, u32) {
        // The ICU root order of the punctuation and symbols of the ASCII range.
        const PUNCT: &str = "\t\n\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
        if let Some(i) = PUNCT.find(c) {
            (0, i as u32)
        } else if c.is_ascii_digit() {
            (1, c as u32)
        } else if c.is_ascii_alphabetic() {
            (2, c.to_ascii_lowercase() as u32)
        } else {
            (3, c as u32)
        }
    }
    let pa: Vec<_> = a.chars().map(primary).collect();
    let pb: Vec<_> = b.chars().map(primary).collect();
    pa.cmp(&pb)
        .then_with(|| {
            let ta: Vec<bool> = a.chars().map(|c| c.is_ascii_uppercase()).collect();
            let tb: Vec<bool> = b.chars().map(|c| c.is_ascii_uppercase()).collect();
            ta.cmp(&tb)
        })
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_order() {
        let mut v = vec![
            "Post.NestedStack",
            "GraphQLAPI/TransformerSchema",
            "Blog.NestedStack",
            "BlogPost.NestedStack",
            "comment",
        ];
        v.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(
            v,
            [
                "Blog.NestedStack",
                "BlogPost.NestedStack",
                "comment",
                "GraphQLAPI/TransformerSchema",
                "Post.NestedStack"
            ]
        );
        assert_eq!(locale_compare("a", "A"), Ordering::Less);
        assert_eq!(locale_compare("a_b", "a-b"), Ordering::Less);
    }
}
