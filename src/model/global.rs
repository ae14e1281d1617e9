//! The global auth rule: `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }`
//! turns on sandbox mode. `allow: public` is the only global rule Amplify supports.

use crate::ast::{InputType, ValueKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalAuthRule {
    pub span: Span,
}

pub fn read(input: &InputType, diags: &mut Vec<Diagnostic>) -> Option<GlobalAuthRule> {
    let field = input
        .fields
        .iter()
        .find(|f| matches!(f.name.as_str(), "globalAuthRule" | "global_auth_rule"))?;
    let problem = |span: Span, label: &str| {
        Diagnostic::error(Code::GlobalAuthRule, "there was a problem with your global auth rule")
            .at(span, label)
            .with_help("the only supported global rule is `globalAuthRule: AuthRule = { allow: public }`; see https://docs.amplify.aws/cli/graphql/authorization-rules")
    };
    if field.ty.to_string() != "AuthRule" {
        diags.push(problem(field.name.span, "its type must be AuthRule"));
        return None;
    }
    let Some(default) = &field.default else {
        diags.push(problem(
            field.name.span,
            "needs a default value { allow: public }",
        ));
        return None;
    };
    let first = match &default.kind {
        ValueKind::Object(fields) => fields.first(),
        _ => None,
    };
    match first {
        // The reference compares the value's text, so the string "public" passes as well.
        Some((k, v))
            if k.text == "allow"
                && matches!(&v.kind, ValueKind::Enum(t) | ValueKind::String(t) if t == "public") =>
        {
            Some(GlobalAuthRule {
                span: field.name.span,
            })
        }
        Some((_, v)) => {
            diags.push(problem(v.span, "must be `allow: public`"));
            None
        }
        None => {
            diags.push(problem(default.span, "must be { allow: public }"));
            None
        }
    }
}
