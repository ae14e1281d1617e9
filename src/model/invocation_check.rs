//! Checks of the directives that resolve a field outside the API: `@predictions`, which this
//! compiler does not build, and the URL of `@http`.

use super::ObjectModel;
use crate::ast::ValueKind;
use crate::diagnostics::{Code, Diagnostic};

pub fn check(t: &ObjectModel, out: &mut Vec<Diagnostic>) {
    for f in &t.fields {
        for d in &f.directives {
            match d.name.text.as_str() {
                // The reference needs the project's storage bucket (`amplify add storage`) for
                // it, and makes Rekognition, Translate and Polly resources: refusing it is
                // better than a build without the field's resolver.
                "predictions" => out.push(
                    Diagnostic::error(
                        Code::PredictionsUnsupported,
                        format!(
                            "`{}.{}` uses @predictions, which amplify-gql does not build",
                            t.name.text, f.name.text
                        ),
                    )
                    .at(d.span, "not supported")
                    .with_help(
                        "resolve the field with @function (a Lambda function that calls the AI service), or compile this schema with the Amplify CLI",
                    ),
                ),
                "http" => {
                    let Some(arg) = d.argument("url") else {
                        continue;
                    };
                    let ValueKind::String(url) = &arg.value.kind else {
                        continue;
                    };
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        out.push(
                            Diagnostic::error(
                                Code::HttpUrlScheme,
                                format!(
                                    "the @http url of `{}.{}` does not begin with http:// or https://",
                                    t.name.text, f.name.text
                                ),
                            )
                            .at(arg.value.span, "no http:// or https://")
                            .with_help("write the full URL, e.g. url: \"https://api.example.com/items\""),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
